// CreateApiKey and RevokeApiKey on an in-memory ledger: a key (by its hash) is registered
// once, to the signer's account; only that account revokes it, once. The key itself
// never appears in the log, only its SHA-256.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, sha256 } from '../../../test/fixtures/memoryLedgers.ts';
import { findApiKey } from '../records.ts';

const alice = account();
const keyHash = sha256('trib_secret');

describe('CreateApiKey and RevokeApiKey', () => {
  it('registers a key hash to the signer, then revokes it', () => {
    const l = memoryLedger();
    const r = l.act(alice, { type: 'CreateApiKey', keyHash, label: 'laptop' });
    expect(r.result).toEqual({ keyHash, account: alice.id });
    expect(findApiKey(l.state, keyHash.toUpperCase().replace('0X', '0x'))).toEqual({ keyHash, account: alice.id, label: 'laptop', createdAt: r.index, revoked: false });
    expect(JSON.stringify(l.entries)).not.toContain('trib_secret');
    expect(l.act(alice, { type: 'RevokeApiKey', keyHash }).result).toEqual({ keyHash });
    expect(findApiKey(l.state, keyHash)!.revoked).toBe(true);
    expect(l.refusal(() => l.act(alice, { type: 'RevokeApiKey', keyHash }))).toMatchObject({ status: 409, field: 'action.keyHash', message: 'the key is already revoked' });
  });

  it('refuses a key hash registered already, even after a revocation', () => {
    const l = memoryLedger();
    l.act(alice, { type: 'CreateApiKey', keyHash, label: 'a' });
    l.act(alice, { type: 'RevokeApiKey', keyHash });
    expect(l.refusal(() => l.act(account(), { type: 'CreateApiKey', keyHash, label: 'b' }))).toMatchObject({ status: 409, field: 'action.keyHash', message: expect.stringMatching(/already registered/) });
  });

  it('lets only the key’s account revoke it', () => {
    const l = memoryLedger();
    l.act(alice, { type: 'CreateApiKey', keyHash, label: 'a' });
    expect(l.refusal(() => l.act(account(), { type: 'RevokeApiKey', keyHash }))).toMatchObject({ status: 403, field: 'signer', message: `the key belongs to ${alice.id}` });
    expect(l.refusal(() => l.act(alice, { type: 'RevokeApiKey', keyHash: sha256('other') }))).toMatchObject({ status: 404, field: 'action.keyHash', message: 'no such key' });
  });
});
