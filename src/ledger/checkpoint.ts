// The body of a C2SP transparency-log checkpoint (c2sp.org/tlog-checkpoint): origin,
// decimal tree size, base64 root hash, then optional extension lines. Only the text: signing
// and opening it is note.ts's job. It must never produce a body another implementation would
// read differently, nor accept one with two spellings (leading zeros, loose base64, blank or
// trailing lines), since witnesses compare checkpoints byte for byte. Environment-free (no
// node:*, no Buffer): the browser's receipt check parses with this same code.
import { HASH_SIZE } from './hasher.ts';
import { decodeBase64Strict, hasLoneSurrogate, indexOfControl, toBase64 } from './encoding.ts';

export interface Checkpoint<H extends Uint8Array = Uint8Array> {
  /** The log's identity, e.g. `example.com/log42`; by convention the signing key's name. */
  readonly origin: string;
  readonly size: number;
  readonly rootHash: H;
  /** Opaque non-empty lines after the root hash, e.g. `tributary-state <base64>`. */
  readonly extensions: readonly string[];
}

export interface CheckpointInput {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: readonly string[];
}

export type CheckpointErrorCode =
  | 'malformed-checkpoint'
  | 'invalid-origin'
  | 'invalid-size'
  | 'invalid-root-hash'
  | 'invalid-extension';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;

  constructor(code: CheckpointErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** The checkpoint body, ending with a newline, ready for `signNote`. */
export function formatCheckpoint(cp: CheckpointInput): string {
  checkLine('invalid-origin', 'origin', cp.origin);
  if (typeof cp.size !== 'number' || !Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new CheckpointError('invalid-size', `tree size ${String(cp.size)} is not a non-negative safe integer`);
  }
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) {
    const got = cp.rootHash instanceof Uint8Array ? `${cp.rootHash.length} bytes` : typeof cp.rootHash;
    throw new CheckpointError('invalid-root-hash', `root hash is ${got}, want ${HASH_SIZE} bytes`);
  }
  const extensions = cp.extensions ?? [];
  extensions.forEach((line, i) => checkLine('invalid-extension', `extension line ${i + 1}`, line));
  const root = toBase64(cp.rootHash);
  return [cp.origin, String(cp.size), root, ...extensions].map((line) => `${line}\n`).join('');
}

/** Parses and validates a checkpoint body (the text `openNote` returns). */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw new CheckpointError('malformed-checkpoint', 'checkpoint is not a string');
  if (!text.endsWith('\n')) throw new CheckpointError('malformed-checkpoint', 'checkpoint does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new CheckpointError('malformed-checkpoint', `checkpoint has ${lines.length} lines, want at least 3`);
  }
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine('invalid-origin', 'origin', origin);

  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText)) {
    throw new CheckpointError(
      'invalid-size',
      `tree size ${JSON.stringify(sizeText)} is not a decimal number without sign or leading zeros`,
    );
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) {
    throw new CheckpointError('invalid-size', `tree size ${sizeText} is above 2^53 - 1, the largest this log supports`);
  }

  const rootHash = decodeBase64Strict(rootText);
  if (rootHash === undefined) {
    throw new CheckpointError('invalid-root-hash', `root hash ${JSON.stringify(rootText)} is not standard padded base64`);
  }
  if (rootHash.length !== HASH_SIZE) {
    throw new CheckpointError('invalid-root-hash', `root hash is ${rootHash.length} bytes, want ${HASH_SIZE}`);
  }

  extensions.forEach((line, i) => checkLine('invalid-extension', `extension line ${i + 1}`, line));
  return { origin, size, rootHash, extensions };
}

function checkLine(code: CheckpointErrorCode, what: string, line: string): void {
  if (typeof line !== 'string') throw new CheckpointError(code, `${what} is not a string`);
  if (line === '') throw new CheckpointError(code, `${what} is empty`);
  if (line.includes('\n')) throw new CheckpointError(code, `${what} holds a newline`);
  const control = indexOfControl(line);
  if (control >= 0) throw new CheckpointError(code, `${what} holds a control character at offset ${control}`);
  if (hasLoneSurrogate(line)) throw new CheckpointError(code, `${what} holds an unpaired surrogate (not UTF-8)`);
}
