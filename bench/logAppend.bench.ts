// Raw log append: node-signed Note entries through the real sequencer into SQLite
// (WAL, synchronous=FULL), committed in batches. Signing is measured apart from
// appending, since a node can sign ahead of sequencing on another core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/node/config.ts';
import { TributaryNode } from '../src/node/node.ts';
import type { Submission } from '../src/node/sequencer.ts';
import { normaliseMessage } from '../src/protocol/action.ts';
import type { ActionMessage } from '../src/protocol/entry.ts';

export interface LogAppendFigures {
  entries: number;
  signPerSecond: number;
  appendPerSecond: number;
  signAndAppendPerSecond: number;
  batches: number;
}

export async function runLogAppendBench(entries = 100_000): Promise<LogAppendFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-log-'));
  const node = await TributaryNode.open({ ...loadConfig({ data: dir }, {}), demo: false });
  try {
    const def = node.protocol.get('Note');
    const t0 = performance.now();
    const subs: Submission[] = [];
    for (let i = 0; i < entries; i++) {
      const action = normaliseMessage(def, { type: 'Note', topic: 'bench', body: `entry ${i}`, nonce: String(i + 1) }) as ActionMessage;
      subs.push({ action, auth: { scheme: 'ed25519', signature: node.key.signAction(node.params.chainId, action) }, signer: node.params.nodeKey });
    }
    const signS = (performance.now() - t0) / 1000;
    const batchesBefore = node.sequencer.stats.batches;
    const t1 = performance.now();
    const done = await Promise.all(subs.map((s) => node.sequencer.submit(s)));
    const appendS = (performance.now() - t1) / 1000;
    if (done.length !== entries || node.size !== entries + 1) throw new Error(`appended ${node.size - 1} of ${entries}`);
    return {
      entries,
      signPerSecond: entries / signS,
      appendPerSecond: entries / appendS,
      signAndAppendPerSecond: entries / (signS + appendS),
      batches: node.sequencer.stats.batches - batchesBefore,
    };
  } finally {
    node.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
