// The upload intent: what an account signs (EIP-712, under the node's domain, exactly as
// it signs an action) to upload a file to a node: which store, the file's SHA-256 and size,
// a nonce and an expiry. It is not an action and never enters the log: uploads change only
// node-local storage. The node charges the signer's upload quota, refuses a nonce it has
// seen and an intent for other bytes. This module imports nothing, so the browser can
// sign intents from the same definition; it must never describe anything but the intent.

export const UPLOAD_INTENT_TYPE = 'UploadIntent';

export const UPLOAD_INTENT_FIELDS = [
  { name: 'target', type: 'string' },
  { name: 'sha256', type: 'bytes32' },
  { name: 'size', type: 'uint64' },
  { name: 'nonce', type: 'uint256' },
  { name: 'expiry', type: 'uint64' },
] as const;

/** Where an upload goes: a model or adapter file (PUT /v1/models/files/:sha256), or staged content (PUT /v1/blobs/:hash). */
export type UploadTarget = 'model-file' | 'blob';
export const UPLOAD_TARGETS: readonly UploadTarget[] = ['model-file', 'blob'];

/** An intent may be valid at most this long: it is checked when the upload starts, not when it ends. */
export const UPLOAD_INTENT_MAX_TTL_S = 3600;

/** The message of an intent, as signed. `nonce` is a decimal string (uint256), `expiry` Unix seconds. */
export interface UploadIntentMessage {
  target: UploadTarget;
  sha256: string;
  size: number;
  nonce: string;
  expiry: number;
}

/**
 * The HTTP headers an intent travels in, beside the body it authorises (the hash is the
 * path's). An API key travels as `Authorization: Bearer KEY` instead, with the size in
 * `x-upload-size` or `content-length`.
 */
export const UPLOAD_HEADERS = {
  signer: 'x-upload-signer',
  size: 'x-upload-size',
  nonce: 'x-upload-nonce',
  expiry: 'x-upload-expiry',
  signature: 'x-upload-signature',
} as const;
