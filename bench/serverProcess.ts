// Starts the real node (`bin/tributary.js start`) as a child process on 127.0.0.1 with
// a port chosen by the OS, and waits for it to print its URL. Shared by the HTTP
// benchmark and the crash test, which both need the server in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/tributary.js', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

/** `env` is the child's whole environment (default: this process's), e.g. with or without DATABASE_URL. */
export async function startServerProcess(dataDir: string, extraArgs: string[] = [], timeoutMs = 30_000, env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  // TRIBUTARY_SERVER_NODE_ARGS lets a benchmark run the server under --cpu-prof and the like.
  const nodeArgs = (process.env.TRIBUTARY_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'start', '--data', dataDir, '--port', '0', '--no-demo', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
