// The settlement actions as the state machine runs them, on the real SQLite state:
// random deposits, inferences (random prices, shares, weights, token counts) and epoch
// closes. After every step, money is conserved to the unit; a refused step changes
// nothing; and each epoch's root is OpenZeppelin's over the cumulative payouts. Then
// reservations of calls in progress, their settles and releases, mixed with withdrawals:
// the settle of a reserved call is never refused, and nothing spends what a call holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datanetActions } from '../datanets/index.ts';
import type { ProtocolParams } from '../protocol/action.ts';
import type { ActionMessage, Entry } from '../protocol/entry.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { genesisAction } from '../protocol/genesis.ts';
import { Protocol } from '../protocol/protocol.ts';
import { openSqlite } from '../store/sqlite.ts';
import { SqliteState } from '../store/stateStore.ts';
import { readGguf } from '../gguf/reader.ts';
import { validateLlamaModel } from '../gguf/validate.ts';
import { modelActions } from '../models/index.ts';
import { tinyLlamaGguf } from '../../test/fixtures/tinyGguf.ts';
import { settlementActions } from './index.ts';
import { type EpochRecord, type HoldRecord, moneyKeys } from './records.ts';
import { accounts, amount, type MoneyTotals } from '../money/accounts.ts';

const protocol = new Protocol([genesisAction, ...datanetActions, ...settlementActions, ...modelActions]);
/** What a node would attest for a registered base model (the tiny test model's measurement). */
const BASE_ATTEST = { model: validateLlamaModel(readGguf(tinyLlamaGguf())), fileSize: tinyLlamaGguf().length } as unknown as Entry['attest'];
const params: ProtocolParams = { chainId: 31337, origin: 'test', nodeKey: 'test+00000000+AAAA' };
const addr = (n: number) => '0x' + (0x1000 + n).toString(16).padStart(40, '0');
const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');

class Machine {
  readonly dir = mkdtempSync(join(tmpdir(), 'tributary-books-'));
  readonly db = openSqlite(join(this.dir, 's.db'));
  readonly state = new SqliteState(this.db);
  index = 0;

  /** Applies one action as the sequencer would (signature checks are not what is tested here). */
  apply(action: Record<string, unknown>, signer = params.nodeKey, attest?: Entry['attest']) {
    const entry: Entry = {
      v: 1,
      index: this.index,
      time: 1_700_000_000_000 + this.index,
      action: { nonce: String(this.index), expiry: 1_700_000_600, ...action } as unknown as ActionMessage,
      auth: { scheme: 'ed25519', signature: '' },
      ...(attest ? { attest } : {}),
    };
    const r = protocol.apply(this.state, params, entry, signer);
    this.db.transaction(() => this.state.write(r.changes))();
    this.index++;
    return r;
  }

  money() {
    let held = 0n;
    for (const [, v] of this.state.list<string>(moneyKeys.balancePrefix)) {
      expect(amount(v)).toBeGreaterThan(0n);
      held += amount(v);
    }
    const t = this.state.get<MoneyTotals>(moneyKeys.totals) ?? { deposited: '0', withdrawn: '0' };
    return { held, deposited: amount(t.deposited), withdrawn: amount(t.withdrawn) };
  }

  close() {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A datanet of `n` contributions by `authors` accounts, a snapshot, and a model on it. */
/** The vault a real-money ledger is bound to here (withdrawals need a chain binding). */
const VAULT = '0x' + 'b1'.repeat(20);

function setUp(m: Machine, n: number, authors: number, tokens: number[], policy: Record<string, unknown>, money: 'play' | 'real' = 'play') {
  m.apply({ type: 'Genesis', ...params, money });
  if (money === 'real') m.apply({ type: 'BindChain', chainId: 1, token: '0x' + 'a1'.repeat(20), vault: VAULT, distributor: '0x' + 'c1'.repeat(20), anchor: '0x' + 'd1'.repeat(20) });
  m.apply({ type: 'CreateDatanet', name: 'd', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] }, addr(0));
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(m.apply({ type: 'Contribute', datanet: 'd', contentHash: hash(i + 1), size: 10, fileName: `${i}.txt` }, addr(1 + (i % authors))).result!.contribution as number);
  m.apply({ type: 'Snapshot', datanet: 'd' }, addr(0));
  m.apply({ type: 'RegisterBaseModel', name: 'base', file: hash(99) }, addr(50), BASE_ATTEST);
  m.apply({ type: 'RegisterModel', name: 'm', datanet: 'd', snapshot: 1, base: hash(99), adapter: hash(0), job: 0, ...policy }, addr(50), { trainingTokens: tokens });
  return ids;
}

const policyArb = fc
  .record({
    pin: fc.bigInt({ min: 0n, max: 10n ** 19n }),
    pout: fc.bigInt({ min: 0n, max: 10n ** 19n }),
    cuts: fc.tuple(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000)).map((c) => [...c].sort((a, b) => a - b)),
    baselineBps: fc.nat(10_000),
  })
  .map(({ pin, pout, cuts, baselineBps }) => ({
    pricePer1kInput: pin.toString(),
    pricePer1kOutput: pout.toString(),
    dataBps: cuts[0],
    ownerBps: cuts[1] - cuts[0],
    computeBps: cuts[2] - cuts[1],
    treasuryBps: 10_000 - cuts[2],
    baselineBps,
  }));

