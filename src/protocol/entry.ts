// The log entry: exactly the bytes a leaf commits to. An entry is the RFC 8785
// canonical JSON of the signed action, its signature and the sequenced index and time,
// so any tool can re-derive the leaf hash and re-check the signature. Never put
// anything here that replay cannot reproduce from the entry itself.
import { canonicalBytes } from './canonical.ts';
import type { JsonValue } from './state.ts';

export const ENTRY_VERSION = 1;

export type ActionMessage = { type: string } & { [field: string]: JsonValue };

export type EntryAuth =
  /** An EVM account's EIP-712 signature (65 bytes r‖s‖v, 0x hex). */
  | { scheme: 'eip712'; signer: string; signature: string }
  /** The node's Ed25519 signature (base64) over `nodeSigningBytes(action)`. */
  | { scheme: 'ed25519'; signature: string };

export interface Entry {
  v: typeof ENTRY_VERSION;
  index: number;
  time: number;
  action: ActionMessage;
  auth: EntryAuth;
  /**
   * Facts the node measured about a user's action before sequencing it, which `apply`
   * needs but cannot compute from state (e.g. the token counts of a model's training
   * contributions, measured from their bytes). The signed checkpoint covers them, so
   * they are the node's attestation, and replay reads them from the entry.
   */
  attest?: { [k: string]: JsonValue };
}

export function encodeEntry(entry: Entry): Buffer {
  return canonicalBytes(entry as unknown as JsonValue);
}

export class EntryFormatError extends Error {
  override readonly name = 'EntryFormatError';
}

/** Parses leaf bytes and insists they are the canonical encoding of a well-formed entry. */
export function decodeEntry(bytes: Uint8Array): Entry {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new EntryFormatError(`entry is not UTF-8 JSON: ${(e as Error).message}`);
  }
  const e = value as Partial<Entry>;
  if (typeof e !== 'object' || e === null) throw new EntryFormatError('entry is not a JSON object');
  if (e.v !== ENTRY_VERSION) throw new EntryFormatError(`entry version is ${String(e.v)}, want ${ENTRY_VERSION}`);
  if (!Number.isSafeInteger(e.index) || (e.index as number) < 0) throw new EntryFormatError('entry index is not a non-negative integer');
  if (!Number.isSafeInteger(e.time)) throw new EntryFormatError('entry time is not an integer');
  if (typeof e.action !== 'object' || e.action === null || typeof e.action.type !== 'string')
    throw new EntryFormatError('entry action has no type');
  const auth = e.auth as EntryAuth | undefined;
  if (!auth || (auth.scheme !== 'eip712' && auth.scheme !== 'ed25519') || typeof auth.signature !== 'string')
    throw new EntryFormatError('entry auth is not eip712 or ed25519');
  if (auth.scheme === 'eip712' && typeof auth.signer !== 'string') throw new EntryFormatError('entry auth has no signer');
  if (e.attest !== undefined && (typeof e.attest !== 'object' || e.attest === null || Array.isArray(e.attest)))
    throw new EntryFormatError('entry attest is not a JSON object');
  const canonical = canonicalBytes(value as JsonValue);
  if (!canonical.equals(Buffer.from(bytes))) throw new EntryFormatError('entry bytes are not RFC 8785 canonical JSON');
  return e as Entry;
}

/** What the node signs for its own actions: domain-separated, so the signature means nothing elsewhere. */
export function nodeSigningBytes(chainId: number, action: ActionMessage): Buffer {
  return Buffer.concat([
    Buffer.from(`tributary node action\n${chainId}\n`, 'utf8'),
    canonicalBytes(action as JsonValue),
  ]);
}
