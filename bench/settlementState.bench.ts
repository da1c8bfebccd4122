// Settlement through the state machine, as the sequencer runs it: InferenceRecord's
// apply (model and contribution look-ups, the exact split, the journal over balances read
// from state, the earnings views) and the state writes with their LtHash update, in
// SQLite (WAL, synchronous=FULL), committed in batches. Signing and HTTP are left out:
// the other benches measure those. Also times an epoch close over many accounts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProtocol } from '../src/node/actions.ts';
import type { ProtocolParams } from '../src/protocol/action.ts';
import type { ActionMessage, Entry } from '../src/protocol/entry.ts';
import { readGguf } from '../src/gguf/reader.ts';
import { validateLlamaModel } from '../src/gguf/validate.ts';
import { tinyLlamaGguf } from '../test/fixtures/tinyGguf.ts';
import { openSqlite } from '../src/store/sqlite.ts';
import { MoneyStore } from '../src/store/moneyStore.ts';
import { SqliteState } from '../src/store/stateStore.ts';
import { prng } from '../src/random/prng.ts';

export interface SettlementStateBench {
  inferences: number;
  perSecond: number;
  epochAccounts: number;
  epochCloseSeconds: number;
}

export function runSettlementStateBench(inferences: number, contributors: number): SettlementStateBench {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-settle-'));
  const db = openSqlite(join(dir, 'b.db'));
  const state = new SqliteState(db);
  const money = new MoneyStore(db);
  const protocol = createProtocol();
  const params: ProtocolParams = { chainId: 31337, origin: 'bench', nodeKey: 'bench+00000000+AAAA' };
  const addr = (n: number) => '0x' + (0x10000 + n).toString(16).padStart(40, '0');
  const r = prng(9);
  let index = 0;
  const apply = (action: Record<string, unknown>, signer = params.nodeKey, attest?: Entry['attest']) => {
    const entry: Entry = { v: 1, index, time: 1_700_000_000_000 + index, action: { nonce: String(index), expiry: 1_700_000_600, ...action } as unknown as ActionMessage, auth: { scheme: 'ed25519', signature: '' }, ...(attest ? { attest } : {}) };
    const res = protocol.apply(state, params, entry, signer);
    state.write(res.changes);
    for (const e of res.effects ?? []) {
      if (e.kind === 'journal') money.appendLines(index, entry.time, e.lines);
      else if (e.kind === 'views') money.addToViews(e.increments);
    }
    index++;
    return res;
  };
  try {
    // A datanet of `contributors` contributions, each by its own author, and a model on it.
    const ids: number[] = [];
    db.transaction(() => {
      apply({ type: 'Genesis', ...params, money: 'play' });
      apply({ type: 'CreateDatanet', name: 'd', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] }, addr(0));
      for (let i = 0; i < contributors; i++)
        ids.push(apply({ type: 'Contribute', datanet: 'd', contentHash: '0x' + (i + 1).toString(16).padStart(64, '0'), size: 100, fileName: `${i}.txt` }, addr(1 + i)).result!.contribution as number);
      apply({ type: 'Snapshot', datanet: 'd' }, addr(0));
      const base = tinyLlamaGguf();
      apply({ type: 'RegisterBaseModel', name: 'base', file: '0x' + '11'.repeat(32) }, addr(0), { model: validateLlamaModel(readGguf(base)), fileSize: base.length } as unknown as Entry['attest']);
      apply(
        { type: 'RegisterModel', name: 'm', datanet: 'd', snapshot: 1, base: '0x' + '11'.repeat(32), adapter: '0x' + '00'.repeat(32), pricePer1kInput: '2000000000000000', pricePer1kOutput: '6000000000000000', dataBps: 5000, ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 2000, job: 0 },
        addr(0),
        { trainingTokens: ids.map((_, i) => 50 + (i % 200)) },
      );
      for (let k = 0; k < 100; k++) apply({ type: 'Deposit', account: addr(900_000 + k), amount: (10n ** 30n).toString(), source: 'faucet' });
    })();

    const BATCH = 1000;
    const t0 = performance.now();
    for (let done = 0; done < inferences; ) {
      const n = Math.min(BATCH, inferences - done);
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const picked = new Set<number>();
          const k = 1 + Math.floor(r() * 4);
          while (picked.size < k) picked.add(ids[Math.floor(r() * ids.length)]);
          const contributions = [...picked].sort((a, b) => a - b);
          apply({
            type: 'InferenceRecord',
            model: 'm@1',
            requester: addr(900_000 + ((done + i) % 100)),
            provider: addr(800_000),
            inputTokens: 200 + ((done + i) % 300),
            outputTokens: 50 + ((done + i) % 200),
            contributions,
            weightsPpm: contributions.map(() => 1 + Math.floor(r() * 240_000)),
            outputHash: '0x' + '22'.repeat(32),
            reservation: 0,
          });
        }
        state.saveHash();
      })();
      done += n;
    }
    const perSecond = inferences / ((performance.now() - t0) / 1000);

    const t1 = performance.now();
    db.transaction(() => apply({ type: 'CloseEpoch', epoch: 1 }))();
    const epochCloseSeconds = (performance.now() - t1) / 1000;
    const accounts = state.list('paid/').length;
    return { inferences, perSecond, epochAccounts: accounts, epochCloseSeconds };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(runSettlementStateBench(Number(process.argv[2] ?? 20_000), Number(process.argv[3] ?? 10_000)));
