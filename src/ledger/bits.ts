// Bit arithmetic on tree sizes and indices up to 2^53 - 1. JavaScript's bitwise operators
// truncate to 32 bits, so tree code must never apply them to a size or index directly: a
// log passes 2^32 leaves long before it passes Number.MAX_SAFE_INTEGER. These helpers split
// a number into 32-bit halves instead. They trust their callers to pass safe non-negative
// integers; validation happens at the public boundary of tree.ts and proof.ts.

const TWO_32 = 2 ** 32;

function popCount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Number of bits needed to write x: 0 for 0, 1 for 1, 3 for 7, 4 for 8. */
export function bitLength(x: number): number {
  if (x >= TWO_32) return 32 + (32 - Math.clz32(Math.floor(x / TWO_32)));
  return 32 - Math.clz32(x);
}

/** Number of set bits in x. */
export function popCount(x: number): number {
  return popCount32(Math.floor(x / TWO_32)) + popCount32(x >>> 0);
}

/** Number of trailing zero bits in x; x must be positive. */
export function trailingZeros(x: number): number {
  const lo = x >>> 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  return 32 + trailingZeros(Math.floor(x / TWO_32));
}

/** a XOR b. */
export function xor(a: number, b: number): number {
  const hi = (Math.floor(a / TWO_32) ^ Math.floor(b / TWO_32)) >>> 0;
  const lo = ((a >>> 0) ^ (b >>> 0)) >>> 0;
  return hi * TWO_32 + lo;
}

/** x shifted right by n bits (floor(x / 2^n)). */
export function shiftRight(x: number, n: number): number {
  return Math.floor(x / 2 ** n);
}

/** True when x is a safe integer >= 0: the only values a size or an index may take. */
export function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
