// Content-addressed blobs (contribution bytes), kept in the database so that a
// contribution and its bytes become durable in the same transaction. A blob is
// shared by every live contribution with the same hash and deleted with the last.
// Staged blobs (uploads waiting for their Contribute) expire after a TTL.
import type { Db } from './db.ts';

/** How long a staged blob waits for its Contribute by default (TRIBUTARY_STAGED_BLOB_SECONDS). */
export const STAGED_TTL_MS = 24 * 3600 * 1000;

export class BlobStore {
  private readonly getStmt;
  private readonly retainStmt;
  private readonly releaseStmt;
  private readonly deleteDeadStmt;
  private readonly stageStmt;
  private readonly stagedStmt;
  private readonly unstageStmt;
  private readonly expireStmt;
  private readonly unownStmt;

  constructor(
    db: Db,
    private readonly stagedTtlMs = STAGED_TTL_MS,
  ) {
    this.getStmt = db.prepare<[string], { data: Buffer }>('SELECT data FROM blobs WHERE hash = ?');
    this.retainStmt = db.prepare('INSERT INTO blobs (hash, data, refs) VALUES (?, ?, 1) ON CONFLICT(hash) DO UPDATE SET refs = blobs.refs + 1');
    this.releaseStmt = db.prepare('UPDATE blobs SET refs = refs - 1 WHERE hash = ?');
    this.deleteDeadStmt = db.prepare('DELETE FROM blobs WHERE hash = ? AND refs <= 0');
    this.stageStmt = db.prepare('INSERT INTO staged_blobs (hash, data, created_at) VALUES (?, ?, ?) ON CONFLICT (hash) DO UPDATE SET data = excluded.data, created_at = excluded.created_at');
    this.stagedStmt = db.prepare<[string], { data: Buffer }>('SELECT data FROM staged_blobs WHERE hash = ?');
    this.unstageStmt = db.prepare('DELETE FROM staged_blobs WHERE hash = ?');
    this.expireStmt = db.prepare('DELETE FROM staged_blobs WHERE created_at < ?');
    // A claimed blob is no longer anyone's upload (store/uploads.ts): it stops counting against the uploader's quota.
    this.unownStmt = db.prepare("DELETE FROM uploads WHERE target = 'blob' AND hash = ?");
  }

  get(hash: string): Buffer | undefined {
    return this.getStmt.get(hash)?.data;
  }

  /** Adds a reference, storing the bytes if this is the first. */
  retain(hash: string, data: Uint8Array): void {
    this.retainStmt.run(hash, data);
    this.unstageStmt.run(hash);
    this.unownStmt.run(hash);
  }

  /** Drops a reference; the bytes go with the last one. */
  release(hash: string): void {
    this.releaseStmt.run(hash);
    this.deleteDeadStmt.run(hash);
  }

  /** Holds an upload until a signed Contribute claims it. The caller has checked the hash. */
  stage(hash: string, data: Uint8Array, now: number): void {
    // Uploads nobody claimed within the TTL are dropped, so staging cannot fill the disk forever.
    this.expireStaged(now);
    this.stageStmt.run(hash, data, now);
  }

  /** Drops staged blobs older than the TTL (also run by the node's upload sweep). */
  expireStaged(now: number): void {
    this.expireStmt.run(now - this.stagedTtlMs);
  }

  staged(hash: string): Buffer | undefined {
    return this.stagedStmt.get(hash)?.data;
  }
}
