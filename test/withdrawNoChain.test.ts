// A withdrawal on a real-money node that has no chain configured (Withdraw's node hook,
// src/settlement/actions/withdraw.hooks.ts): real money leaves only through a chain, so
// the node refuses the action before it is sequenced, with a 409 naming the reason, and
// the log and the balance stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/client/errors.ts';
import { newSigner, startTestNode, type TestNode } from './helpers/testNode.ts';

describe('Withdraw on a real-money node without a chain', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ money: 'real', epochSeconds: 0 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is refused before sequencing, naming why, and changes nothing', async () => {
    expect((await t.client.node()).money).toBe('real');
    const who = newSigner();
    const size = (await t.client.node()).size;
    const before = await t.client.account(who.address);
    const e = await t.client.act(who, { type: 'Withdraw', amount: '1' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ApiError);
    const refusal = e as ApiError;
    expect(refusal.status).toBe(409);
    expect(refusal.code).toBe('no_chain');
    expect(refusal.field).toBe('action.type');
    expect(refusal.message).toMatch(/this node has no chain configured: there is nowhere to pay a withdrawal out/);
    expect((await t.client.node()).size).toBe(size);
    expect(await t.client.account(who.address)).toEqual(before);
  });
});
