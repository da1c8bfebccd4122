// The body of a C2SP checkpoint (c2sp.org/tlog-checkpoint), read in the browser: origin,
// tree size, root hash, extension lines. Only ever given text whose signature note.ts has
// checked; it must read exactly what src/ledger/checkpoint.ts writes and nothing looser.
import { fromBase64 } from './bytes.ts';

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions: string[];
}

export class CheckpointCheckError extends Error {
  override readonly name = 'CheckpointCheckError';
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointCheckError('the checkpoint does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new CheckpointCheckError(`the checkpoint has ${lines.length} lines, want at least 3 (origin, size, root)`);
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '') throw new CheckpointCheckError('the checkpoint origin is empty');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText)))
    throw new CheckpointCheckError(`the tree size ${JSON.stringify(sizeText)} is not a decimal number below 2^53`);
  const rootHash = fromBase64(rootText);
  if (rootHash === undefined || rootHash.length !== 32) throw new CheckpointCheckError(`the root hash ${JSON.stringify(rootText)} is not 32 bytes in standard base64`);
  const empty = extensions.findIndex((l) => l === '');
  if (empty >= 0) throw new CheckpointCheckError(`extension line ${empty + 1} is empty`);
  return { origin, size: Number(sizeText), rootHash, extensions };
}
