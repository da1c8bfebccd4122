// Runs inside a CPU worker thread (CpuPool): the heavy steps of requests (cpuTasks.ts),
// one at a time, so that the node's event loop stays free while they run. It holds no
// state between tasks but the tokenizer, and it never reaches the node: what a task needs
// arrives in its message. A refusal (ActionRejected) travels back as one.
import { parentPort } from 'node:worker_threads';
import { defaultTokenizer } from '../tokenizer/default.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { type CpuTaskName, cpuTasks } from './cpuTasks.ts';

export type CpuReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; rejected?: { status: ActionRejected['status']; code: string; field?: string; message: string; details?: Record<string, unknown> }; error?: string };

// Loading the vocabulary is the one slow step of a fresh thread: it happens before the
// thread says it is ready, so that no task's time budget pays for it.
defaultTokenizer();

// A thread runs one task at a time (the pool hands it the next only after this one's
// reply), so an asynchronous task (evaluating an adapter) is simply awaited.
parentPort!.on('message', async (msg: { id: number; task: CpuTaskName; input: never }) => {
  let reply: CpuReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = await (cpuTasks[msg.task] as (input: unknown) => unknown)(msg.input);
    // Token ids and offsets can be large: move their memory back rather than copy it.
    if (msg.task === 'encode') {
      const r = result as ReturnType<typeof cpuTasks.encode>;
      for (const a of [r.ids, r.offsets]) if (a.buffer instanceof ArrayBuffer) transfer.push(a.buffer);
    }
    reply = { id: msg.id, ok: true, result };
  } catch (e) {
    reply =
      e instanceof ActionRejected
        ? { id: msg.id, ok: false, rejected: { status: e.status, code: e.code, field: e.field, message: e.message, ...(e.details ? { details: e.details } : {}) } }
        : { id: msg.id, ok: false, error: (e as Error).message };
  }
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage({ ready: true });
