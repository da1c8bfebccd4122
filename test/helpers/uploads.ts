// Uploads over raw HTTP, as a client without the SDK would make them: the bytes, and the
// upload intent that authorises them signed by `by` (or whatever headers a test wants to try).
import { createHash } from 'node:crypto';
import type { Domain, LocalSigner } from '../../src/client/signer.ts';
import { uploadIntentHeaders } from '../../src/client/signer.ts';
import type { UploadTarget } from '../../src/protocol/uploadIntent.ts';

export const sha256 = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');

const domains = new Map<string, Promise<Domain>>();

/** The node's EIP-712 domain (cached per node URL). */
export function domainOf(url: string): Promise<Domain> {
  let d = domains.get(url);
  if (!d) {
    d = fetch(`${url}/v1/actions/types`).then(async (r) => ((await r.json()) as { domain: Domain }).domain);
    domains.set(url, d);
  }
  return d;
}

/** Headers of a fresh intent by `by` for these bytes (or for `claim`, to sign for something else). */
export async function intentFor(url: string, by: LocalSigner, target: UploadTarget, bytes: Uint8Array, claim: { sha256?: string; size?: number } = {}): Promise<Record<string, string>> {
  return uploadIntentHeaders(by, await domainOf(url), { target, sha256: claim.sha256 ?? sha256(bytes), size: claim.size ?? bytes.length });
}

/** PUT bytes to a target under `hash` (their SHA-256 unless given) with the given headers. */
export function put(url: string, target: UploadTarget, bytes: Uint8Array, headers: Record<string, string>, hash = sha256(bytes)): Promise<Response> {
  const path = target === 'model-file' ? `/v1/models/files/${hash}` : `/v1/blobs/${hash}`;
  return fetch(url + path, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body: bytes, signal: AbortSignal.timeout(30_000) });
}

/** Uploads a model file as `by`'s, signed the way the SDK signs it. */
export async function putModelFile(url: string, bytes: Uint8Array, by: LocalSigner): Promise<Response> {
  return put(url, 'model-file', bytes, await intentFor(url, by, 'model-file', bytes));
}
