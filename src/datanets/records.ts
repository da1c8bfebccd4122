// The datanet records kept in protocol state, and the keys they live under. One place
// defines the key layout so that actions, queries and tests agree on it.
import { pad, type StateReader } from '../protocol/state.ts';

export type DatanetKind = 'text' | 'jsonl';
export type CurationPolicy = 'open' | 'curated';
export type ContributionStatus = 'pending' | 'accepted' | 'rejected' | 'withdrawn';

export interface DatanetRecord {
  name: string;
  description: string;
  license: string;
  kind: DatanetKind;
  /** JSON Schema (as text) every JSONL record must satisfy; empty for text datanets. */
  schema: string;
  policy: CurationPolicy;
  /** Who may accept or reject; the owner always may. */
  curators: string[];
  owner: string;
  createdAt: number;
  time: number;
}

export interface DatanetCounts {
  pending: number;
  accepted: number;
  rejected: number;
  withdrawn: number;
  snapshots: number;
}

export interface ContributionRecord {
  id: number;
  datanet: string;
  author: string;
  contentHash: string;
  size: number;
  fileName: string;
  mediaType: string;
  status: ContributionStatus;
  reason: string;
  decidedBy: string | null;
  time: number;
  /** Set by a FlagDuplicate: the earlier contributions this one repeats, and how much. */
  duplicateOf?: number[];
  coveragePpm?: number;
}

export interface DuplicatePolicy {
  policy: 'off' | 'flag' | 'reject';
  thresholdPpm: number;
  minSpan: number;
}

/** Without a SetDuplicatePolicy, near-duplicates are not checked. */
export const DEFAULT_DUPLICATE_POLICY: DuplicatePolicy = { policy: 'off', thresholdPpm: 500_000, minSpan: 32 };

export interface SnapshotRecord {
  datanet: string;
  version: number;
  /** Log size at which the snapshot was taken: it covers entries [0, logSize). */
  logSize: number;
  time: number;
  /** RFC 9162 root over the accepted contributions, in id order (see snapshotRoot.ts). */
  root: string;
  count: number;
  bytes: number;
  contributions: number[];
}

export const keys = {
  datanet: (name: string) => `datanet/${name}`,
  datanetPrefix: 'datanet/',
  counts: (name: string) => `dn/${name}/counts`,
  contribution: (name: string, id: number) => `dn/${name}/c/${pad(id)}`,
  contributionPrefix: (name: string) => `dn/${name}/c/`,
  byHash: (name: string, hash: string) => `dn/${name}/h/${hash}`,
  snapshot: (name: string, version: number) => `dn/${name}/s/${pad(version)}`,
  snapshotPrefix: (name: string) => `dn/${name}/s/`,
  duplicatePolicy: (name: string) => `dn/${name}/dup`,
  /** Contribution id → datanet name, so that an id alone finds its record. */
  owner: (id: number) => `contribution/${pad(id)}`,
};

export function emptyCounts(): DatanetCounts {
  return { pending: 0, accepted: 0, rejected: 0, withdrawn: 0, snapshots: 0 };
}

export function findContribution(state: StateReader, id: number): ContributionRecord | undefined {
  const dn = state.get<string>(keys.owner(id));
  if (dn === undefined) return undefined;
  return state.get<ContributionRecord>(keys.contribution(dn, id));
}

export function isCurator(dn: DatanetRecord, account: string): boolean {
  return dn.owner === account || dn.curators.includes(account);
}
