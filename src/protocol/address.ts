// EVM account addresses: parsing, EIP-55 checksums and the one spelling the protocol
// stores (lowercase 0x hex), so that an address compares equal to itself whatever case
// a wallet wrote it in. Never accepts an address whose mixed case is a wrong checksum:
// that is how EIP-55 catches a mistyped address.
import { keccak256Utf8 } from './keccak.ts';

/** Why a string is not an address. `reason` is the message without the offending value. */
export class AddressError extends Error {
  override readonly name = 'AddressError';
  constructor(
    readonly reason: string,
    readonly value: unknown,
  ) {
    super(`invalid address ${describe(value)}: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  return JSON.stringify(value.length > 50 ? `${value.slice(0, 50)}…` : value);
}

const HEX40 = /^[0-9a-fA-F]{40}$/;
const LOWER = /^[0-9a-f]{40}$/;
const UPPER = /^[0-9A-F]{40}$/;

/** The reason `s` is not an address, or undefined if it is one. */
function problem(s: unknown): string | undefined {
  if (typeof s !== 'string') return 'not a string';
  if (!s.startsWith('0x')) return s.startsWith('0X') ? 'prefix must be lowercase "0x"' : 'missing "0x" prefix';
  const hex = s.slice(2);
  if (!HEX40.test(hex)) {
    const bad = /[^0-9a-fA-F]/.exec(hex);
    if (bad) return `non-hex character ${JSON.stringify(bad[0])} at position ${bad.index + 2}`;
    return `${hex.length} hex digits, want 40`;
  }
  // All one case carries no checksum (EIP-55); mixed case must be exactly the checksum.
  if (LOWER.test(hex) || UPPER.test(hex)) return undefined;
  const want = checksum(hex.toLowerCase());
  if (want !== s) return `EIP-55 checksum mismatch (the checksummed form is ${want})`;
  return undefined;
}

/** EIP-55: uppercase each letter whose nibble in keccak256(lowercase hex) is ≥ 8. */
function checksum(lowerHex: string): string {
  const hash = keccak256Utf8(lowerHex);
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lowerHex[i];
    const nibble = (hash[i >> 1] >> (i & 1 ? 0 : 4)) & 0xf;
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** True when `s` is 0x followed by 40 hex digits, all one case or a valid EIP-55 checksum. */
export function isAddress(s: unknown): s is string {
  return problem(s) === undefined;
}

/** Throws AddressError with the reason unless `s` is an address. */
export function assertAddress(s: unknown): asserts s is string {
  const why = problem(s);
  if (why !== undefined) throw new AddressError(why, s);
}

/** The lowercase 0x form the protocol stores and compares. Throws AddressError. */
export function normalizeAddress(s: unknown): string {
  assertAddress(s);
  return s.toLowerCase();
}

/** The EIP-55 checksummed form of a valid address (any case in, mixed case out). Throws AddressError. */
export function toChecksumAddress(s: string): string {
  assertAddress(s);
  return checksum(s.slice(2).toLowerCase());
}
