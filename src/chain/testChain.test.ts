import { describe, expect, it } from 'vitest';
import { startTestChain } from './testChain.ts';

describe('startTestChain', () => {
  it('starts an in-process chain with funded accounts whose keys it holds', async () => {
    const t0 = performance.now();
    const chain = await startTestChain({ accounts: 3, balance: 5n * 10n ** 18n });
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await chain.publicClient.getChainId()).toBe(31337);
    expect(chain.accounts).toHaveLength(3);
    for (const a of chain.accounts) expect(await chain.publicClient.getBalance({ address: a })).toBe(5n * 10n ** 18n);
    const hash = await chain.wallet(0).sendTransaction({ to: chain.accounts[1], value: 1n });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    expect(receipt.from).toBe(chain.accounts[0].toLowerCase());
    expect(await chain.publicClient.getBalance({ address: chain.accounts[1] })).toBe(5n * 10n ** 18n + 1n);
    expect(() => chain.wallet(3)).toThrow(/test account 3 does not exist; the chain has 3/);
  });

  it('returns to a snapshot, and moves the clock', async () => {
    const chain = await startTestChain({ accounts: 2 });
    const id = await chain.snapshot();
    const before = await chain.publicClient.getBlock();
    await chain.increaseTime(3_600);
    const after = await chain.publicClient.getBlock();
    expect(after.number).toBe(before.number + 1n);
    expect(after.timestamp - before.timestamp).toBeGreaterThanOrEqual(3_600n);
    await chain.revert(id);
    expect(await chain.publicClient.getBlockNumber()).toBe(before.number);
    await expect(chain.revert(id)).rejects.toThrow(/unknown or was already reverted to/);
  });

  it('gives separate chains separate state', async () => {
    const [a, b] = await Promise.all([startTestChain({ accounts: 2 }), startTestChain({ accounts: 2 })]);
    await a.publicClient.waitForTransactionReceipt({ hash: await a.wallet(0).sendTransaction({ to: a.accounts[1], value: 7n }) });
    expect(await a.publicClient.getBlockNumber()).toBe(1n);
    expect(await b.publicClient.getBlockNumber()).toBe(0n);
  });
});
