// Tests of uploadAuth.ts: an intent signed by a third-party wallet library (viem) verifies
// here, so the intent is plain EIP-712 any wallet can sign; the SDK's intent verifies; and
// every way to get the headers wrong is refused naming the header.
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { LocalSigner, uploadIntentHeaders } from '../client/signer.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { domainFor } from '../protocol/protocol.ts';
import { randomPrivateKey } from '../protocol/secp256k1.ts';
import { UPLOAD_HEADERS as H, UPLOAD_INTENT_FIELDS, UPLOAD_INTENT_TYPE } from '../protocol/uploadIntent.ts';
import { authenticateUpload, type UploadHeaders } from './uploadAuth.ts';

const CHAIN = 31337;
const HASH = '0x' + 'ab'.repeat(32);
const NOW = 1_800_000_000_000;
const noKeys = () => {
  throw new ActionRejected(401, 'invalid_api_key', 'authorization', 'unknown API key');
};

function refusal(f: () => unknown): { status: number; code: string; field?: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ActionRejected);
    const r = e as ActionRejected;
    return { status: r.status, code: r.code, field: r.field, message: r.message };
  }
  throw new Error('accepted');
}

describe('authenticateUpload', () => {
  it('accepts an intent signed with viem (eth_signTypedData_v4 semantics)', async () => {
    const key = randomPrivateKey();
    const account = privateKeyToAccount(`0x${key.toString('hex')}`);
    const message = { target: 'model-file', sha256: HASH as `0x${string}`, size: 1234n, nonce: 42n, expiry: BigInt(NOW / 1000 + 60) };
    const signature = await account.signTypedData({ domain: domainFor(CHAIN), types: { [UPLOAD_INTENT_TYPE]: [...UPLOAD_INTENT_FIELDS] }, primaryType: UPLOAD_INTENT_TYPE, message });
    const headers = { [H.signer]: account.address, [H.size]: '1234', [H.nonce]: '42', [H.expiry]: String(NOW / 1000 + 60), [H.signature]: signature };
    expect(authenticateUpload(CHAIN, 'model-file', HASH, headers, noKeys, NOW)).toEqual({
      account: account.address.toLowerCase(),
      size: 1234,
      by: 'intent',
      nonce: { value: '42', expiresAt: NOW + 60_000 },
    });
    // The same signature on another chain's node does not verify.
    expect(refusal(() => authenticateUpload(CHAIN + 1, 'model-file', HASH, headers, noKeys, NOW))).toMatchObject({ status: 401, field: H.signature });
  });

  it("accepts the SDK's intent, and only for the target, hash and size it signs", () => {
    const signer = new LocalSigner(randomPrivateKey());
    const headers = uploadIntentHeaders(signer, domainFor(CHAIN), { target: 'blob', sha256: HASH, size: 10 }, 600, NOW);
    expect(authenticateUpload(CHAIN, 'blob', HASH, { ...headers, 'content-length': '10' }, noKeys, NOW).account).toBe(signer.address);
    expect(refusal(() => authenticateUpload(CHAIN, 'model-file', HASH, headers, noKeys, NOW))).toMatchObject({ status: 401, code: 'bad_signature' });
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', '0x' + 'cd'.repeat(32), headers, noKeys, NOW))).toMatchObject({ status: 401, code: 'bad_signature' });
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, { ...headers, [H.size]: '11' }, noKeys, NOW))).toMatchObject({ status: 401, code: 'bad_signature' });
    // The body's length must be the one signed.
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, { ...headers, 'content-length': '11' }, noKeys, NOW))).toMatchObject({ status: 400, field: 'content-length' });
  });

  it('refuses malformed, expired and far-future intents, naming the header', () => {
    const signer = new LocalSigner(randomPrivateKey());
    const ok = uploadIntentHeaders(signer, domainFor(CHAIN), { target: 'blob', sha256: HASH, size: 10 }, 600, NOW);
    const cases: Array<[UploadHeaders, string, RegExp]> = [
      [{ ...ok, [H.signer]: 'me' }, H.signer, /must be the 0x address/],
      [{ ...ok, [H.size]: undefined }, H.size, /is required/],
      [{ ...ok, [H.size]: '-1' }, H.size, /whole number/],
      [{ ...ok, [H.nonce]: '007' }, H.nonce, /without leading zeros/],
      [{ ...ok, [H.expiry]: String(NOW / 1000 - 1) }, H.expiry, /expired/],
      [{ ...ok, [H.expiry]: String(NOW / 1000 + 3601) }, H.expiry, /at most 3600 s ahead/],
      [{ ...ok, [H.signature]: '0x1234' }, H.signature, /./],
    ];
    for (const [headers, field, message] of cases) {
      const r = refusal(() => authenticateUpload(CHAIN, 'blob', HASH, headers, noKeys, NOW));
      expect({ field: r.field, status: r.status }).toEqual({ field, status: 400 });
      expect(r.message).toMatch(message);
    }
  });

  it('takes an API key, with the size from x-upload-size or content-length; nothing at all is a 401', () => {
    const keys = (authorization: string) => {
      if (authorization !== 'Bearer sk-good') throw new ActionRejected(401, 'invalid_api_key', 'authorization', 'unknown API key');
      return '0x' + '11'.repeat(20);
    };
    expect(authenticateUpload(CHAIN, 'blob', HASH, { authorization: 'Bearer sk-good', 'content-length': '5' }, keys, NOW)).toEqual({ account: '0x' + '11'.repeat(20), size: 5, by: 'api-key' });
    expect(authenticateUpload(CHAIN, 'blob', HASH, { authorization: 'Bearer sk-good', [H.size]: '7' }, keys, NOW).size).toBe(7);
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, { authorization: 'Bearer sk-good' }, keys, NOW))).toMatchObject({ status: 400, field: H.size });
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, { authorization: 'Bearer sk-good', [H.size]: '7', 'content-length': '8' }, keys, NOW))).toMatchObject({ status: 400, field: 'content-length' });
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, { authorization: 'Bearer sk-bad', [H.size]: '7' }, keys, NOW))).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(refusal(() => authenticateUpload(CHAIN, 'blob', HASH, {}, keys, NOW))).toMatchObject({ status: 401, code: 'upload_unauthorized', field: 'authorization' });
  });
});
