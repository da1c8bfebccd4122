// CreateDatanet: an account opens a community dataset with its licence, kind and
// curation policy. Names are unique and permanent. A JSONL datanet's schema is compiled
// by the node at intake (it must compile, its patterns must run on RE2); apply checks
// only what is cheap and bounds what that compile costs.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { parseRecordSchema, RecordSchemaError } from '../recordSchema.ts';
import { type CurationPolicy, type DatanetKind, type DatanetRecord, emptyCounts, keys } from '../records.ts';

export const DATANET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface CreateDatanetMessage {
  name: string;
  description: string;
  license: string;
  kind: string;
  schema: string;
  policy: string;
  curators: string[];
}

export const createDatanet: ActionDefinition<CreateDatanetMessage> = {
  type: 'CreateDatanet',
  signer: 'user',
  description: 'Create a datanet. kind "text" takes .txt/.md/.csv files; kind "jsonl" takes JSONL records checked against `schema`.',
  fields: [
    { name: 'name', type: 'string', max: 63, description: 'Unique name: lowercase letters, digits and -, at most 63' },
    { name: 'description', type: 'string', max: 4096 },
    { name: 'license', type: 'string', max: 100, description: 'Licence of the contributed data, e.g. an SPDX id' },
    { name: 'kind', type: 'string', max: 16, description: '"text" or "jsonl"' },
    { name: 'schema', type: 'string', max: 65536, description: 'JSON Schema (as text) for jsonl datanets; "" for text' },
    { name: 'policy', type: 'string', max: 16, description: '"open" (accepted on arrival) or "curated" (curators accept)' },
    { name: 'curators', type: 'address[]', max: 64, description: 'Accounts that may accept or reject, besides the owner' },
  ],
  apply(ctx, m) {
    if (!DATANET_NAME.test(m.name))
      throw reject.invalid('action.name', 'must be 1-63 lowercase letters, digits or -, starting with a letter or digit');
    if (ctx.state.get(keys.datanet(m.name)) !== undefined)
      throw reject.conflict('action.name', `datanet ${m.name} already exists`);
    if (m.kind !== 'text' && m.kind !== 'jsonl') throw reject.invalid('action.kind', 'must be "text" or "jsonl"');
    if (m.policy !== 'open' && m.policy !== 'curated') throw reject.invalid('action.policy', 'must be "open" or "curated"');
    if (m.license.trim() === '') throw reject.invalid('action.license', 'must name a licence');
    if (m.kind === 'jsonl') {
      if (m.schema === '') throw reject.invalid('action.schema', 'a jsonl datanet needs a JSON Schema for its records');
      // The cheap checks only: the node compiled the schema at intake, off the event loop (node/cpuTasks.ts).
      try {
        parseRecordSchema(m.schema);
      } catch (e) {
        if (e instanceof RecordSchemaError) throw reject.invalid('action.schema', e.message);
        throw e;
      }
    } else if (m.schema !== '') throw reject.invalid('action.schema', 'a text datanet takes no schema; send ""');
    const curators = [...new Set(m.curators)];
    if (curators.length !== m.curators.length) throw reject.invalid('action.curators', 'lists an account twice');
    const record: DatanetRecord = {
      name: m.name,
      description: m.description,
      license: m.license,
      kind: m.kind as DatanetKind,
      schema: m.schema,
      policy: m.policy as CurationPolicy,
      curators,
      owner: ctx.signer,
      createdAt: ctx.index,
      time: ctx.time,
    };
    return {
      changes: [
        { key: keys.datanet(m.name), value: { ...record } },
        { key: keys.counts(m.name), value: { ...emptyCounts() } },
      ],
      result: { datanet: m.name },
    };
  },
};
