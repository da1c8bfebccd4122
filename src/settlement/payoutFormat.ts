// The epoch payout format: one leaf `(address account, uint256 cumulativeAmount)` per
// account, hashed exactly as OpenZeppelin's `StandardMerkleTree.of(values, ["address",
// "uint256"])` does, and therefore as `MerkleProof.verify` in the PayoutDistributor
// contract checks it: the leaf encoding, the errors of every payout-tree module, and the
// proof verifier a claimant runs (`tributary claim`, `tributary epoch`). Pure: no threads,
// no files; the threaded builder of whole trees is payoutTree.ts. It must never change the
// format (leaf encoding, double hashing, sorted pairs): every claim already published
// on-chain depends on it. It must never hash a JavaScript `number` as money, and never
// accept an input it cannot encode exactly.
//
// The format, as the library defines it and the tests check against it:
//   leaf   = keccak256(keccak256(abi.encode(address, uint256)))   (64 encoded bytes)
//   node   = keccak256(min(a, b) ‖ max(a, b))                      (bytewise order)
//   proof  = the sibling hashes from the leaf's position up to (not including) the root.
// The array layout of a whole tree is payoutTree.ts's.
import { AddressError, normalizeAddress } from '../protocol/address.ts';
import { keccak256 } from '../protocol/keccak.ts';

export interface PayoutLeaf {
  /** 0x address in any valid case (all-lower, all-upper or EIP-55); stored lowercase. */
  account: string;
  /** Cumulative amount in token base units, 0 ≤ amount < 2^256. */
  amount: bigint;
}

const MAX_UINT256 = (1n << 256n) - 1n;
const HASH32 = /^0x[0-9a-fA-F]{64}$/;

/** Base class of every error the payout modules throw, so that callers can catch them as one. */
export class PayoutTreeError extends Error {
  override readonly name: string = 'PayoutTreeError';
}

/** A tree needs at least one leaf (the library refuses an empty one too). */
export class EmptyPayoutTreeError extends PayoutTreeError {
  override readonly name = 'EmptyPayoutTreeError';
  constructor() {
    super('a payout tree needs at least one leaf; skip the epoch root when nobody earned anything');
  }
}

/** The same account appears twice: a claim contract pays each account once per root. */
export class DuplicatePayoutAccountError extends PayoutTreeError {
  override readonly name = 'DuplicatePayoutAccountError';
  constructor(
    readonly account: string,
    readonly firstIndex: number,
    readonly index: number,
  ) {
    super(`account ${account} appears twice, at leaves ${firstIndex} and ${index}; merge its amounts into one cumulative leaf`);
  }
}

/** An amount that is not a bigint in [0, 2^256). `index` is −1 when it is not a tree leaf. */
export class PayoutAmountError extends PayoutTreeError {
  override readonly name = 'PayoutAmountError';
  constructor(
    readonly reason: 'not a bigint' | 'negative' | 'at least 2^256',
    readonly index: number,
    readonly amount: unknown,
  ) {
    const where = index >= 0 ? `leaf ${index}: ` : '';
    const shown = typeof amount === 'bigint' ? amount.toString() : `${typeof amount} ${String(amount)}`;
    super(`${where}amount ${shown} is ${reason}; a uint256 amount is a bigint from 0 to 2^256-1 base units`);
  }
}

/** An account that is not an address. `reason` is address.ts's reason; `index` −1 outside a tree build. */
export class PayoutAddressError extends PayoutTreeError {
  override readonly name = 'PayoutAddressError';
  constructor(
    readonly reason: string,
    readonly index: number,
    readonly account: unknown,
  ) {
    super(`${index >= 0 ? `leaf ${index}: ` : ''}${new AddressError(reason, account).message}`);
  }
}

/** A proof or leaf hash asked for an account the tree does not hold. */
export class UnknownPayoutAccountError extends PayoutTreeError {
  override readonly name = 'UnknownPayoutAccountError';
  constructor(readonly account: string) {
    super(`account ${account} has no leaf in this payout tree`);
  }
}

/** A root or proof element that is not a 32-byte 0x hex string. */
export class MalformedPayoutProofError extends PayoutTreeError {
  override readonly name = 'MalformedPayoutProofError';
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value) : typeof value;
    super(`${field} is ${shown}, want 0x followed by 64 hex digits`);
  }
}

/** A well-formed proof that leads to another root. */
export class PayoutProofMismatchError extends PayoutTreeError {
  override readonly name = 'PayoutProofMismatchError';
  constructor(
    readonly account: string,
    readonly amount: bigint,
    readonly computedRoot: string,
    readonly expectedRoot: string,
  ) {
    super(`the proof for ${account} with amount ${amount} leads to root ${computedRoot}, want ${expectedRoot}`);
  }
}


export function checkAmount(amount: unknown, index: number): bigint {
  if (typeof amount !== 'bigint') throw new PayoutAmountError('not a bigint', index, amount);
  if (amount < 0n) throw new PayoutAmountError('negative', index, amount);
  if (amount > MAX_UINT256) throw new PayoutAmountError('at least 2^256', index, amount);
  return amount;
}

