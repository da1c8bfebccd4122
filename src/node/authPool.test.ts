import { afterAll, describe, expect, it } from 'vitest';
import { LocalSigner, withReplayProtection } from '../client/signer.ts';
import { allFields } from '../protocol/action.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { domainFor } from '../protocol/protocol.ts';
import { randomPrivateKey } from '../protocol/secp256k1.ts';
import { createProtocol } from './actions.ts';
import { AuthPool } from './authPool.ts';

const protocol = createProtocol();
const params = { chainId: 31337, origin: 'test', nodeKey: 'unused+00000000+AQ==' };
const types = Object.fromEntries(protocol.definitions().map((d) => [d.type, allFields(d).map((f) => ({ name: f.name, type: f.type }))]));

function signed(signer: LocalSigner, chainId = 31337) {
  const s = signer.sign(domainFor(chainId), types, withReplayProtection({ type: 'Snapshot', datanet: 'x' }));
  return { action: s.action as ActionMessage, auth: { scheme: 'eip712' as const, signer: s.signer, signature: s.signature } };
}

describe('AuthPool', () => {
  const pool = new AuthPool(protocol, params, 2);
  const inline = new AuthPool(protocol, params, 0);
  afterAll(() => pool.close());

  it('recovers the same signers on worker threads as in-line, for a burst', async () => {
    const signers = Array.from({ length: 20 }, () => new LocalSigner(randomPrivateKey()));
    const reqs = signers.map((s) => signed(s));
    const viaWorkers = await Promise.all(reqs.map((r) => pool.authenticate(r.action, r.auth)));
    const viaInline = await Promise.all(reqs.map((r) => inline.authenticate(r.action, r.auth)));
    expect(viaWorkers).toEqual(signers.map((s) => s.address));
    expect(viaInline).toEqual(viaWorkers);
  });

  it('brings a refusal back as the same ActionRejected, field and all', async () => {
    const r = signed(new LocalSigner(randomPrivateKey()), 1);
    const e = await pool.authenticate(r.action, r.auth).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ActionRejected);
    expect(e).toMatchObject({ status: 401, field: 'signature' });
    expect((e as Error).message).toMatch(/chainId 31337/);
  });
});
