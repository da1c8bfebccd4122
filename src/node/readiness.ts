// Whether the node should receive traffic (GET /readyz): the database answers, the
// sequencer's last batch committed, and, with a chain configured, the chain worker has not
// failed more than `readyChainFailures` passes in a row. Liveness (/healthz) is simpler:
// the process answers. This only reads; it never writes to the log or the database.
import type { TributaryNode } from './node.ts';

export interface Check {
  ok: boolean;
  /** Why not, when not. */
  reason?: string;
}

export interface Readiness {
  ready: boolean;
  /** The names of the checks that failed. */
  failing: string[];
  checks: { database: Check; sequencer: Check; chain?: Check };
}

export function readiness(node: TributaryNode): Readiness {
  const checks: Readiness['checks'] = { database: database(node), sequencer: sequencer(node) };
  if (node.chain.configured) checks.chain = chain(node);
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  return { ready: failing.length === 0, failing, checks };
}

function database(node: TributaryNode): Check {
  try {
    // A read from the file, not only the connection: the latest checkpoint.
    if (!node.entries.latestCheckpoint()) return { ok: false, reason: 'the database holds no checkpoint' };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: `the database does not answer: ${(e as Error).message}` };
  }
}

function sequencer(node: TributaryNode): Check {
  const failed = node.sequencer.commitError;
  if (failed) return { ok: false, reason: `the last batch did not commit (${new Date(failed.at).toISOString()}): ${failed.message}` };
  return { ok: true };
}

function chain(node: TributaryNode): Check {
  const s = node.chain.status();
  const limit = node.config.readyChainFailures;
  if (s.failures > limit)
    return { ok: false, reason: `the chain worker failed ${s.failures} passes in a row (more than ${limit}): ${s.lastError?.message ?? 'no message'}` };
  return { ok: true };
}
