// Runs index builds on a worker thread, so that building a large shard never stalls
// the node's sequencer or its HTTP answers. Reports progress as it goes.
import { parentPort } from 'node:worker_threads';
import { runBuildJob, type BuildJob } from './build.ts';
import { defaultTokenizer } from '../tokenizer/default.ts';

parentPort!.on('message', (msg: { id: number; job: BuildJob }) => {
  try {
    const result = runBuildJob(msg.job, defaultTokenizer(), (phase, done, total) =>
      parentPort!.postMessage({ id: msg.id, progress: { phase, done, total } }),
    );
    parentPort!.postMessage({ id: msg.id, result });
  } catch (e) {
    // The code (ENOSPC, say) travels too: a full disk is the operator's to fix, not a bug.
    parentPort!.postMessage({ id: msg.id, error: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
  }
});
