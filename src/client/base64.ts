// Bytes as base64 for a JSON body (inline content of an action), in Node and in a browser.
// Node's Buffer is used where there is one (it is several times faster); elsewhere btoa,
// in chunks so a large file never overflows the argument list of String.fromCharCode.
// It must never import node:* (the SDK runs in browsers).

type BufferLike = { from(b: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string } };

/** Standard base64 (RFC 4648 §4, padded), as `Buffer.toString('base64')` writes it. */
export function bytesToBase64(bytes: Uint8Array, nodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
