// The colour of a ledger's money and its chain binding, as the state machine applies
// them on the real SQLite state: play money only from the faucet and never withdrawn or
// bound; real money only from the bound vault; a re-binding refused once money moved
// under the binding, and allowed while none has. Every refusal changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { account, memoryLedger } from '../../../test/fixtures/memoryLedgers.ts';
import type { ProtocolParams } from '../../protocol/action.ts';
import type { ActionMessage, Entry } from '../../protocol/entry.ts';
import { ActionRejected } from '../../protocol/errors.ts';
import { genesisAction } from '../../protocol/genesis.ts';
import { Protocol } from '../../protocol/protocol.ts';
import { openSqlite } from '../../store/sqlite.ts';
import { SqliteState } from '../../store/stateStore.ts';
import { settlementActions } from '../index.ts';
import { type ChainBinding, moneyKeys, type WithdrawalRecord } from '../records.ts';

const protocol = new Protocol([genesisAction, ...settlementActions]);
const params: ProtocolParams = { chainId: 31337, origin: 'test', nodeKey: 'test+00000000+AAAA' };
const user = '0x' + '11'.repeat(20);
const contracts = (n: number) => ({ token: '0x' + `a${n}`.repeat(20), vault: '0x' + `b${n}`.repeat(20), distributor: '0x' + `c${n}`.repeat(20), anchor: '0x' + `d${n}`.repeat(20) });

class Ledger {
  readonly dir = mkdtempSync(join(tmpdir(), 'tributary-bind-'));
  readonly db = openSqlite(join(this.dir, 's.db'));
  readonly state = new SqliteState(this.db);
  index = 0;

  constructor(money: string) {
    this.apply({ type: 'Genesis', ...params, money });
  }

  apply(action: Record<string, unknown>, signer = params.nodeKey) {
    const entry: Entry = {
      v: 1,
      index: this.index,
      time: 1_700_000_000_000 + this.index,
      action: { nonce: String(this.index), expiry: 1_700_000_600, ...action } as unknown as ActionMessage,
      auth: { scheme: 'ed25519', signature: '' },
    };
    const r = protocol.apply(this.state, params, entry, signer);
    this.db.transaction(() => this.state.write(r.changes))();
    this.index++;
    return r;
  }

  /** The refusal's status, field and message; the state must be as it was. */
  refused(action: Record<string, unknown>, signer?: string): { status: number; field?: string; message: string } {
    const before = JSON.stringify(this.state.list(''));
    try {
      this.apply(action, signer);
    } catch (e) {
      if (!(e instanceof ActionRejected)) throw e;
      expect(JSON.stringify(this.state.list(''))).toBe(before);
      return { status: e.status, field: e.field, message: e.message };
    }
    throw new Error(`${String(action.type)} was accepted`);
  }

  close() {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('money colour and chain binding', () => {
  const open: Ledger[] = [];
  const ledger = (money: string) => {
    const l = new Ledger(money);
    open.push(l);
    return l;
  };
  afterEach(() => {
    for (const l of open.splice(0)) l.close();
  });

  it('genesis takes only play or real', () => {
    expect(() => new Ledger('gold')).toThrow(/must be "play" or "real"/);
  });

  it('a play-money ledger is credited only by the faucet, never withdraws and is never bound', () => {
    const l = ledger('play');
    l.apply({ type: 'Deposit', account: user, amount: '1000', source: 'faucet' });
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(1).vault}:0` })).toMatchObject({ status: 403, field: 'action.source' });
    expect(l.refused({ type: 'Withdraw', amount: '1000' }, user)).toMatchObject({ status: 403, field: 'action.type', message: expect.stringMatching(/play money never leaves the ledger/) });
    expect(l.refused({ type: 'BindChain', chainId: 1, ...contracts(1) })).toMatchObject({ status: 403, message: expect.stringMatching(/can never be bound to a chain/) });
  });

  it('a real-money ledger takes no faucet credit and only deposits into its bound vault', () => {
    const l = ledger('real');
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: 'faucet' })).toMatchObject({ status: 409, field: 'action.source' });
    expect(l.refused({ type: 'Withdraw', amount: '1' }, user)).toMatchObject({ status: 409, field: 'action.type' });
    l.apply({ type: 'BindChain', chainId: 1, ...contracts(1) });
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: 'faucet' })).toMatchObject({ status: 403, field: 'action.source' });
    // Another vault, another chain, or a malformed id: not the bound vault's deposits.
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(2).vault}:0` })).toMatchObject({ status: 403 });
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: `chain:2:${contracts(1).vault}:0` })).toMatchObject({ status: 403 });
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(1).vault}:x` })).toMatchObject({ status: 403 });
    l.apply({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(1).vault}:0` });
    expect(l.refused({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(1).vault}:0` })).toMatchObject({ status: 409 });
    const w = l.apply({ type: 'Withdraw', amount: '400' }, user);
    const binding = l.state.get<ChainBinding>(moneyKeys.chainBinding)!;
    expect(l.state.get<WithdrawalRecord>(moneyKeys.withdrawal(w.result!.withdrawal as number))).toMatchObject({ account: user, amount: '400', binding: binding.index });
  });

  it('re-binding is allowed while no money moved under the binding, and refused once any did', () => {
    const l = ledger('real');
    l.apply({ type: 'BindChain', chainId: 1, ...contracts(1) });
    expect(l.refused({ type: 'BindChain', chainId: 1, ...contracts(1) })).toMatchObject({ status: 409, message: expect.stringMatching(/already bound/) });
    // Nothing deposited or paid under deployment 1: deployment 2 may replace it.
    expect(l.apply({ type: 'BindChain', chainId: 1, ...contracts(2) }).result).toMatchObject({ rebound: true, vault: contracts(2).vault });
    l.apply({ type: 'Deposit', account: user, amount: '1000', source: `chain:1:${contracts(2).vault}:7` });
    const moved = l.refused({ type: 'BindChain', chainId: 1, ...contracts(3) });
    expect(moved).toMatchObject({ status: 409, field: 'action.vault' });
    expect(moved.message).toMatch(/money moved under the current binding .*deposited 1000 /);
    // The same contracts on another chain are other contracts.
    expect(l.refused({ type: 'BindChain', chainId: 2, ...contracts(2) }).message).toMatch(/money moved/);
  });
});

describe('BindChain on an in-memory ledger', () => {
  it('records the binding with the totals of its time, lowercase', () => {
    const l = memoryLedger({ money: 'real' });
    const c = contracts(1);
    const r = l.node({ type: 'BindChain', chainId: 5, ...c, vault: c.vault.toUpperCase().replace('0X', '0x') });
    expect(r.result).toEqual({ binding: r.index, chainId: 5, vault: c.vault, rebound: false });
    expect(l.state.get<ChainBinding>(moneyKeys.chainBinding)).toEqual({ index: r.index, chainId: 5, ...c, totals: { deposited: '0', withdrawn: '0' }, time: r.entry.time });
  });

  it('refuses chain id 0, and an account signing it', () => {
    const l = memoryLedger({ money: 'real' });
    expect(l.refusal(() => l.node({ type: 'BindChain', chainId: 0, ...contracts(1) }))).toMatchObject({ status: 400, field: 'action.chainId', message: 'must be an EVM chain id, not 0' });
    expect(l.refusal(() => l.act(account(), { type: 'BindChain', chainId: 1, ...contracts(1) }))).toMatchObject({ status: 401, field: 'signature' });
  });
});