/** The lowercase form of `account`; throws PayoutAddressError with address.ts's reason. */
export function checkAccount(account: unknown, index: number): string {
  try {
    return normalizeAddress(account);
  } catch (e) {
    if (e instanceof AddressError) throw new PayoutAddressError(e.reason, index, account);
    throw e;
  }
}

// Value of each UTF-16 code unit as a lowercase hex digit, −1 if it is not one.
const NIBBLE = new Int8Array(65536).fill(-1);
for (let c = 0; c < 16; c++) NIBBLE[c.toString(16).charCodeAt(0)] = c;

/**
 * Writes the 20 bytes of `s` at `at` if `s` is a lowercase 0x address, and says whether it
 * was. Lowercase is the spelling the protocol stores, so a build of stored accounts needs
 * no other parsing; this one loop replaces a regex, a substring and a hex decode, which
 * together took a quarter of a million-leaf build.
 */
export function writeLowerAddress(out: Buffer, at: number, s: string): boolean {
  if (s.length !== 42 || s.charCodeAt(0) !== 48 || s.charCodeAt(1) !== 120) return false;
  for (let j = 0; j < 20; j++) {
    const hi = NIBBLE[s.charCodeAt(2 + 2 * j)];
    const lo = NIBBLE[s.charCodeAt(3 + 2 * j)];
    if ((hi | lo) < 0) return false;
    out[at + j] = (hi << 4) | lo;
  }
  return true;
}

/** Writes a uint256 big-endian into the 32 zero-filled bytes at `at`. */
export function writeUint256(out: Buffer, at: number, amount: bigint): void {
  const digits = amount.toString(16);
  // From the last digit back: byte 31 takes the last two digits, and so on.
  for (let k = digits.length, b = at + 31; k > 0; k -= 2, b--) {
    out[b] = k >= 2 ? (NIBBLE[digits.charCodeAt(k - 2)] << 4) | NIBBLE[digits.charCodeAt(k - 1)] : NIBBLE[digits.charCodeAt(0)];
  }
}

/** abi.encode(address, uint256) into the 64 bytes at `off` of a zero-filled buffer; `account` lowercase. */
export function encodeLeaf(out: Buffer, off: number, account: string, amount: bigint): void {
  writeLowerAddress(out, off + 12, account);
  writeUint256(out, off + 32, amount);
}


export function payoutLeafHash(account: string, amount: bigint): string {
  return `0x${leafHashBytes(checkAccount(account, -1), checkAmount(amount, -1)).toString('hex')}`;
}

function leafHashBytes(account: string, amount: bigint): Buffer {
  const enc = Buffer.alloc(64);
  encodeLeaf(enc, 0, account, amount);
  return keccak256(keccak256(enc));
}

/** The root that `proof` leads to from the leaf of `(account, amount)`. Throws on malformed input. */
export function payoutProofRoot(account: string, amount: bigint, proof: readonly string[]): string {
  let h = leafHashBytes(checkAccount(account, -1), checkAmount(amount, -1));
  if (!Array.isArray(proof)) throw new MalformedPayoutProofError('proof', proof);
  const pair = Buffer.alloc(64);
  for (let i = 0; i < proof.length; i++) {
    const s = proof[i];
    if (typeof s !== 'string' || !HASH32.test(s)) throw new MalformedPayoutProofError(`proof[${i}]`, s);
    const sibling = Buffer.from(s.slice(2), 'hex');
    const [a, b] = Buffer.compare(h, sibling) <= 0 ? [h, sibling] : [sibling, h];
    a.copy(pair, 0);
    b.copy(pair, 32);
    h = keccak256(pair);
  }
  return `0x${h.toString('hex')}`;
}

/**
 * True when `proof` shows the leaf `(account, amount)` under `root`, as on-chain
 * `MerkleProof.verify(proof, root, leaf)` would. A well-formed proof that leads elsewhere
 * is `false`; malformed input throws (PayoutAddressError, PayoutAmountError,
 * MalformedPayoutProofError). `assertPayoutProof` says which root it led to instead.
 */
export function verifyPayoutProof(root: string, account: string, amount: bigint, proof: readonly string[]): boolean {
  if (typeof root !== 'string' || !HASH32.test(root)) throw new MalformedPayoutProofError('root', root);
  return payoutProofRoot(account, amount, proof) === root.toLowerCase();
}

/** Like verifyPayoutProof, but throws PayoutProofMismatchError (with the root it led to) instead of returning false. */
export function assertPayoutProof(root: string, account: string, amount: bigint, proof: readonly string[]): void {
  if (typeof root !== 'string' || !HASH32.test(root)) throw new MalformedPayoutProofError('root', root);
  const computed = payoutProofRoot(account, amount, proof);
  if (computed !== root.toLowerCase()) throw new PayoutProofMismatchError(checkAccount(account, -1), amount, computed, root.toLowerCase());
}
