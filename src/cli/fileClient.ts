// The SDK with the file access only Node has: uploading a model file from disk, downloading
// one to disk (its SHA-256 checked on the way), and contributions' bytes as Buffers. The
// CLI, workers and tests use it; the SDK itself (src/client) stays free of node:* so that
// the browser runs the same client. It must never speak HTTP itself: every request is the
// SDK's.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { ApiError } from '../client/errors.ts';
import { type ModelFileInfo, TributaryClient, type UploadAuth } from '../client/client.ts';

export class TributaryFileClient extends TributaryClient {
  /**
   * Uploads a GGUF model or adapter file from disk under its SHA-256, streaming it (model
   * files are gigabytes) and reporting bytes sent, as `by`'s upload. The node validates it
   * before keeping it.
   */
  async uploadModelFile(hash: string, path: string, by: UploadAuth, onProgress?: (sent: number, total: number) => void): Promise<ModelFileInfo> {
    const { size } = statSync(path);
    return this.uploadModelBytes(hash, size, createReadStream(path, { highWaterMark: 1 << 20 }), by, onProgress);
  }

  /** Downloads a stored model or adapter file to `path`, checking its SHA-256. */
  async downloadModelFile(hash: string, path: string): Promise<void> {
    const res = await this.modelFile(hash);
    const sha = createHash('sha256');
    const out = createWriteStream(path);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      sha.update(chunk);
      if (!out.write(chunk)) await new Promise<void>((done) => out.once('drain', () => done()));
    }
    await new Promise<void>((done, fail) => out.end((e?: Error | null) => (e ? fail(e) : done())));
    const got = '0x' + sha.digest('hex');
    if (got !== hash.toLowerCase()) throw new ApiError(0, 'hash_mismatch', 'sha256', `the node sent a file whose SHA-256 is ${got}, not ${hash}`);
  }

  /** A contribution's bytes, as a Buffer. */
  override async content(id: number): Promise<Buffer> {
    const bytes = await super.content(id);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
