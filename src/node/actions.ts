// The full set of action types this node speaks. The node, `verify` and the tests
// all build their Protocol from this list, so replay always knows every type.
import { datanetActions } from '../datanets/index.ts';
import { modelActions } from '../models/index.ts';
import { genesisAction, noteAction } from '../protocol/genesis.ts';
import { Protocol } from '../protocol/protocol.ts';
import { servingActions } from '../serving/index.ts';
import { settlementActions } from '../settlement/index.ts';

export function createProtocol(): Protocol {
  return new Protocol([genesisAction, noteAction, ...datanetActions, ...settlementActions, ...modelActions, ...servingActions]);
}