const opArb = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), who: fc.nat(4), amount: fc.bigInt({ min: 1n, max: 10n ** 21n }) }),
  fc.record({
    kind: fc.constant('infer' as const),
    who: fc.nat(4),
    provider: fc.nat(3),
    input: fc.nat(5000),
    output: fc.nat(2000),
    weights: fc.array(fc.tuple(fc.nat(7), fc.integer({ min: 1, max: 250_000 })), { maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('close' as const) }),
);

describe('settlement on the state machine', () => {
  it('conserves money to the unit over random deposits, inferences and epoch closes; refusals change nothing', () => {
    fc.assert(
      fc.property(policyArb, fc.array(fc.nat(5000), { minLength: 8, maxLength: 8 }), fc.array(opArb, { maxLength: 40 }), (policy, tokens, ops) => {
        const m = new Machine();
        try {
          const ids = setUp(m, 8, 3, tokens, policy);
          let epochs = 0;
          for (const op of ops) {
            const before = m.state.scanHash().root();
            try {
              if (op.kind === 'deposit') m.apply({ type: 'Deposit', account: addr(100 + op.who), amount: op.amount.toString(), source: 'faucet' });
              else if (op.kind === 'infer') {
                const w = new Map(op.weights.map(([c, ppm]) => [ids[c], ppm]));
                const contributions = [...w.keys()].sort((a, b) => a - b);
                m.apply({
                  type: 'InferenceRecord',
                  model: 'm@1',
                  requester: addr(100 + op.who),
                  provider: addr(200 + op.provider),
                  inputTokens: op.input,
                  outputTokens: op.output,
                  contributions,
                  weightsPpm: contributions.map((c) => w.get(c)!),
                  outputHash: hash(7),
                  reservation: 0,
                });
              } else {
                const r = m.apply({ type: 'CloseEpoch', epoch: epochs + 1 });
                epochs++;
                // The root is OpenZeppelin's over every account's cumulative payout.
                const leaves = m.state.list<string>(moneyKeys.paidPrefix).map(([k, v]): [string, string] => [k.slice(moneyKeys.paidPrefix.length), v]);
                expect(r.result!.root).toBe(StandardMerkleTree.of(leaves, ['address', 'uint256']).root);
                const e = m.state.get<EpochRecord>(moneyKeys.epoch(epochs))!;
                expect(e.cumulative).toBe(leaves.reduce((s, [, v]) => s + BigInt(v), 0n).toString());
                // After a close, nothing is left unpaid or pooled.
                expect(m.state.list(moneyKeys.earningsBalancePrefix)).toEqual([]);
                expect(m.state.list(moneyKeys.poolPrefix)).toEqual([]);
              }
            } catch (e) {
              if (!(e instanceof ActionRejected)) throw e;
              expect([402, 409]).toContain(e.status);
              expect(m.state.scanHash().root().equals(before)).toBe(true);
            }
            const { held, deposited, withdrawn } = m.money();
            expect(held).toBe(deposited - withdrawn);
          }
          // Everything paid out is in the latest tree: cumulative payouts equal withdrawals (no user withdrawals here).
          const { withdrawn } = m.money();
          const paid = m.state.list<string>(moneyKeys.paidPrefix).reduce((s, [, v]) => s + BigInt(v), 0n);
          expect(paid).toBe(withdrawn);
        } finally {
          m.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('settles every reserved call from its hold, never refused, and releases the rest; nothing else spends a hold', () => {
    const holdOp = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), who: fc.nat(1), input: fc.nat(3000), max: fc.nat(1000) }),
      // Settles the `pick`-th open hold with `output` of its max_tokens, or releases it.
      fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(20), output: fc.double({ min: 0, max: 1, noNaN: true }), contribution: fc.nat(7) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat(20) }),
      // A withdrawal of all the prepaid balance: it must not reach what the holds keep.
      fc.record({ kind: fc.constant('withdraw' as const), who: fc.nat(1) }),
    );
    const seen = { reserved: 0, refused: 0, settled: 0, released: 0 };
    fc.assert(
      fc.property(policyArb, fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.bigInt({ min: 0n, max: 10n ** 20n })), fc.array(holdOp, { minLength: 10, maxLength: 40 }), (policy, funds, ops) => {
        const m = new Machine();
        try {
          const ids = setUp(m, 8, 3, [3, 1, 4, 1, 5, 9, 2, 6], policy, 'real');
          funds.forEach((f, who) => f > 0n && m.apply({ type: 'Deposit', account: addr(100 + who), amount: f.toString(), source: `chain:1:${VAULT}:${who}` }));
          const prepaid = (a: string) => amount(m.state.get<string>(moneyKeys.balance(a)));
          for (const op of ops) {
            const before = m.state.scanHash().root();
            if (op.kind === 'reserve' || op.kind === 'withdraw') {
              const who = addr(100 + op.who);
              const had = prepaid(who);
              try {
                if (op.kind === 'withdraw') {
                  if (had > 0n) m.apply({ type: 'Withdraw', amount: had.toString() }, who);
                  continue;
                }
                const r = m.apply({ type: 'ReserveInference', model: 'm@1', requester: who, inputTokens: op.input, maxTokens: op.max, holder: 'test/1', ttlMs: 60_000 });
                const hold = m.state.get<HoldRecord>(moneyKeys.hold(r.result!.reservation as number))!;
                expect(prepaid(who)).toBe(had - BigInt(hold.amount));
                expect(prepaid(accounts.hold(hold.reservation))).toBe(BigInt(hold.amount));
                seen.reserved++;
              } catch (e) {
                if (!(e instanceof ActionRejected) || op.kind !== 'reserve') throw e;
                expect(e.status).toBe(402);
                expect(e.details).toMatchObject({ balance: had.toString() });
                expect(m.state.scanHash().root().equals(before)).toBe(true);
                seen.refused++;
              }
            } else {
              const open = m.state.list<HoldRecord>(moneyKeys.holdPrefix);
              if (open.length === 0) continue;
              const [, hold] = open[op.pick % open.length];
              const had = prepaid(hold.requester);
              if (op.kind === 'release') {
                m.apply({ type: 'ReleaseReservation', reservation: hold.reservation });
                expect(prepaid(hold.requester)).toBe(had + BigInt(hold.amount));
                expect(() => m.apply({ type: 'ReleaseReservation', reservation: hold.reservation })).toThrow(/no open reservation/);
                seen.released++;
              } else {
                const r = m.apply({
                  type: 'InferenceRecord', model: 'm@1', requester: hold.requester, provider: addr(200), inputTokens: hold.inputTokens, outputTokens: Math.floor(op.output * hold.maxTokens),
                  contributions: [ids[op.contribution]], weightsPpm: [500_000], outputHash: hash(8), reservation: hold.reservation,
                });
                expect(prepaid(hold.requester)).toBe(had + BigInt(hold.amount) - BigInt(r.result!.fee as string));
                seen.settled++;
              }
              expect(m.state.get(moneyKeys.hold(hold.reservation))).toBeUndefined();
              expect(prepaid(accounts.hold(hold.reservation))).toBe(0n);
            }
            const { held, deposited, withdrawn } = m.money();
            expect(held).toBe(deposited - withdrawn);
          }
        } finally {
          m.close();
        }
      }),
      { numRuns: 40 },
    );
    // The runs reached every path, not only refusals.
    for (const [path, n] of Object.entries(seen)) expect(n, path).toBeGreaterThan(10);
  });

  it('refuses a settle that exceeds its reservation or names another caller’s, and a second release', () => {
    const m = new Machine();
    try {
      const policy = { pricePer1kInput: '1000', pricePer1kOutput: '2000', dataBps: 10_000, ownerBps: 0, computeBps: 0, treasuryBps: 0, baselineBps: 0 };
      setUp(m, 3, 2, [5, 0, 7], policy);
      m.apply({ type: 'Deposit', account: addr(100), amount: '100', source: 'faucet' });
      // 10 prompt tokens at 1 a token, 40 output tokens at 2: 90 held of the 100.
      const r = m.apply({ type: 'ReserveInference', model: 'm@1', requester: addr(100), inputTokens: 10, maxTokens: 40, holder: 'test/1', ttlMs: 1000 });
      expect(r.result).toMatchObject({ amount: '90', balance: '10' });
      const again = () => m.apply({ type: 'ReserveInference', model: 'm@1', requester: addr(100), inputTokens: 10, maxTokens: 40, holder: 'test/2', ttlMs: 1000 });
      expect(again).toThrow(/has 10 base units prepaid .* may cost up to 90 \(10 prompt tokens, max_tokens 40\)/);
      const rec = (x: Record<string, unknown>) => () =>
        m.apply({ type: 'InferenceRecord', model: 'm@1', requester: addr(100), provider: addr(200), inputTokens: 10, outputTokens: 40, contributions: [], weightsPpm: [], outputHash: hash(1), reservation: r.result!.reservation, ...x });
      expect(rec({ outputTokens: 41 })).toThrow(expect.objectContaining({ field: 'action.outputTokens' }));
      expect(rec({ inputTokens: 11 })).toThrow(expect.objectContaining({ field: 'action.outputTokens' }));
      expect(rec({ requester: addr(101) })).toThrow(expect.objectContaining({ field: 'action.reservation' }));
      // The whole hold, spent exactly: the prepaid balance is untouched.
      expect(rec({})().result).toMatchObject({ fee: '90' });
      expect(amount(m.state.get<string>(moneyKeys.balance(addr(100))))).toBe(10n);
      expect(() => m.apply({ type: 'ReleaseReservation', reservation: r.result!.reservation })).toThrow(expect.objectContaining({ status: 409, field: 'action.reservation' }));
    } finally {
      m.close();
    }
  });

  it('refuses records that do not add up, naming the field', () => {
    const m = new Machine();
    try {
      const policy = { pricePer1kInput: '1000', pricePer1kOutput: '1000', dataBps: 10_000, ownerBps: 0, computeBps: 0, treasuryBps: 0, baselineBps: 0 };
      const ids = setUp(m, 3, 2, [5, 0, 7], policy);
      m.apply({ type: 'Deposit', account: addr(100), amount: '1000000', source: 'faucet' });
      const rec = (x: Record<string, unknown>) => () =>
        m.apply({ type: 'InferenceRecord', model: 'm@1', requester: addr(100), provider: addr(200), inputTokens: 1, outputTokens: 1, contributions: [], weightsPpm: [], outputHash: hash(1), reservation: 0, ...x });
      const field = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return (e as ActionRejected).field;
        }
        return 'accepted';
      };
      expect(field(rec({ model: 'm@2' }))).toBe('action.model');
      expect(field(rec({ contributions: [ids[0]], weightsPpm: [] }))).toBe('action.weightsPpm');
      expect(field(rec({ contributions: [ids[1], ids[0]], weightsPpm: [1, 1] }))).toBe('action.contributions.1');
      expect(field(rec({ contributions: [ids[0], ids[1]], weightsPpm: [600_000, 600_000] }))).toBe('action.weightsPpm');
      expect(field(rec({ contributions: [999_999], weightsPpm: [1] }))).toBe('action.contributions.0');
      expect(field(rec({ inputTokens: 10_000_000 }))).toBe('action.requester');
      expect(field(() => m.apply({ type: 'CloseEpoch', epoch: 2 }))).toBe('action.epoch');
      expect(field(() => m.apply({ type: 'Deposit', account: addr(1), amount: '0', source: 'x' }))).toBe('action.amount');
      // A contribution the node measured at 0 tokens gets no baseline: the model counts two.
      expect(m.state.get<{ trainingContributions: number }>(moneyKeys.model('m', 1))!.trainingContributions).toBe(2);
      expect(field(() => m.apply({ type: 'RegisterModel', name: 'm2', datanet: 'd', snapshot: 1, base: hash(99), adapter: hash(0), job: 0, ...policy }, addr(50), { trainingTokens: [1] }))).toBe(
        'attest.trainingTokens',
      );
    } finally {
      m.close();
    }
  });
});
