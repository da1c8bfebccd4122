// GPT-2's byte-level alphabet: each of the 256 byte values is written as one printable character
// in vocabulary and merge strings (printable Latin-1 bytes stand for themselves, the other 68 are
// shifted to U+0100 and up, so a space is "Ġ" and a newline "Ċ"). Byte-level BPE works on bytes;
// this table is how the vocabulary's strings are turned into bytes and back. It must never
// change: it is part of the vocabulary format.

function build(): Uint16Array {
  const map = new Uint16Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b += 1) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    map[b] = printable ? b : 0x100 + shifted++;
  }
  return map;
}

/** The code point that stands for each byte. */
export const BYTE_TO_CODE_POINT: Uint16Array = build();

/** The byte each of those code points stands for, or -1; indexed by code point below 0x144. */
export const CODE_POINT_TO_BYTE: Int16Array = (() => {
  const inverse = new Int16Array(0x144).fill(-1);
  BYTE_TO_CODE_POINT.forEach((cp, b) => {
    inverse[cp] = b;
  });
  return inverse;
})();

/** The vocabulary string of a byte sequence ("Ġhello" for " hello"). */
export function bytesToVocabString(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 1) s += String.fromCharCode(BYTE_TO_CODE_POINT[bytes[i]!]!);
  return s;
}
