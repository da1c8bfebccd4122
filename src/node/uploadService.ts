// Uploads have owners and quotas. Before a byte of an upload's body is read, this grants it
// or refuses it: who uploads (uploadAuth.ts), within the size limit of its target, within
// the uploader's quota (bytes it already holds, plus uploads of its still in flight), with
// an intent's nonce used once. Once the bytes are checked and kept, the upload is recorded
// against its owner. It never writes a file itself, and refuses before anything is written.
import { ActionRejected, reject } from '../protocol/errors.ts';
import { UPLOAD_HEADERS, type UploadTarget } from '../protocol/uploadIntent.ts';
import { UploadStore } from '../store/uploads.ts';
import type { Db } from '../store/sql.ts';
import type { NodeConfig } from './config.ts';
import { authenticateUpload, type UploadHeaders } from './uploadAuth.ts';

/** An upload allowed to proceed: its owner, and the exact size its body must have. */
export interface UploadGrant {
  target: UploadTarget;
  hash: string;
  account: string;
  size: number;
  /** Frees the bytes this upload reserved of its owner's quota; call once it is kept or refused. */
  release(): void;
}

/** What the upload service needs of its node: the database, the chain id uploads are signed for, its limits. */
export interface UploadDeps {
  db: Db;
  chainId: number;
  config: Pick<NodeConfig, 'maxContentBytes' | 'maxModelBytes' | 'uploadQuotaBytes'>;
  /** The account an API key spends for (ServingService.account). */
  account(authorization: string | undefined): string;
}

export class UploadService {
  readonly store: UploadStore;
  /** Bytes of uploads in flight, per account: counted against the quota until kept or refused. */
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly d: UploadDeps) {
    this.store = new UploadStore(d.db);
  }

  /** Bytes `account` holds in uploads, kept and in flight. */
  held(account: string): number {
    return this.store.held(account) + (this.inFlight.get(account) ?? 0);
  }

  /** Checks an upload's headers; throws ActionRejected (401, 400, 409, 413) having written nothing. */
  authorize(target: UploadTarget, hash: string, headers: UploadHeaders, now = Date.now()): UploadGrant {
    const h = hash.toLowerCase();
    const who = authenticateUpload(this.d.chainId, target, h, headers, (a) => this.d.account(a), now);
    return this.grant(target, h, who.account, who.size, who.nonce);
  }

  /** Grants an upload by an account already authenticated; throws ActionRejected (400, 409, 413) having written nothing. */
  grant(target: UploadTarget, hash: string, account: string, size: number, nonce?: { value: string; expiresAt: number }): UploadGrant {
    const h = hash.toLowerCase();
    const who = { account, size, nonce };
    const limit = target === 'model-file' ? this.d.config.maxModelBytes : this.d.config.maxContentBytes;
    if (who.size > limit)
      throw reject.tooLarge(target === 'model-file' ? 'file' : 'content', `the upload is ${who.size} bytes; this node accepts at most ${limit} per ${target === 'model-file' ? 'model file' : 'blob'}`);
    // Uploading bytes one already holds again costs nothing more.
    const cost = this.store.holds(target, h, who.account) ? 0 : who.size;
    const held = this.held(who.account);
    const quota = this.d.config.uploadQuotaBytes;
    if (held + cost > quota)
      throw new ActionRejected(
        413,
        'quota_exceeded',
        UPLOAD_HEADERS.size,
        `${who.account} holds ${held} bytes of uploads; ${cost} more would pass its upload quota of ${quota} bytes (TRIBUTARY_UPLOAD_QUOTA_BYTES). ` +
          'Model files count while the node keeps them; staged blobs until a Contribute claims them or they expire.',
        { quota, held, size: cost },
      );
    if (who.nonce && !this.store.useNonce(who.account, who.nonce.value, who.nonce.expiresAt))
      throw new ActionRejected(409, 'replayed', UPLOAD_HEADERS.nonce, `nonce ${who.nonce.value} was already used by ${who.account}: sign a new upload intent`);
    this.inFlight.set(who.account, (this.inFlight.get(who.account) ?? 0) + cost);
    let released = false;
    return {
      target,
      hash: h,
      account: who.account,
      size: who.size,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(who.account) ?? 0) - cost;
        if (left > 0) this.inFlight.set(who.account, left);
        else this.inFlight.delete(who.account);
      },
    };
  }

  /** Records a kept upload against its owner. */
  record(grant: UploadGrant, now = Date.now()): void {
    this.store.record(grant.target, grant.hash, grant.account, grant.size, now);
  }
}
