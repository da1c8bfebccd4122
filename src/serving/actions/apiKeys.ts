// CreateApiKey and RevokeApiKey: an account owner lets a bearer key spend from its
// prepaid balance on inference, and takes that back. The action carries the key's
// SHA-256 only; the key itself never leaves the owner's machine except to call the API.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { type ApiKeyRecord, apiKeyKeys, findApiKey } from '../records.ts';

export const createApiKey: ActionDefinition<{ keyHash: string; label: string }> = {
  type: 'CreateApiKey',
  signer: 'user',
  description: "Let an API key (given by its SHA-256) spend from the signer's prepaid balance on inference.",
  fields: [
    { name: 'keyHash', type: 'bytes32', description: 'SHA-256 of the key, as it is sent in Authorization: Bearer' },
    { name: 'label', type: 'string', max: 63 },
  ],
  apply(ctx, m) {
    if (findApiKey(ctx.state, m.keyHash)) throw reject.conflict('action.keyHash', 'this key is already registered; make a new random key');
    const record: ApiKeyRecord = { keyHash: m.keyHash, account: ctx.signer, label: m.label, createdAt: ctx.index, revoked: false };
    return { changes: [{ key: apiKeyKeys.key(m.keyHash), value: { ...record } }], result: { keyHash: m.keyHash, account: ctx.signer } };
  },
};

export const revokeApiKey: ActionDefinition<{ keyHash: string }> = {
  type: 'RevokeApiKey',
  signer: 'user',
  description: 'Stop an API key from spending: only the account that created it may.',
  fields: [{ name: 'keyHash', type: 'bytes32' }],
  apply(ctx, m) {
    const k = findApiKey(ctx.state, m.keyHash);
    if (!k) throw reject.notFound('action.keyHash', 'no such key');
    if (k.account !== ctx.signer) throw reject.forbidden('signer', `the key belongs to ${k.account}`);
    if (k.revoked) throw reject.conflict('action.keyHash', 'the key is already revoked');
    return { changes: [{ key: apiKeyKeys.key(m.keyHash), value: { ...k, revoked: true } }], result: { keyHash: m.keyHash } };
  },
};
