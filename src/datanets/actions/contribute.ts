// Contribute: an account adds one file to a datanet. The entry records the content's
// SHA-256, never the content: the bytes live in the blob store, so an opt-out can
// delete them while the log keeps its proof that they were given. Content checks
// (hash, UTF-8, schema) happen at intake, before sequencing; see intake.ts.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { extensionOf, fileNameProblem, mediaTypeFor } from '../fileNames.ts';
import { type ContributionRecord, type DatanetCounts, type DatanetRecord, keys } from '../records.ts';

export interface ContributeMessage {
  datanet: string;
  contentHash: string;
  size: number;
  fileName: string;
}

export const contribute: ActionDefinition<ContributeMessage> = {
  type: 'Contribute',
  signer: 'user',
  description: 'Contribute one file to a datanet. contentHash is the SHA-256 of the exact bytes.',
  fields: [
    { name: 'datanet', type: 'string', max: 63 },
    { name: 'contentHash', type: 'bytes32', description: 'SHA-256 of the content, 0x hex' },
    { name: 'size', type: 'uint64', description: 'Content length in bytes' },
    { name: 'fileName', type: 'string', max: 255, description: 'A bare file name ending .txt, .md, .csv or .jsonl' },
  ],
  apply(ctx, m) {
    const dn = ctx.state.get<DatanetRecord>(keys.datanet(m.datanet));
    if (!dn) throw reject.notFound('action.datanet', `no datanet named ${m.datanet}`);
    const problem = fileNameProblem(m.fileName);
    if (problem) throw reject.invalid('action.fileName', problem);
    const mediaType = mediaTypeFor(m.fileName);
    if (!mediaType) throw reject.invalid('action.fileName', `extension ${extensionOf(m.fileName) || '(none)'} is not one of .txt, .md, .csv, .jsonl`);
    if (dn.kind === 'jsonl' && mediaType !== 'application/jsonl')
      throw reject.invalid('action.fileName', `datanet ${dn.name} holds JSONL records: send a .jsonl file`);
    if (dn.kind === 'text' && mediaType === 'application/jsonl')
      throw reject.invalid('action.fileName', `datanet ${dn.name} holds text: send .txt, .md or .csv`);
    if (m.size === 0) throw reject.invalid('action.size', 'content must not be empty');
    const original = ctx.state.get<number>(keys.byHash(m.datanet, m.contentHash));
    if (original !== undefined)
      throw reject.conflict('action.contentHash', `the same content is already contribution ${original} in ${m.datanet}; the first contributor keeps the credit`, {
        original,
      });
    const counts = ctx.state.get<DatanetCounts>(keys.counts(m.datanet))!;
    const status = dn.policy === 'open' ? 'accepted' : 'pending';
    const record: ContributionRecord = {
      id: ctx.index,
      datanet: m.datanet,
      author: ctx.signer,
      contentHash: m.contentHash,
      size: m.size,
      fileName: m.fileName,
      mediaType,
      status,
      reason: '',
      decidedBy: null,
      time: ctx.time,
    };
    return {
      changes: [
        { key: keys.contribution(m.datanet, ctx.index), value: { ...record } },
        { key: keys.owner(ctx.index), value: m.datanet },
        { key: keys.byHash(m.datanet, m.contentHash), value: ctx.index },
        { key: keys.counts(m.datanet), value: { ...counts, [status]: counts[status] + 1 } },
      ],
      effects: [{ kind: 'retainBlob', hash: m.contentHash }],
      result: { contribution: ctx.index, status },
    };
  },
};
