// The in-memory ledger takes an action through the node's steps (schema, signature, the
// shared rules of every action, apply, effects), and refuses exactly as the node does:
// with the status, field and reason, leaving no trace. Also the two actions every log
// has: Genesis and Note.
import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../client/signer.ts';
import type { ActionDefinition } from './action.ts';
import { genesisAction, GENESIS_KEY, ledgerMoney, noteAction } from './genesis.ts';
import { MemoryLedger } from './memoryLedger.ts';
import { MAX_ACTION_LIFETIME_S, Protocol } from './protocol.ts';
import { randomPrivateKey } from './secp256k1.ts';

// A user action with a state change and every kind of effect, to see each one folded in.
const poke: ActionDefinition<{ label: string }> = {
  type: 'Poke',
  signer: 'user',
  description: 'test action',
  fields: [{ name: 'label', type: 'string', max: 8 }],
  apply(ctx, m) {
    return {
      changes: [{ key: `poke/${m.label}`, value: { by: ctx.signer, at: ctx.index } }],
      effects: [
        { kind: 'retainBlob', hash: '0xab' },
        { kind: 'journal', lines: [{ from: 'a', to: 'b', amount: '5', memo: m.label }] },
        { kind: 'views', increments: [{ key: 'v/1', field: 'n', by: '2' }, { key: 'v/1', field: 'n', by: '3' }] },
        { kind: 'payouts', epoch: 1, leaves: [{ account: ctx.signer, cumulative: '7' }] },
      ],
      result: { label: m.label },
    };
  },
};

const protocol = new Protocol([genesisAction, noteAction, poke as ActionDefinition]);
const alice = new LocalSigner(randomPrivateKey());

