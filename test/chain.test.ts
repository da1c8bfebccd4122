// On-chain settlement end to end, through the node and a real anvil process: contracts
// deployed by `tributary chain deploy`, a requester's deposit on chain credited by the
// node's chain worker, contributions, inference records, an epoch close, the anchor and
// the root posted and the payouts funded from the vault, then `tributary claim` by every
// payee. Each claimant's token balance must equal what the node says it was paid, to the
// unit. Then a withdrawal by voucher (and its replay refused), and a restart that posts
// nothing twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../bench/corpus.ts';
import { latestAnchor } from '../src/chain/anchors.ts';
import { latestPayoutRoot } from '../src/chain/payouts.ts';
import { chainClients } from '../src/chain/rpc.ts';
import { tokenBalance } from '../src/chain/token.ts';
import { ANVIL_DEV_KEY } from '../src/cli/commands/chain.ts';
import { LocalSigner } from '../src/client/signer.ts';
import { loadChainConfig } from '../src/node/chainConfig.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { tinyLlamaGguf } from './fixtures/tinyGguf.ts';
import { runCli } from './helpers/runCli.ts';
import { verifyTestData } from './helpers/testDatabase.ts';
import { apiKeyOf, startTestNode, type TestNode } from './helpers/testNode.ts';
import { freePort, until as untilThen } from './helpers/wait.ts';
import { putModelFile } from './helpers/uploads.ts';

const TOKEN = 10n ** 18n;
const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

/** The chain and the worker take a moment to answer: errors until then mean "not yet". */
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000) => untilThen(what, f, ms, { ignoreErrors: true });

interface Person {
  key: Hex;
  signer: LocalSigner;
  address: Address;
  keystore: string;
}

