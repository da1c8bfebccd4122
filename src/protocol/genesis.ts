// The actions every log has whatever domains it serves: the genesis entry, which fixes
// the protocol parameters for replay, and a node note, a free-form node-signed record
// (used for announcements and for measuring raw append speed).
import type { ActionDefinition, ProtocolParams } from './action.ts';
import { reject } from './errors.ts';

export const GENESIS_KEY = 'genesis';

export const genesisAction: ActionDefinition<{ origin: string; chainId: number; nodeKey: string }> = {
  type: 'Genesis',
  signer: 'node',
  description: 'The first entry of every log: fixes the origin, EIP-712 chain id and node key.',
  fields: [
    { name: 'origin', type: 'string', max: 200 },
    { name: 'chainId', type: 'uint64' },
    { name: 'nodeKey', type: 'string', max: 300 },
  ],
  apply(ctx, m) {
    if (ctx.index !== 0) throw reject.invalid('action.type', `Genesis must be entry 0, not entry ${ctx.index}`);
    const params: ProtocolParams = { origin: m.origin, chainId: m.chainId, nodeKey: m.nodeKey };
    return { changes: [{ key: GENESIS_KEY, value: { ...params } }] };
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
