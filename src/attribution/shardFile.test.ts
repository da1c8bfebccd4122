import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildShard } from './shard.ts';
import { decodeShard, encodeShard, readShardFile, writeShardFile } from './shardFile.ts';

const docs = [
  { id: 7, tokens: [1, 2, 3, 4] },
  { id: 3, tokens: [4, 3, 2] },
  { id: 12, tokens: [] },
];

describe('shard files', () => {
  it('round-trip into shared memory, byte for byte', () => {
    for (const vocab of [10, 70_000]) {
      const shard = buildShard(docs, vocab, 'tok:test');
      const dir = mkdtempSync(join(tmpdir(), 'shard-'));
      const path = join(dir, 's.bin');
      writeShardFile(path, shard);
      const back = readShardFile(path);
      expect(back.tokens.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(back.tokens).toBeInstanceOf(vocab < 65_535 ? Uint16Array : Uint32Array);
      expect(Array.from(back.tokens)).toEqual(Array.from(shard.tokens));
      expect(Array.from(back.sa)).toEqual(Array.from(shard.sa));
      expect(Array.from(back.docIds)).toEqual([3, 7, 12]);
      expect(back.tokenizerId).toBe('tok:test');
      expect(encodeShard(back).equals(readFileSync(path))).toBe(true);
    }
  });

  it('refuses a flipped byte, a truncated file and a wrong magic, saying which', () => {
    const bytes = encodeShard(buildShard(docs, 10, 'tok:test'));
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3] ^= 1;
    expect(() => decodeShard(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeShard(bytes.subarray(0, bytes.length - 8))).toThrow(/header implies/);
    const magic = Buffer.from(bytes);
    magic[0] = 0;
    expect(() => decodeShard(magic)).toThrow(/bad magic/);
    const dir = mkdtempSync(join(tmpdir(), 'shard-'));
    writeFileSync(join(dir, 'bad.bin'), flipped);
    expect(() => readShardFile(join(dir, 'bad.bin'))).toThrow(/bad\.bin: shard file: checksum/);
  });
});
