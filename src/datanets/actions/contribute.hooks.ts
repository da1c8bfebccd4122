// What Contribute means on a node, besides its `apply` (contribute.ts): before
// sequencing, the content intake (the bytes sent with the action or staged by an upload,
// checked on a CPU worker against the declared hash, size and the datanet's schema) and
// the near-duplicate check under the datanet's policy; after, the FlagDuplicate
// follow-up and the datanet's attribution index catching up. Node-only work goes
// through NodeCapabilities; this file must never import node/, store/ or api/.
import { reject } from '../../protocol/errors.ts';
import type { ActionHooks, NodeCapabilities } from '../../protocol/nodeHooks.ts';
import { type DatanetRecord, DEFAULT_DUPLICATE_POLICY, type DuplicatePolicy, keys } from '../records.ts';
import { contribute, type ContributeMessage } from './contribute.ts';
import { flagDuplicate } from './flagDuplicate.ts';

/** Long spans of earlier contributions that cover a new one, above its datanet's threshold. */
interface Duplicate {
  coveredPpm: number;
  repeats: number[];
}

/** Most earlier contributions a FlagDuplicate names. */
const MAX_FLAGGED_REPEATS = 64;

export const contributeHooks: ActionHooks<ContributeMessage, Duplicate> = {
  type: contribute.type,

  contentHash(raw) {
    if (typeof raw.contentHash !== 'string') throw reject.invalid('action.contentHash', 'must be the 0x SHA-256 of the content');
    return raw.contentHash;
  },

  async prepare({ message: m, content }, node) {
    const dn = node.state.get<DatanetRecord>(keys.datanet(m.datanet));
    if (!dn) throw reject.notFound('action.datanet', `no datanet named ${m.datanet}`);
    const bytes = content ?? node.stagedBlob(m.contentHash);
    if (!bytes) throw reject.invalid('content', `no content: send it base64 in "content", or PUT /v1/blobs/${m.contentHash} first`);
    await node.checkContent(m.datanet, { contentHash: m.contentHash, size: m.size }, bytes);
    const duplicate = await duplicateCheck(node.state.get<DuplicatePolicy>(keys.duplicatePolicy(m.datanet)), m.datanet, bytes, node);
    return { blob: { hash: m.contentHash, bytes }, ...(duplicate ? { carry: duplicate } : {}) };
  },

  async after({ message: m, sequenced }, node) {
    const duplicate = sequenced?.carry;
    if (sequenced && duplicate)
      await node.submitNodeAction({ type: flagDuplicate.type, contribution: sequenced.index, coveragePpm: duplicate.coveredPpm, repeats: duplicate.repeats.slice(0, MAX_FLAGGED_REPEATS) });
    node.touchAttributionIndex(m.datanet);
  },
};

/**
 * Near-duplicate intake: how much of the new text long spans of earlier contributions
 * already cover. Above the datanet's threshold it is refused or flagged, per its policy.
 */
async function duplicateCheck(
  stored: DuplicatePolicy | undefined,
  datanet: string,
  bytes: Uint8Array,
  node: Pick<NodeCapabilities, 'coverage'>,
): Promise<Duplicate | undefined> {
  const policy = stored ?? DEFAULT_DUPLICATE_POLICY;
  if (policy.policy === 'off') return undefined;
  const cov = await node.coverage(datanet, bytes, policy.minSpan);
  if (cov.coveredPpm < policy.thresholdPpm || cov.repeats.length === 0) return undefined;
  if (policy.policy === 'reject')
    throw reject.conflict(
      'content',
      `${(cov.coveredPpm / 10_000).toFixed(1)}% of this content repeats earlier contributions ${cov.repeats.slice(0, 10).join(', ')} in ${datanet} ` +
        `(spans of ${policy.minSpan}+ tokens; this datanet refuses above ${(policy.thresholdPpm / 10_000).toFixed(1)}%); the earlier contributors keep the credit`,
      { coveragePpm: cov.coveredPpm, repeats: cov.repeats },
    );
  return cov;
}
