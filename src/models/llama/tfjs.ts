// One-time initialisation of TensorFlow.js on its WebAssembly backend, shared by everything in
// src/models/llama/ (the forward pass now, the LoRA trainer later): the .wasm binaries are located
// inside the installed @tensorflow/tfjs-backend-wasm package, the thread count is set explicitly,
// and the backend is made current once per process, however many callers ask at the same time.
// It must never fetch anything over the network (the binaries are read from node_modules), never
// switch the backend away from wasm once set, and never be called with a different thread count
// after the first call (XNNPACK's thread pool is sized once, at initialisation).
// Importing the @tensorflow/tfjs umbrella registers tfjs' own gradient functions with tfjs-core
// (the core's Node entry point registers none), so that anything initialised here can be
// differentiated.
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
// For its side effect: it registers every gradient with the shared tfjs-core.
import '@tensorflow/tfjs';

export { tf };

/** The kernels the forward pass and the next-token loss differentiate through (tests check each one). */
export const TRAINING_KERNELS: readonly string[] = [
  tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.Cast, tf.Identity, tf.Neg, tf.Square, tf.Sqrt, tf.Rsqrt, tf.Exp, tf.Log,
  tf.Sigmoid, tf.Sum, tf.Mean, tf.Reshape, tf.Transpose, tf.Reverse, tf.Softmax, tf.Slice,
];

export interface TfjsInfo {
  /** Always 'wasm'. */
  readonly backend: string;
  /**
   * Threads XNNPACK actually uses. Under Node this is 1 whatever was asked: tfjs only loads its
   * threaded binary where SharedArrayBuffer can be posted to a Web Worker, which Node's
   * environment check reports as unsupported, so the single-threaded SIMD binary runs.
   */
  readonly threads: number;
  readonly simd: boolean;
}

let ready: Promise<TfjsInfo> | undefined;
let requestedThreads: number | undefined;

/**
 * Makes tfjs' wasm backend current (once per process) and returns what it runs with. `threads`
 * is a request to XNNPACK (default 1: the machines this runs on are small, and llama.cpp or a
 * server may be busy on the other cores); a second call asking for another count is an error
 * rather than being silently ignored.
 */
export function initTfjs(options: { threads?: number } = {}): Promise<TfjsInfo> {
  const threads = options.threads ?? requestedThreads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`tfjs threads must be a positive integer, got ${threads}`);
  if (requestedThreads !== undefined && threads !== requestedThreads) {
    throw new Error(`tfjs was already initialised with ${requestedThreads} thread(s); it cannot be re-initialised with ${threads}`);
  }
  requestedThreads = threads;
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    // setWasmPaths wants the folder, with a trailing slash, that holds all three binaries.
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
    setThreadsCount(threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise its wasm backend');
    await tf.ready();
    return { backend: tf.getBackend(), threads: getThreadsCount(), simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) };
  })();
  // A failed start is not cached, so that a caller can fix the cause and try again.
  ready.catch(() => {
    ready = undefined;
    requestedThreads = undefined;
  });
  return ready;
}