describe('MemoryLedger', () => {
  it('starts with a node-signed Genesis that fixes the parameters and the money', () => {
    const l = new MemoryLedger(protocol, { money: 'real', chainId: 7 });
    expect(l.size).toBe(1);
    expect(l.entries[0].auth.scheme).toBe('ed25519');
    expect(l.state.get(GENESIS_KEY)).toEqual({ ...l.params, money: 'real' });
    expect(ledgerMoney(l.state)).toBe('real');
  });

  it('applies a signed user action: its changes, nonce record and every effect', () => {
    const l = new MemoryLedger(protocol);
    const a = l.act(alice, { type: 'Poke', label: 'x' });
    expect(a.index).toBe(1);
    expect(a.result).toEqual({ label: 'x' });
    expect(l.state.get('poke/x')).toEqual({ by: alice.address.toLowerCase(), at: 1 });
    expect(l.state.get(`nonce/${alice.address.toLowerCase()}/${a.entry.action.nonce as string}`)).toBe(1);
    expect(l.blobs.get('0xab')).toBe(1);
    expect(l.journal).toEqual([{ entry: 1, time: a.entry.time, from: 'a', to: 'b', amount: '5', memo: 'x' }]);
    expect(l.views.get('v/1')).toEqual({ n: '5' });
    expect(l.payouts).toEqual([{ epoch: 1, account: alice.address.toLowerCase(), cumulative: '7' }]);
  });

  it('refuses a replayed nonce with 409 and changes nothing', () => {
    const l = new MemoryLedger(protocol);
    const a = l.act(alice, { type: 'Poke', label: 'x' });
    const again = l.refusal(() => l.submit({ ...a.entry.action }, a.entry.auth));
    expect(again).toMatchObject({ status: 409, code: 'replayed', field: 'action.nonce' });
    expect(again.message).toMatch(/already used/);
  });

  it('refuses an expired action, and one that expires too far ahead', () => {
    const l = new MemoryLedger(protocol);
    const now = Math.floor(l.now / 1000);
    expect(l.refusal(() => l.act(alice, { type: 'Poke', label: 'x', expiry: now }))).toMatchObject({ status: 400, field: 'action.expiry', message: expect.stringMatching(/expired/) });
    expect(l.refusal(() => l.act(alice, { type: 'Poke', label: 'x', expiry: now + MAX_ACTION_LIFETIME_S + 1 }))).toMatchObject({
      status: 400,
      field: 'action.expiry',
      message: expect.stringMatching(/more than 604800 s ahead/),
    });
  });

  it('refuses a signature by another key, or over another chain, with 401', () => {
    const l = new MemoryLedger(protocol);
    const other = new LocalSigner(randomPrivateKey());
    const forged = { address: alice.address, sign: other.sign.bind(other) };
    expect(l.refusal(() => l.act(forged, { type: 'Poke', label: 'x' }))).toMatchObject({ status: 401, field: 'signature', message: expect.stringMatching(/not signer/) });
    const elsewhere = { address: alice.address, sign: (d: { chainId: number }, t: never, a: never) => alice.sign({ ...d, chainId: 1 } as never, t, a) };
    expect(l.refusal(() => l.act(elsewhere as never, { type: 'Poke', label: 'x' }))).toMatchObject({ status: 401, message: expect.stringMatching(/chainId 31337/) });
  });

  it('refuses what the wire schema refuses, naming the field', () => {
    const l = new MemoryLedger(protocol);
    expect(l.refusal(() => l.act(alice, { type: 'Poke', label: 'far too long' }))).toMatchObject({ status: 400, field: 'action.label', message: expect.stringMatching(/at most 8 bytes/) });
    // The schema comes before the signature: an envelope with an unknown key is refused as such.
    const auth = { scheme: 'eip712' as const, signer: alice.address, signature: '0x00' };
    expect(l.refusal(() => l.submit({ type: 'Poke', label: 'x', nonce: '1', expiry: 1, extra: 1 }, auth))).toMatchObject({ status: 400, field: 'action', message: expect.stringMatching(/extra/) });
    expect(l.refusal(() => l.submit({ type: 'Poke', label: 'x', nonce: '01', expiry: 1 }, auth))).toMatchObject({ status: 400, field: 'action.nonce', message: expect.stringMatching(/without leading zeros/) });
    expect(l.refusal(() => l.act(alice, { type: 'Nope' }))).toMatchObject({ status: 400, field: 'action.type', message: expect.stringMatching(/unknown action type "Nope"/) });
  });

  it('takes a node action only with the node key', () => {
    const l = new MemoryLedger(protocol);
    expect(l.node({ type: 'Note', topic: 't', body: 'b' }).changes).toEqual([]);
    expect(l.refusal(() => l.submit({ type: 'Note', topic: 't', body: 'b', nonce: '1' }, { scheme: 'ed25519', signature: Buffer.alloc(64).toString('base64') }))).toMatchObject({
      status: 401,
      field: 'signature',
      message: expect.stringMatching(/not signed by the node key/),
    });
    expect(l.refusal(() => l.submit({ type: 'Note', topic: 't', body: 'b', nonce: '1' }, { scheme: 'eip712', signer: alice.address, signature: '0x00' }))).toMatchObject({ status: 401 });
  });
});

describe('Genesis', () => {
  it('must be entry 0 and name play or real money', () => {
    const l = new MemoryLedger(protocol);
    expect(l.refusal(() => l.node({ type: 'Genesis', ...l.params, money: 'play' }))).toMatchObject({ status: 400, field: 'action.type', message: 'Genesis must be entry 0, not entry 1' });
    expect(() => new MemoryLedger(protocol, { money: 'gold' as never })).toThrow(/must be "play" or "real", not "gold"/);
  });

  it('defaults an old genesis without money to play money, and a log without one has none', () => {
    const l = new MemoryLedger(protocol);
    l.state.write([{ key: GENESIS_KEY, value: { ...l.params } }]);
    expect(ledgerMoney(l.state)).toBe('play');
    l.state.write([{ key: GENESIS_KEY, value: null }]);
    expect(() => ledgerMoney(l.state)).toThrow(/no genesis entry yet/);
  });
});
