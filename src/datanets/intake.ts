// Intake checks on a contribution's bytes, made before it is sequenced, because the
// log entry carries only the hash: the bytes must match it, fit the node's limit, and
// be what the datanet holds (UTF-8 text, or JSONL records that satisfy its schema).
import { createHash } from 'node:crypto';
import { type ActionRejected, reject } from '../protocol/errors.ts';
import { jsonlProblem } from './recordSchema.ts';
import type { DatanetRecord } from './records.ts';

export function sha256Hex(bytes: Uint8Array): string {
  return '0x' + createHash('sha256').update(bytes).digest('hex');
}

/** Returns why these bytes cannot be this contribution, or undefined if they can. */
export function contentProblem(
  dn: DatanetRecord,
  message: { contentHash: string; size: number },
  bytes: Uint8Array,
  maxBytes: number,
): ActionRejected | undefined {
  if (bytes.length > maxBytes) return reject.tooLarge('content', `content is ${bytes.length} bytes; this node accepts at most ${maxBytes}`);
  const hash = sha256Hex(bytes);
  if (hash !== message.contentHash.toLowerCase())
    return reject.invalid('content', `content SHA-256 is ${hash}, but action.contentHash is ${message.contentHash}`);
  if (bytes.length !== message.size) return reject.invalid('action.size', `content is ${bytes.length} bytes, but action.size is ${message.size}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return reject.invalid('content', `datanet ${dn.name} holds text, and this content is not valid UTF-8 (${invalidUtf8At(bytes)})`);
  }
  if (dn.kind === 'jsonl') {
    const problem = jsonlProblem(text, dn.schema);
    if (problem) return reject.invalid('content', `JSONL record does not match datanet ${dn.name}'s schema: ${problem}`);
  }
  return undefined;
}

function invalidUtf8At(bytes: Uint8Array): string {
  // Bisect for the first prefix that fails, to point the contributor at the bad byte.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return `first bad byte near offset ${lo}`;
}
