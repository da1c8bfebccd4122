// One signed contribution as the body of POST /v1/actions: a Contribute action over the
// given text, EIP-712-signed by a local account with a fresh nonce, the text inline. The
// HTTP benchmarks pre-sign their requests with it, so that the load generator only sends.
import { createHash } from 'node:crypto';
import { type ActionTypes, type Domain, LocalSigner, withReplayProtection } from '../src/client/signer.ts';

export function signedContribution(signer: LocalSigner, domain: Domain, types: ActionTypes, datanet: string, text: string, fileName: string): string {
  const content = Buffer.from(text);
  const action = {
    type: 'Contribute',
    datanet,
    contentHash: '0x' + createHash('sha256').update(content).digest('hex'),
    size: content.length,
    fileName,
  };
  return JSON.stringify({ ...signer.sign(domain, types, withReplayProtection(action)), content: content.toString('base64') });
}
