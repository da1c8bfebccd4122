// The transparency log on the wire (the formats independent tools rely on, see
// ARCHITECTURE.md): entries as base64 leaf bytes with their leaf hashes, runs of entries,
// checkpoints, inclusion and consistency proofs, and search results. Hashes are lowercase
// hex. Shapes only, for Node and the browser; verifying proofs is src/ledger's job.
import { z } from 'zod';
import { Base64, Hex32 } from './common.ts';
import { InclusionProof } from './receipt.ts';

export { InclusionProof };

export const LogEntry = z.object({ index: z.number().int(), leafHash: Hex32, data: Base64 });
export type LogEntry = z.infer<typeof LogEntry>;

export const LogEntries = z.object({ size: z.number().int(), entries: z.array(z.object({ index: z.number().int(), data: Base64 })) });
export type LogEntries = z.infer<typeof LogEntries>;

export const SignedCheckpoints = z.object({ checkpoints: z.array(z.object({ size: z.number().int(), note: z.string() })) });
export type SignedCheckpoints = z.infer<typeof SignedCheckpoints>;

export const ConsistencyProof = z.object({ from: z.number().int(), to: z.number().int(), hashes: z.array(Hex32) });
export type ConsistencyProof = z.infer<typeof ConsistencyProof>;

export const LeafLookup = z.object({ index: z.number().int(), leafHash: Hex32 });
export type LeafLookup = z.infer<typeof LeafLookup>;

export const LogSearchResult = z.object({
  matches: z.array(LogEntry),
  scanned: z.object({ from: z.number().int(), before: z.number().int() }),
  next: z.number().int().nullable().describe('Search on with before=next for older matches; null once entry 0 was read'),
});
export type LogSearchResult = z.infer<typeof LogSearchResult>;
