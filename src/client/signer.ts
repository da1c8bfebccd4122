// Signs actions with a local EVM private key, the way a wallet would with
// eth_signTypedData_v4: the EIP-712 digest of the action under the node's domain.
import { randomBytes } from 'node:crypto';
import { hashTypedData, type TypedDataField } from '../protocol/eip712.ts';
import { privateKeyToAddress, signDigest } from '../protocol/secp256k1.ts';
import { UPLOAD_HEADERS, UPLOAD_INTENT_FIELDS, UPLOAD_INTENT_TYPE, type UploadTarget } from '../protocol/uploadIntent.ts';

export interface Domain {
  name: string;
  version: string;
  chainId: number;
}

export type ActionTypes = Record<string, TypedDataField[]>;

export type UnsignedAction = { type: string } & Record<string, unknown>;

export interface SignedActionBody {
  action: UnsignedAction;
  signer: string;
  signature: string;
  domain: Domain;
}

/** A fresh unordered nonce: 128 random bits as a decimal string. */
export function randomNonce(): string {
  return BigInt('0x' + randomBytes(16).toString('hex')).toString();
}

/** The typed data a wallet signs for `action` (its `type` key is the primaryType, not a field). */
export function typedDataFor(domain: Domain, types: ActionTypes, action: UnsignedAction) {
  const { type, ...message } = action;
  const fields = types[type];
  if (!fields) throw new Error(`the node declares no action type ${type}`);
  return { domain, types: { [type]: fields }, primaryType: type, message };
}

export class LocalSigner {
  readonly address: string;

  constructor(private readonly privateKey: Uint8Array) {
    this.address = privateKeyToAddress(privateKey);
  }

  sign(domain: Domain, types: ActionTypes, action: UnsignedAction): SignedActionBody {
    const digest = hashTypedData(typedDataFor(domain, types, action) as Parameters<typeof hashTypedData>[0]);
    return { action, signer: this.address, signature: signDigest(this.privateKey, digest), domain };
  }
}

/** Adds the nonce and an expiry (default one hour) every user action carries. */
export function withReplayProtection(action: UnsignedAction, ttlSeconds = 3600, now = Date.now()): UnsignedAction {
  return { ...action, nonce: randomNonce(), expiry: Math.floor(now / 1000) + ttlSeconds };
}

/**
 * Signs an upload intent for `size` bytes hashing to `sha256`, valid `ttlSeconds` (default
 * ten minutes; the node takes at most an hour), and returns the headers it travels in.
 */
export function uploadIntentHeaders(
  signer: LocalSigner,
  domain: Domain,
  intent: { target: UploadTarget; sha256: string; size: number },
  ttlSeconds = 600,
  now = Date.now(),
): Record<string, string> {
  const message = { target: intent.target, sha256: intent.sha256.toLowerCase(), size: intent.size, nonce: randomNonce(), expiry: Math.floor(now / 1000) + ttlSeconds };
  const { signature } = signer.sign(domain, { [UPLOAD_INTENT_TYPE]: [...UPLOAD_INTENT_FIELDS] }, { type: UPLOAD_INTENT_TYPE, ...message });
  return {
    [UPLOAD_HEADERS.signer]: signer.address,
    [UPLOAD_HEADERS.size]: String(message.size),
    [UPLOAD_HEADERS.nonce]: message.nonce,
    [UPLOAD_HEADERS.expiry]: String(message.expiry),
    [UPLOAD_HEADERS.signature]: signature,
  };
}
