// The full set of action types this node speaks, and their node-side hooks. The node,
// `verify` and the tests all build their Protocol from this list, so replay always
// knows every type; the node runs each type's hooks (prepare, after) by looking them up
// here, never by naming a type.
import { datanetActions, datanetHooks } from '../datanets/index.ts';
import { modelActions, modelHooks } from '../models/index.ts';
import { genesisAction, noteAction } from '../protocol/genesis.ts';
import type { ActionHooks } from '../protocol/nodeHooks.ts';
import { Protocol } from '../protocol/protocol.ts';
import { servingActions } from '../serving/index.ts';
import { settlementActions, settlementHooks } from '../settlement/index.ts';

export function createProtocol(): Protocol {
  return new Protocol([genesisAction, noteAction, ...datanetActions, ...settlementActions, ...modelActions, ...servingActions]);
}

/** Each action type's hooks, by type; a hook for a type the protocol does not define is a wiring mistake, caught at start. */
export function createHooks(protocol: Protocol, all: readonly ActionHooks[] = [...datanetHooks, ...settlementHooks, ...modelHooks]): ReadonlyMap<string, ActionHooks> {
  const known = new Set(protocol.definitions().map((d) => d.type));
  const hooks = new Map<string, ActionHooks>();
  for (const h of all) {
    if (!known.has(h.type)) throw new Error(`node hooks for action type ${h.type}, which the protocol does not define`);
    if (hooks.has(h.type)) throw new Error(`two sets of node hooks for action type ${h.type}`);
    hooks.set(h.type, h);
  }
  return hooks;
}