describe('on-chain settlement with a real anvil', () => {
  let dir: string;
  let anvil: ChildProcess;
  let rpc: string;
  let t: TestNode;
  const people: Record<string, Person> = {};
  const env = { TRIBUTARY_CHAIN_POLL_MS: '100' };
  let anvilPort: number;
  const startAnvil = async () => {
    const bin = createRequire(import.meta.url).resolve('@foundry-rs/anvil/bin.mjs');
    // Its own process group: the npm launcher runs the anvil binary as a child, and a
    // signal to the group reaches both.
    anvil = spawn(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(anvilPort), '--chain-id', '31337', '--state', join(dir, 'anvil-state.json')], { stdio: 'ignore', detached: true });
    const probe = chainClients(rpc, ANVIL_DEV_KEY, 31337);
    await until('anvil', async () => (await probe.publicClient.getChainId()) === 31337 || undefined);
  };
  const cli = (who: string, args: string[]) => runCli(t.url, people[who].keystore, dir, ['--json', ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-chain-'));
    const port = await freePort();
    rpc = `http://127.0.0.1:${port}`;
    anvilPort = port;
    await startAnvil();
    const deployer = chainClients(rpc, ANVIL_DEV_KEY, 31337);

    for (const name of ['requester', 'owner', 'provider', 'a0', 'a1', 'a2']) {
      const key = ('0x' + Buffer.from(randomPrivateKey()).toString('hex')) as Hex;
      const signer = new LocalSigner(Buffer.from(key.slice(2), 'hex'));
      const keystore = join(dir, `${name}.json`);
      writeFileSync(keystore, JSON.stringify({ version: 1, accounts: [{ name, address: signer.address, privateKey: key }] }));
      people[name] = { key, signer, address: signer.address as Address, keystore };
      // Gas money for claims, deposits and withdrawals.
      await deployer.publicClient.waitForTransactionReceipt({ hash: await deployer.walletClient.sendTransaction({ to: signer.address as Address, value: TOKEN }) });
    }

    // The real command deploys and writes DATA/chain.json for the node.
    const nodeDir = join(dir, 'node');
    const deployed = await runCli('http://127.0.0.1:9', people.owner.keystore, dir, ['--json', 'chain', 'deploy', '--rpc', rpc, '--data', nodeDir]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const chain = loadChainConfig(nodeDir, {})!;
    expect(chain.contracts).toEqual(JSON.parse(deployed.stdout).contracts);
    t = await startTestNode({ epochSeconds: 0 }, { dataDir: nodeDir, env });
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
    if (anvil?.pid && anvil.exitCode === null) process.kill(-anvil.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('credits deposits, posts the anchor and the root, funds payouts, and every claim pays what the node says, to the unit', async () => {
    const c = t.node.config.chain!;
    const token = c.contracts.token as Address;
    const vault = c.contracts.vault as Address;
    const deployer = chainClients(rpc, ANVIL_DEV_KEY, 31337);

    // A requester gets devnet tokens and deposits them (a permit, one transaction); the
    // node credits the deposit once.
    const funded = await cli('requester', ['chain', 'fund', '--tokens', '100', '--eth', '0']);
    expect(funded.code, funded.stderr).toBe(0);
    expect(await tokenBalance(deployer.publicClient, token, people.requester.address)).toBe(100n * TOKEN);
    const deposited = await cli('requester', ['deposit', '60']);
    expect(deposited.code, deposited.stderr).toBe(0);
    expect(await tokenBalance(deployer.publicClient, token, vault)).toBe(60n * TOKEN);
    await until('the deposit to be credited', async () => ((await t.client.account(people.requester.address)).prepaid === (60n * TOKEN).toString() ? true : undefined));

    // Contributions, a model on their snapshot, inferences that copy them, an epoch.
    const owner = people.owner.signer;
    await t.client.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const gen = new TextGenerator(5);
    const docs = Array.from({ length: 3 }, () => gen.document(120));
    for (const [i, d] of docs.entries()) {
      const b = Buffer.from(d);
      await t.client.act(people[`a${i}`].signer, { type: 'Contribute', datanet: 'lore', contentHash: sha(b), size: b.length, fileName: `d${i}.txt` }, b);
    }
    await t.client.act(owner, { type: 'Snapshot', datanet: 'lore' });
    const file = tinyLlamaGguf();
    expect((await putModelFile(t.url, file, owner)).status).toBe(200);
    await t.client.act(owner, { type: 'RegisterBaseModel', name: 'tiny', file: sha(Buffer.from(file)) });
    await t.client.act(owner, {
      type: 'RegisterModel', name: 'lore-chat', datanet: 'lore', snapshot: 1, base: sha(Buffer.from(file)), adapter: '0x' + '00'.repeat(32), job: 0,
      pricePer1kInput: (2n * TOKEN).toString(), pricePer1kOutput: (6n * TOKEN).toString(), dataBps: 5000, ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 2000,
    });
    for (const [i, d] of docs.entries())
      await t.client.recordInference(await apiKeyOf(t.client, people.requester.signer), { model: 'lore-chat@1', provider: people.provider.address, inputTokens: 200 + i, output: d.slice(0, 300) });
    const closed = await t.client.closeEpoch();
    const epoch = closed.result.epoch as number;

    // The worker posts the root and an anchor covering the epoch, and funds the payouts.
    const status = await until('the root, the anchor and the funding', async () => {
      const s = await t.client.chainStatus();
      return s.lastRoot?.epoch === epoch && s.lastAnchor && s.lastAnchor.treeSize >= closed.index && s.lastFunding ? s : undefined;
    });
    expect(status.failures).toBe(0);
    expect(status.unfunded).toBeUndefined();
    const onChain = await latestPayoutRoot(deployer.publicClient, c.contracts.distributor as Address);
    expect(onChain).toEqual({ epoch: BigInt(epoch), root: (await t.client.epochs())[0].root });
    expect((await latestAnchor(deployer.publicClient, c.contracts.anchor as Address)).treeSize).toBe(BigInt(status.lastAnchor!.treeSize));
    expect(BigInt(status.lastFunding!.amount)).toBe(BigInt((await t.client.epochs())[0].cumulative));

    // Every payee claims with the CLI; the chain pays exactly what the node says.
    const payees = ['a0', 'a1', 'a2', 'owner', 'provider'];
    let claimedTotal = 0n;
    for (const who of payees) {
      const paid = BigInt((await t.client.account(people[who].address)).paid);
      expect(paid, who).toBeGreaterThan(0n);
      const r = await cli(who, ['claim']);
      expect(r.code, r.stderr).toBe(0);
      expect(BigInt(JSON.parse(r.stdout).paid)).toBe(paid);
      expect(await tokenBalance(deployer.publicClient, token, people[who].address)).toBe(paid);
      claimedTotal += paid;
      // A second claim finds nothing new.
      const again = await cli(who, ['claim']);
      expect(JSON.parse(again.stdout).paid, again.stdout + again.stderr).toBe('0');
    }
    expect(claimedTotal).toBeLessThanOrEqual(BigInt((await t.client.epochs())[0].cumulative));
  }, 120_000);

  it('pays a withdrawal by voucher once, and refuses its replay', async () => {
    const c = t.node.config.chain!;
    const pub = chainClients(rpc, ANVIL_DEV_KEY, 31337).publicClient;
    const before = await tokenBalance(pub, c.contracts.token as Address, people.requester.address);
    const prepaid = BigInt((await t.client.account(people.requester.address)).prepaid);
    const r = await cli('requester', ['withdraw', '5']);
    expect(r.code, r.stderr).toBe(0);
    const index = JSON.parse(r.stdout).withdrawal as number;
    expect(await tokenBalance(pub, c.contracts.token as Address, people.requester.address)).toBe(before + 5n * TOKEN);
    expect(BigInt((await t.client.account(people.requester.address)).prepaid)).toBe(prepaid - 5n * TOKEN);
    const replay = await cli('requester', ['withdraw', '--redeem', String(index)]);
    expect(replay.code).not.toBe(0);
    expect(replay.stderr).toContain('VoucherAlreadyUsed');
    expect(await tokenBalance(pub, c.contracts.token as Address, people.requester.address)).toBe(before + 5n * TOKEN);
    // More than the balance is refused by the node, before anything is signed.
    const greedy = await cli('requester', ['withdraw', '1000']);
    expect(greedy.code).not.toBe(0);
    expect(greedy.stderr).toMatch(/less than the/);
  }, 60_000);

  it('after a restart, posts nothing twice and credits no deposit twice', async () => {
    const dataDir = t.dataDir;
    const prepaid = (await t.client.account(people.requester.address)).prepaid;
    const anchored = (await t.client.chainStatus()).lastAnchor!.treeSize;
    await t.stop();
    t = await startTestNode({ epochSeconds: 0 }, { dataDir, env });
    await until('the worker to look at the chain', async () => ((await t.client.chainStatus()).lastRoot ? true : undefined));
    const s = await t.client.chainStatus();
    expect(s.lastRoot!.tx).toBe(''); // known from the chain, not posted again
    expect(s.depositsCredited).toBe(0);
    expect((await t.client.account(people.requester.address)).prepaid).toBe(prepaid);
    // The only new anchor, if any, covers entries logged since (the withdrawal's).
    if (s.lastAnchor) expect(s.lastAnchor.treeSize).toBeGreaterThan(anchored);
  }, 60_000);

  it('keeps trying while the chain is down, and catches up when it is back', async () => {
    // The chain goes away (anvil keeps its state in its file on a clean exit).
    const stopped = new Promise((done) => anvil.once('exit', done));
    process.kill(-anvil.pid!, 'SIGTERM');
    await stopped;
    const probe = chainClients(rpc, ANVIL_DEV_KEY, 31337).publicClient;
    await until('anvil to stop answering', () => probe.getChainId().then(() => undefined, () => true));
    // Meanwhile the node goes on: another inference, another epoch.
    const gen = new TextGenerator(5);
    const doc = Array.from({ length: 3 }, () => gen.document(120))[1];
    await t.client.recordInference(await apiKeyOf(t.client, people.requester.signer), { model: 'lore-chat@1', provider: people.provider.address, inputTokens: 50, output: doc.slice(0, 200) });
    const closed = await t.client.closeEpoch();
    const failing = await until('the worker to fail', async () => {
      const s = await t.client.chainStatus();
      return s.failures >= 2 ? s : undefined;
    });
    expect(failing.lastError?.message).toBeTruthy();
    expect(failing.pendingEpochs).toBe(1);
    expect(failing.nextAttemptAt).toBeDefined();
    // Back: the worker posts the missed root and anchor and funds the new payouts.
    await startAnvil();
    const caught = await until(
      'the worker to catch up',
      async () => {
        const s = await t.client.chainStatus();
        return s.lastRoot?.epoch === closed.result.epoch && s.failures === 0 ? s : undefined;
      },
      90_000,
    );
    expect(caught.pendingEpochs).toBe(0);
    expect(caught.lastAnchor!.treeSize).toBeGreaterThanOrEqual(closed.index);
    const pub = chainClients(rpc, ANVIL_DEV_KEY, 31337).publicClient;
    expect((await latestPayoutRoot(pub, t.node.config.chain!.contracts.distributor as Address)).epoch).toBe(BigInt(closed.result.epoch as number));
    // The authors can claim the new epoch's difference.
    const r = await cli('a1', ['claim']);
    expect(r.code, r.stderr).toBe(0);
    expect(await tokenBalance(pub, t.node.config.chain!.contracts.token as Address, people.a1.address)).toBe(BigInt((await t.client.account(people.a1.address)).paid));
    // After the fault: the whole log replays, and money is conserved.
    const report = await verifyTestData(t.dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.money?.conserved).toBe(true);
    expect((await t.client.money()).conserved).toBe(true);
  }, 150_000);
});
