// Signs actions with a local EVM private key, the way a wallet would with
// eth_signTypedData_v4: the EIP-712 digest of the action under the node's domain.
// Node-only (it signs on the native libsecp256k1 binding): the CLI, workers and tests use
// it; a browser passes its wallet as an ActionSigner instead (signing.ts).
import { hashTypedData } from '../protocol/eip712.ts';
import { privateKeyToAddress, signDigest } from '../protocol/secp256k1.ts';
import type { UploadTarget } from '../protocol/uploadIntent.ts';
import {
  type ActionSigner,
  type ActionTypes,
  type Domain,
  type SignedActionBody,
  typedDataFor,
  type UnsignedAction,
  UPLOAD_INTENT_TYPES,
  uploadIntentAction,
  uploadIntentHeadersOf,
} from './signing.ts';

export * from './signing.ts';

export class LocalSigner implements ActionSigner {
  readonly address: string;

  constructor(private readonly privateKey: Uint8Array) {
    this.address = privateKeyToAddress(privateKey);
  }

  sign(domain: Domain, types: ActionTypes, action: UnsignedAction): SignedActionBody {
    const digest = hashTypedData(typedDataFor(domain, types, action) as Parameters<typeof hashTypedData>[0]);
    return { action, signer: this.address, signature: signDigest(this.privateKey, digest), domain };
  }
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
  return uploadIntentHeadersOf(signer.sign(domain, UPLOAD_INTENT_TYPES, uploadIntentAction(intent, ttlSeconds, now)));
}
