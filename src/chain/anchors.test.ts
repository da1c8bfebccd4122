import { parseEventLogs, type Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { anchorCheckpoint, latestAnchor } from './anchors.ts';
import { sendContractTx } from './clients.ts';
import { artifact } from './compile.ts';
import { revertOf, settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';

const hash = (byte: string) => `0x${byte.repeat(32)}` as Hex;
let f: SettlementFixture;
beforeAll(async () => {
  f = await settlementFixture();
});

describe('LogAnchor', () => {
  it('records checkpoints whose tree sizes only go up, each in an event', async () => {
    const { anchor } = f.deployment;
    const zero = hash('00');
    expect(await latestAnchor(f.chain.publicClient, anchor)).toEqual({ treeSize: 0n, logRoot: zero, stateRoot: zero });
    const first = { treeSize: 10n, logRoot: hash('11'), stateRoot: hash('12') };
    const receipt = await anchorCheckpoint(f.settler, anchor, first);
    const [event] = parseEventLogs({ abi: artifact('LogAnchor').abi, logs: receipt.logs, eventName: 'Anchored' });
    expect(event.args).toEqual(first);
    expect(await latestAnchor(f.chain.publicClient, anchor)).toEqual(first);

    // Equal or smaller sizes revert and leave the anchored checkpoint as it was.
    for (const treeSize of [10n, 9n, 0n]) {
      expect(await revertOf(anchorCheckpoint(f.settler, anchor, { treeSize, logRoot: hash('21'), stateRoot: hash('22') }))).toEqual({ errorName: 'TreeSizeNotIncreasing', args: [treeSize, 10n] });
    }
    expect(await latestAnchor(f.chain.publicClient, anchor)).toEqual(first);
    const second = { treeSize: 11n, logRoot: hash('31'), stateRoot: hash('32') };
    await anchorCheckpoint(f.settler, anchor, second);
    expect(await latestAnchor(f.chain.publicClient, anchor)).toEqual(second);
  });

  it('lets only the settler anchor, and only the owner change the settler', async () => {
    const { anchor } = f.deployment;
    const [owner, settler, user] = f.chain.accounts;
    const cp = { treeSize: 1_000n, logRoot: hash('41'), stateRoot: hash('42') };
    expect(await revertOf(anchorCheckpoint(f.as(2), anchor, cp))).toEqual({ errorName: 'NotSettler', args: [user, settler] });
    expect(await revertOf(anchorCheckpoint(f.admin, anchor, cp))).toEqual({ errorName: 'NotSettler', args: [owner, settler] });
    const setSettler = (by: number) => sendContractTx(f.as(by), { contract: 'LogAnchor', address: anchor, functionName: 'setSettler', args: [user] });
    expect(await revertOf(setSettler(2))).toEqual({ errorName: 'OwnableUnauthorizedAccount', args: [user] });
    await setSettler(0);
    await anchorCheckpoint(f.as(2), anchor, cp);
    expect((await latestAnchor(f.chain.publicClient, anchor)).treeSize).toBe(1_000n);
  });
});
