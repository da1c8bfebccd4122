// Signs actions with a local EVM private key, the way a wallet would with
// eth_signTypedData_v4: the EIP-712 digest of the action under the node's domain.
import { randomBytes } from 'node:crypto';
import { hashTypedData, type TypedDataField } from '../protocol/eip712.ts';
import { privateKeyToAddress, signDigest } from '../protocol/secp256k1.ts';

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
