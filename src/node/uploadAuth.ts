// Who is uploading, from an upload's headers alone (before a byte of its body is read): a
// signed upload intent (protocol/uploadIntent.ts), EIP-712 under the node's domain and bound
// to the target, the SHA-256 and the size, or an API key (Authorization: Bearer, as for
// inference). Anonymous uploads are refused. This module only authenticates: the quota,
// the nonce's single use and the size limits are the upload service's.
import { reject } from '../protocol/errors.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { typedDataHasher } from '../protocol/eip712.ts';
import { domainFor, DOMAIN_NAME, DOMAIN_VERSION } from '../protocol/protocol.ts';
import { recoverAddress } from '../protocol/secp256k1.ts';
import { UPLOAD_HEADERS as H, UPLOAD_INTENT_FIELDS, UPLOAD_INTENT_MAX_TTL_S, UPLOAD_INTENT_TYPE, type UploadTarget } from '../protocol/uploadIntent.ts';

export type UploadHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface UploadIdentity {
  /** Lowercase address of the account charged for the upload. */
  account: string;
  /** Bytes the uploader declared (signed, for an intent): the body must be exactly this long. */
  size: number;
  /** How the uploader proved who it is. */
  by: 'intent' | 'api-key';
  /** An intent's nonce and its expiry (ms), for the caller to spend once. */
  nonce?: { value: string; expiresAt: number };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT256 = /^(0|[1-9][0-9]{0,77})$/;
const WHOLE = /^(0|[1-9][0-9]{0,15})$/;

const HOW =
  `sign an ${UPLOAD_INTENT_TYPE} (EIP-712, domain "${DOMAIN_NAME}" version "${DOMAIN_VERSION}": target, sha256, size, nonce, expiry) and send it in ` +
  `${Object.values(H).join(', ')}, or send an API key as Authorization: Bearer KEY with the size in ${H.size} (docs/api.md, "Uploads")`;

function header(headers: UploadHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A whole number of bytes from a header, or a 400 naming it. */
function declaredSize(headers: UploadHeaders, name: string): number | undefined {
  const text = header(headers, name);
  if (text === undefined) return undefined;
  if (!WHOLE.test(text) || !Number.isSafeInteger(Number(text))) throw reject.invalid(name, `must be the body's length in bytes, a whole number, got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

const hashers = new Map<number, (message: Readonly<Record<string, unknown>>) => Buffer>();

/** The EIP-712 digest of an intent under the node's domain (prepared once per chain id). */
export function uploadIntentDigest(chainId: number, message: { target: string; sha256: string; size: number; nonce: string; expiry: number }): Buffer {
  let h = hashers.get(chainId);
  if (!h) {
    h = typedDataHasher({ domain: domainFor(chainId), types: { [UPLOAD_INTENT_TYPE]: [...UPLOAD_INTENT_FIELDS] }, primaryType: UPLOAD_INTENT_TYPE });
    hashers.set(chainId, h);
  }
  return h(message);
}

/**
 * Authenticates an upload of `hash` to `target` from its headers. `apiKeyAccount` resolves a
 * Bearer key (the serving layer's check, so one key works for inference and uploads alike).
 */
export function authenticateUpload(
  chainId: number,
  target: UploadTarget,
  hash: string,
  headers: UploadHeaders,
  apiKeyAccount: (authorization: string) => string,
  now = Date.now(),
): UploadIdentity {
  const contentLength = declaredSize(headers, 'content-length');
  const signature = header(headers, H.signature);
  if (signature !== undefined) {
    const signer = header(headers, H.signer) ?? '';
    if (!ADDRESS.test(signer)) throw reject.invalid(H.signer, `must be the 0x address that signed the intent, got ${JSON.stringify(signer.slice(0, 50))}`);
    const size = declaredSize(headers, H.size);
    if (size === undefined) throw reject.invalid(H.size, 'is required with an upload intent: the size the intent signs');
    const nonce = header(headers, H.nonce) ?? '';
    if (!UINT256.test(nonce) || BigInt(nonce) >= 1n << 256n) throw reject.invalid(H.nonce, 'must be the intent\'s nonce, a decimal uint256 without leading zeros');
    const expiryText = header(headers, H.expiry) ?? '';
    if (!WHOLE.test(expiryText)) throw reject.invalid(H.expiry, 'must be the intent\'s expiry in Unix seconds');
    const expiry = Number(expiryText);
    if (expiry * 1000 <= now) throw reject.invalid(H.expiry, `the intent expired at ${expiry} (Unix s); sign a new one`);
    if (expiry * 1000 > now + UPLOAD_INTENT_MAX_TTL_S * 1000) throw reject.invalid(H.expiry, `must be at most ${UPLOAD_INTENT_MAX_TTL_S} s ahead of the node's clock`);
    const digest = uploadIntentDigest(chainId, { target, sha256: hash.toLowerCase(), size, nonce, expiry });
    let recovered: string;
    try {
      recovered = recoverAddress(digest, signature);
    } catch (e) {
      throw reject.invalid(H.signature, (e as Error).message);
    }
    if (recovered !== signer.toLowerCase())
      throw reject.unauthorized(
        H.signature,
        `the upload intent recovers to ${recovered}, not ${H.signer} ${signer.toLowerCase()}: it was signed by another key, or for another ` +
          `target, sha256 or size than this upload (${target}, ${hash.toLowerCase()}, ${size} bytes), or over another domain (chainId ${chainId})`,
      );
    if (contentLength !== undefined && contentLength !== size)
      throw reject.invalid('content-length', `the body is ${contentLength} bytes, the intent signs ${size}`);
    return { account: recovered, size, by: 'intent', nonce: { value: nonce, expiresAt: expiry * 1000 } };
  }
  const authorization = header(headers, 'authorization');
  if (authorization === undefined) throw new ActionRejected(401, 'upload_unauthorized', 'authorization', `uploads need an owner: ${HOW}`);
  const account = apiKeyAccount(authorization);
  const size = declaredSize(headers, H.size) ?? contentLength;
  if (size === undefined) throw reject.invalid(H.size, 'send the body\'s length in bytes (or a content-length), so that the quota is checked before the upload');
  if (contentLength !== undefined && contentLength !== size) throw reject.invalid('content-length', `the body is ${contentLength} bytes, ${H.size} says ${size}`);
  return { account, size, by: 'api-key' };
}
