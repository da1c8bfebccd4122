// What signing an action or an upload intent needs, whoever holds the key: the typed data
// a wallet signs, replay protection, and the headers an upload intent travels in. It runs
// in the browser as well as in Node (Web Crypto for randomness), so it must never import
// node:* or a module that does; keys live in a signer (signer.ts in Node, a wallet or
// viem in the browser), never here.
import type { Domain } from '../wire/node.ts';
import { UPLOAD_HEADERS, UPLOAD_INTENT_FIELDS, UPLOAD_INTENT_TYPE, type UploadTarget } from '../protocol/uploadIntent.ts';

export type { Domain };

/** One EIP-712 field, as GET /v1/actions/types lists them. */
export interface TypedField {
  name: string;
  type: string;
}

export type ActionTypes = Record<string, TypedField[]>;

export type UnsignedAction = { type: string } & Record<string, unknown>;

export interface SignedActionBody {
  action: UnsignedAction;
  signer: string;
  signature: string;
  domain: Domain;
}

/** Anything that signs typed data for an account: a local key, a browser wallet, a hardware wallet. */
export interface ActionSigner {
  readonly address: string;
  /** Signs `action` (its `type` key is the primaryType) under `domain` with the field lists in `types`. */
  sign(domain: Domain, types: ActionTypes, action: UnsignedAction): SignedActionBody | Promise<SignedActionBody>;
}

/** A fresh unordered nonce: 128 random bits as a decimal string. */
export function randomNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return BigInt('0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')).toString();
}

/** The typed data a wallet signs for `action` (its `type` key is the primaryType, not a field). */
export function typedDataFor(domain: Domain, types: ActionTypes, action: UnsignedAction) {
  const { type, ...message } = action;
  const fields = types[type];
  if (!fields) throw new Error(`the node declares no action type ${type}`);
  return { domain, types: { [type]: fields }, primaryType: type, message };
}

/** Adds the nonce and an expiry (default one hour) every user action carries. */
export function withReplayProtection(action: UnsignedAction, ttlSeconds = 3600, now = Date.now()): UnsignedAction {
  return { ...action, nonce: randomNonce(), expiry: Math.floor(now / 1000) + ttlSeconds };
}

/** The upload intent to sign for `size` bytes hashing to `sha256`, valid `ttlSeconds` (the node takes at most an hour). */
export function uploadIntentAction(intent: { target: UploadTarget; sha256: string; size: number }, ttlSeconds: number, now: number) {
  return { type: UPLOAD_INTENT_TYPE, target: intent.target, sha256: intent.sha256.toLowerCase(), size: intent.size, nonce: randomNonce(), expiry: Math.floor(now / 1000) + ttlSeconds };
}

/** The typed-data fields of an upload intent, in the shape `sign` takes. */
export const UPLOAD_INTENT_TYPES: ActionTypes = { [UPLOAD_INTENT_TYPE]: [...UPLOAD_INTENT_FIELDS] };

/** The headers a signed upload intent travels in. */
export function uploadIntentHeadersOf(signed: SignedActionBody): Record<string, string> {
  const m = signed.action as ReturnType<typeof uploadIntentAction>;
  return {
    [UPLOAD_HEADERS.signer]: signed.signer,
    [UPLOAD_HEADERS.size]: String(m.size),
    [UPLOAD_HEADERS.nonce]: m.nonce,
    [UPLOAD_HEADERS.expiry]: String(m.expiry),
    [UPLOAD_HEADERS.signature]: signed.signature,
  };
}

/**
 * Signs an upload intent for `size` bytes hashing to `sha256`, valid `ttlSeconds` (default
 * ten minutes), with any signer, and returns the headers it travels in.
 */
export async function signUploadIntent(
  signer: ActionSigner,
  domain: Domain,
  intent: { target: UploadTarget; sha256: string; size: number },
  ttlSeconds = 600,
  now = Date.now(),
): Promise<Record<string, string>> {
  return uploadIntentHeadersOf(await signer.sign(domain, UPLOAD_INTENT_TYPES, uploadIntentAction(intent, ttlSeconds, now)));
}
