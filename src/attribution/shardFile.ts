// The on-disk form of a shard: one flat little-endian file, a fixed header with a
// format version and a SHA-256 of everything after it, then 8-byte-aligned sections
// (tokenizer id, tokens, suffix array, document starts, document ids). Loading reads
// it into a SharedArrayBuffer, so query threads can share one copy. A file that fails
// its checksum or its bounds is refused, never half-used.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Shard } from './shard.ts';

const MAGIC = Buffer.from('TRBSHARD', 'latin1');
export const SHARD_FORMAT_VERSION = 1;
const HEADER = 96; // magic 8, version 4, width 4, vocab 4, idLen 4, tokens 8, docs 8, reserved 24, sha256 32

export class ShardFileError extends Error {
  override readonly name = 'ShardFileError';
}

const align8 = (n: number) => (n + 7) & ~7;

interface Layout {
  idAt: number;
  tokensAt: number;
  saAt: number;
  startsAt: number;
  idsAt: number;
  end: number;
}

function layout(idLen: number, tokens: number, width: number, docs: number): Layout {
  const idAt = HEADER;
  const tokensAt = align8(idAt + idLen);
  const saAt = align8(tokensAt + tokens * width);
  const startsAt = align8(saAt + tokens * 4);
  const idsAt = align8(startsAt + docs * 4);
  return { idAt, tokensAt, saAt, startsAt, idsAt, end: idsAt + docs * 8 };
}

export function encodeShard(shard: Shard): Buffer {
  const width = shard.tokens instanceof Uint16Array ? 2 : 4;
  const id = Buffer.from(shard.tokenizerId, 'utf8');
  const n = shard.tokens.length;
  const d = shard.docStarts.length;
  const l = layout(id.length, n, width, d);
  const buf = Buffer.alloc(l.end);
  MAGIC.copy(buf, 0);
  buf.writeUInt32LE(SHARD_FORMAT_VERSION, 8);
  buf.writeUInt32LE(width, 12);
  buf.writeUInt32LE(shard.vocabSize, 16);
  buf.writeUInt32LE(id.length, 20);
  buf.writeBigUInt64LE(BigInt(n), 24);
  buf.writeBigUInt64LE(BigInt(d), 32);
  id.copy(buf, l.idAt);
  const put = (arr: ArrayBufferView, at: number) => Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength).copy(buf, at);
  // Typed arrays are little-endian on every platform Node supports; the format says so too.
  put(shard.tokens, l.tokensAt);
  put(shard.sa, l.saAt);
  put(shard.docStarts, l.startsAt);
  put(shard.docIds, l.idsAt);
  createHash('sha256').update(buf.subarray(HEADER)).digest().copy(buf, 64);
  return buf;
}

/**
 * Writes atomically: a crash leaves either the old file or the whole new one. A failed
 * write (a full disk) removes its partial file, which would otherwise hold on to the very
 * space the node needs back.
 */
export function writeShardFile(path: string, shard: Shard): number {
  const bytes = encodeShard(shard);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      // write(2) may take less than asked (the last free blocks); the next call then fails with ENOSPC.
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return bytes.length;
}

/** Views a shard over shared memory, after checking magic, version, bounds and checksum. */
export function decodeShard(mem: Uint8Array): Shard {
  const where = (m: string) => new ShardFileError(`shard file: ${m}`);
  if (mem.length < HEADER) throw where(`${mem.length} bytes is shorter than the ${HEADER}-byte header`);
  const b = Buffer.from(mem.buffer, mem.byteOffset, mem.length);
  if (!b.subarray(0, 8).equals(MAGIC)) throw where('bad magic: not a Tributary shard');
  const version = b.readUInt32LE(8);
  if (version !== SHARD_FORMAT_VERSION) throw where(`format version ${version}, this program reads ${SHARD_FORMAT_VERSION}`);
  const width = b.readUInt32LE(12);
  if (width !== 2 && width !== 4) throw where(`token width ${width}, want 2 or 4`);
  const vocabSize = b.readUInt32LE(16);
  const idLen = b.readUInt32LE(20);
  const n = Number(b.readBigUInt64LE(24));
  const d = Number(b.readBigUInt64LE(32));
  const l = layout(idLen, n, width, d);
  if (l.end !== mem.length) throw where(`size ${mem.length} bytes, the header implies ${l.end}`);
  const sum = createHash('sha256').update(b.subarray(HEADER)).digest();
  if (!sum.equals(b.subarray(64, 96))) throw where('checksum mismatch: the file is corrupt');
  if (mem.byteOffset % 8 !== 0) throw where('buffer is not 8-byte aligned');
  const base = mem.byteOffset;
  const buf = mem.buffer;
  return {
    tokenizerId: b.toString('utf8', l.idAt, l.idAt + idLen),
    vocabSize,
    tokens: width === 2 ? new Uint16Array(buf, base + l.tokensAt, n) : new Uint32Array(buf, base + l.tokensAt, n),
    sa: new Int32Array(buf, base + l.saAt, n),
    docStarts: new Uint32Array(buf, base + l.startsAt, d),
    docIds: new Float64Array(buf, base + l.idsAt, d),
  };
}

/** Reads a shard file into a SharedArrayBuffer and views it. */
export function readShardFile(path: string): Shard {
  const size = statSync(path).size;
  const mem = new Uint8Array(new SharedArrayBuffer(size));
  const fd = openSync(path, 'r');
  try {
    let at = 0;
    while (at < size) {
      const got = readSync(fd, mem, at, size - at, at);
      if (got === 0) throw new ShardFileError(`shard file ${path}: ended after ${at} of ${size} bytes`);
      at += got;
    }
  } finally {
    closeSync(fd);
  }
  try {
    return decodeShard(mem);
  } catch (e) {
    throw new ShardFileError(`${path}: ${(e as Error).message}`);
  }
}
