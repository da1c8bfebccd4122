// Model files (GGUF base models and LoRA adapters) on disk, named by their SHA-256, so a
// file's name is its identity and llama.cpp's per-path adapter cache can never serve
// stale weights. An upload streams to a temporary file while it is hashed and counted;
// only a caller that has checked it moves it into place, atomically. Never keeps a file
// whose bytes do not hash to its name.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

export class UploadError extends Error {
  override readonly name = 'UploadError';
  constructor(
    readonly kind: 'too_large' | 'hash_mismatch',
    message: string,
  ) {
    super(message);
  }
}

export interface Received {
  /** Where the bytes wait until `keep` or `discard`. */
  tempPath: string;
  hash: string;
  size: number;
}

export class ModelFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'models');
    // Uploads cut short by a crash leave partial files: nothing can claim them, so they go.
    rmSync(join(this.dir, 'incoming'), { recursive: true, force: true });
    mkdirSync(join(this.dir, 'incoming'), { recursive: true, mode: 0o700 });
  }

  /** The path of a stored file (0x-prefixed or bare lowercase hex hash). */
  path(hash: string): string {
    return join(this.dir, `${hash.replace(/^0x/, '').toLowerCase()}.gguf`);
  }

  has(hash: string): boolean {
    return existsSync(this.path(hash));
  }

  size(hash: string): number {
    return statSync(this.path(hash)).size;
  }

  /** Streams an upload to a temporary file, refusing it past `maxBytes` or if it does not hash to `expected`. */
  async receive(body: Readable, expected: string, maxBytes: number): Promise<Received> {
    const tempPath = join(this.dir, 'incoming', `${randomBytes(8).toString('hex')}.part`);
    const sha = createHash('sha256');
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) return done(new UploadError('too_large', `the file is larger than this node accepts (${maxBytes} bytes)`));
        sha.update(chunk);
        done(null, chunk);
      },
    });
    const out = createWriteStream(tempPath, { mode: 0o600 });
    try {
      await pipeline(body, counter, out);
    } catch (e) {
      // The file may still be opening when the pipeline fails: remove it only once closed.
      if (!out.closed) await new Promise<void>((done) => out.once('close', () => done()));
      rmSync(tempPath, { force: true });
      throw e;
    }
    const hash = '0x' + sha.digest('hex');
    if (hash !== expected.toLowerCase()) {
      rmSync(tempPath, { force: true });
      throw new UploadError('hash_mismatch', `the file's SHA-256 is ${hash}, not ${expected.toLowerCase()}`);
    }
    return { tempPath, hash, size };
  }

  /** Moves a checked upload into place (a no-op if the same bytes are already stored). */
  keep(r: Received): string {
    const final = this.path(r.hash);
    if (existsSync(final)) rmSync(r.tempPath, { force: true });
    else renameSync(r.tempPath, final);
    return final;
  }

  discard(r: Received): void {
    rmSync(r.tempPath, { force: true });
  }

  /** Every stored file: its hash and when it was last written (a rename keeps the upload's time). */
  list(): Array<{ hash: string; mtimeMs: number; size: number }> {
    const out = [];
    for (const name of readdirSync(this.dir)) {
      const m = /^([0-9a-f]{64})\.gguf$/.exec(name);
      if (!m) continue;
      try {
        const st = statSync(join(this.dir, name));
        out.push({ hash: '0x' + m[1], mtimeMs: st.mtimeMs, size: st.size });
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  /**
   * Whether the file is here; if so, marks it used now, so that the sweep of unreferenced
   * files leaves it alone while a registration that names it is checked and sequenced.
   */
  claim(hash: string): boolean {
    try {
      const now = new Date();
      utimesSync(this.path(hash), now, now);
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes a stored file (the sweep's job: only files nothing references). */
  remove(hash: string): void {
    rmSync(this.path(hash), { force: true });
  }
}
