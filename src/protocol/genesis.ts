// The actions every log has whatever domains it serves: the genesis entry, which fixes
// the protocol parameters for replay and the colour of the ledger's money, and a node
// note, a free-form node-signed record (used for announcements and for measuring raw
// append speed).
//
// A ledger's money is play money or real money from its genesis on, and never both:
// play money comes only from the dev faucet and can never leave the ledger; real money
// comes only from deposits on the chain the ledger is bound to, and only it is ever paid
// out on chain. Mixing them would let faucet credit drain other people's deposits.
import type { ActionDefinition, ProtocolParams } from './action.ts';
import { reject } from './errors.ts';
import type { StateReader } from './state.ts';

export const GENESIS_KEY = 'genesis';

/** What a ledger's money is, fixed by its genesis entry. */
export type MoneyKind = 'play' | 'real';
export const MONEY_KINDS: readonly MoneyKind[] = ['play', 'real'];

/** The ledger's money, as its genesis fixed it. */
export function ledgerMoney(state: StateReader): MoneyKind {
  const g = state.get<{ money?: MoneyKind }>(GENESIS_KEY);
  if (!g) throw reject.invalid('action.type', 'the log has no genesis entry yet');
  return g.money ?? 'play';
}

export const genesisAction: ActionDefinition<{ origin: string; chainId: number; nodeKey: string; money: string }> = {
  type: 'Genesis',
  signer: 'node',
  description: "The first entry of every log: fixes the origin, EIP-712 chain id and node key, and whether the ledger's money is play money (dev faucet, never paid out) or real money (chain deposits only).",
  fields: [
    { name: 'origin', type: 'string', max: 200 },
    { name: 'chainId', type: 'uint64' },
    { name: 'nodeKey', type: 'string', max: 300 },
    { name: 'money', type: 'string', max: 8, description: '"play" or "real"' },
  ],
  apply(ctx, m) {
    if (ctx.index !== 0) throw reject.invalid('action.type', `Genesis must be entry 0, not entry ${ctx.index}`);
    if (!(MONEY_KINDS as readonly string[]).includes(m.money)) throw reject.invalid('action.money', `must be "play" or "real", not ${JSON.stringify(m.money)}`);
    const params: ProtocolParams = { origin: m.origin, chainId: m.chainId, nodeKey: m.nodeKey };
    return { changes: [{ key: GENESIS_KEY, value: { ...params, money: m.money } }] };
  },
};

export const noteAction: ActionDefinition<{ topic: string; body: string }> = {
  type: 'Note',
  signer: 'node',
  description: 'A free-form record signed by the node.',
  fields: [
    { name: 'topic', type: 'string', max: 100 },
    { name: 'body', type: 'string', max: 65536 },
  ],
  apply() {
    return { changes: [] };
  },
};
