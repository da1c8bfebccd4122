// Who holds which uploaded bytes: one row per (target, hash, account) for every model file
// and staged blob an account uploaded, so that an account's upload quota can be summed and
// files nobody references can be found and swept; and the nonces of upload intents already
// used. Node-local bookkeeping beside the files, never part of the log or of state. It
// decides nothing: the quota and the sweep's rules are the caller's.
import type { Db } from './db.ts';

export type UploadTargetName = 'model-file' | 'blob';

export class UploadStore {
  private readonly heldStmt;
  private readonly recordStmt;
  private readonly useNonceStmt;
  private readonly pruneNoncesStmt;
  private readonly newestStmt;
  private readonly forgetStmt;
  private readonly pruneBlobRowsStmt;
  private readonly holdsStmt;

  constructor(db: Db) {
    // A staged blob counts while it waits; once a Contribute claims it (or it expires) it is
    // no longer an upload, so only rows whose blob is still staged are summed.
    this.heldStmt = db.prepare<[string], { held: number | string | null }>(
      `SELECT CAST(COALESCE(SUM(u.size), 0) AS BIGINT) AS held FROM uploads u WHERE u.account = ?
         AND (u.target = 'model-file' OR EXISTS (SELECT 1 FROM staged_blobs s WHERE s.hash = u.hash))`,
    );
    this.recordStmt = db.prepare(
      'INSERT INTO uploads (target, hash, account, size, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, hash, account) DO UPDATE SET size = excluded.size, created_at = excluded.created_at',
    );
    this.useNonceStmt = db.prepare<[string, string, number], { nonce: string }>(
      'INSERT INTO upload_nonces (account, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (account, nonce) DO NOTHING RETURNING nonce',
    );
    this.pruneNoncesStmt = db.prepare('DELETE FROM upload_nonces WHERE expires_at <= ?');
    this.newestStmt = db.prepare<[string, string], { newest: number | string | null }>('SELECT MAX(created_at) AS newest FROM uploads WHERE target = ? AND hash = ?');
    this.forgetStmt = db.prepare('DELETE FROM uploads WHERE target = ? AND hash = ?');
    this.pruneBlobRowsStmt = db.prepare(`DELETE FROM uploads WHERE target = 'blob' AND NOT EXISTS (SELECT 1 FROM staged_blobs s WHERE s.hash = uploads.hash)`);
    this.holdsStmt = db.prepare<[string, string, string], { size: number }>('SELECT size FROM uploads WHERE target = ? AND hash = ? AND account = ?');
  }

  /** Bytes `account` holds: its model files, and its blobs still staged. */
  held(account: string): number {
    return Number(this.heldStmt.get(account)?.held ?? 0);
  }

  /** Whether `account` already holds this upload (uploading the same bytes again costs nothing more). */
  holds(target: UploadTargetName, hash: string, account: string): boolean {
    return this.holdsStmt.get(target, hash, account) !== undefined;
  }

  record(target: UploadTargetName, hash: string, account: string, size: number, now: number): void {
    this.recordStmt.run(target, hash, account, size, now);
  }

  /** Marks an intent's nonce used; false if `account` used it before (a replay). */
  useNonce(account: string, nonce: string, expiresAt: number): boolean {
    return this.useNonceStmt.get(account, nonce, expiresAt) !== undefined;
  }

  /** When the file was last uploaded by anyone, or undefined if no upload of it is recorded. */
  newest(target: UploadTargetName, hash: string): number | undefined {
    const n = this.newestStmt.get(target, hash)?.newest;
    return n === null || n === undefined ? undefined : Number(n);
  }

  /** Drops every account's claim on a file that is gone. */
  forget(target: UploadTargetName, hash: string): void {
    this.forgetStmt.run(target, hash);
  }

  /** Drops claims on blobs no longer staged (claimed by a Contribute, or expired), and nonces past their intent's expiry. */
  prune(now: number): void {
    this.pruneBlobRowsStmt.run();
    this.pruneNoncesStmt.run(now);
  }
}
