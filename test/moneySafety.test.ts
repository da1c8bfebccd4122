// Play money never becomes real tokens, and a chain deployment is part of the record
// (issue 15, parts 1–3), attacked against real nodes, a real anvil and the real
// `tributary` command:
// - on a play-money ledger (the dev default) faucet credit cannot be withdrawn, and the
//   ledger cannot be bound to a chain, by `chain deploy` or by a chain.json written by hand;
// - on a real-money ledger (dev mode, bound to anvil) there is no faucet, a withdrawal needs
//   deposited money, and a dev inference spends only the balance whose API key is given;
// - a second deployment is refused once money moved under the first (by the command and by
//   the node), and allowed while none has.
// Each refusal leaves the log, the balances, the vault's tokens and chain.json as they were.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainClients } from '../src/chain/rpc.ts';
import { tokenBalance } from '../src/chain/token.ts';
import { ApiError } from '../src/client/errors.ts';
import { ANVIL_DEV_KEY } from '../src/cli/commands/chain.ts';
import { LocalSigner } from '../src/client/signer.ts';
import { chainConfigPath, loadChainConfig, writeChainConfig } from '../src/node/chainConfig.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { chainBinding } from '../src/settlement/records.ts';
import { runCli } from './helpers/runCli.ts';
import { databaseEnv, verifyTestData } from './helpers/testDatabase.ts';
import { apiKeyOf, startTestNode, type TestNode } from './helpers/testNode.ts';
import { freePort, until as untilThen } from './helpers/wait.ts';

const TOKEN = 10n ** 18n;
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000) => untilThen(what, f, ms, { ignoreErrors: true });
const env = { TRIBUTARY_CHAIN_POLL_MS: '100' };

interface Person {
  signer: LocalSigner;
  address: Address;
  keystore: string;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('the request was accepted');
}

describe('play money never becomes real tokens; a chain deployment is part of the record', () => {
  let dir: string;
  let anvil: ChildProcess;
  let rpc: string;
  const people: Record<string, Person> = {};
  const open: TestNode[] = [];
  const pub = () => chainClients(rpc, ANVIL_DEV_KEY, 31337).publicClient;
  const cli = async (who: string, nodeUrl: string, args: string[], dataDir?: string) =>
    runCli(nodeUrl, people[who].keystore, dir, ['--json', ...args], dataDir ? await databaseEnv(dataDir) : {});
  const deploy = (dataDir: string) => cli('attacker', 'http://127.0.0.1:9', ['chain', 'deploy', '--rpc', rpc, '--data', dataDir], dataDir);
  const start = async (dataDir: string) => {
    const t = await startTestNode({ epochSeconds: 0 }, { dataDir, env });
    open.push(t);
    return t;
  };
  const stop = async (t: TestNode) => {
    open.splice(open.indexOf(t), 1);
    await t.stop();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-money-'));
    const port = await freePort();
    rpc = `http://127.0.0.1:${port}`;
    const bin = createRequire(import.meta.url).resolve('@foundry-rs/anvil/bin.mjs');
    anvil = spawn(process.execPath, [bin, '--host', '127.0.0.1', '--port', String(port), '--chain-id', '31337'], { stdio: 'ignore', detached: true });
    await until('anvil', async () => (await pub().getChainId()) === 31337 || undefined);
    const deployer = chainClients(rpc, ANVIL_DEV_KEY, 31337);
    for (const name of ['attacker', 'victim']) {
      const key = ('0x' + Buffer.from(randomPrivateKey()).toString('hex')) as Hex;
      const signer = new LocalSigner(Buffer.from(key.slice(2), 'hex'));
      const keystore = join(dir, `${name}.json`);
      writeFileSync(keystore, JSON.stringify({ version: 1, accounts: [{ name, address: signer.address, privateKey: key }] }));
      people[name] = { signer, address: signer.address as Address, keystore };
      await deployer.publicClient.waitForTransactionReceipt({ hash: await deployer.walletClient.sendTransaction({ to: signer.address as Address, value: TOKEN }) });
    }
  }, 120_000);

  afterAll(async () => {
    for (const t of open.splice(0)) await t.stop();
    if (anvil?.pid && anvil.exitCode === null) process.kill(-anvil.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a play-money ledger: faucet credit is never withdrawn, and the ledger is never bound to a chain', async () => {
    const playDir = join(dir, 'play');
    const t = await start(playDir);
    expect((await t.client.node()).money).toBe('play');
    const attacker = people.attacker;
    await t.client.faucet(attacker.address, (100n * TOKEN).toString());
    const size = (await t.client.node()).size;

    // The attack of issue 15: withdraw faucet credit and redeem the voucher at the vault.
    const e = await refusal(t.client.act(attacker.signer, { type: 'Withdraw', amount: (100n * TOKEN).toString() }));
    expect(e.status).toBe(403);
    expect(e.field).toBe('action.type');
    expect(e.message).toMatch(/play money never leaves the ledger/);
    expect((await t.client.node()).size).toBe(size);
    expect((await t.client.account(attacker.address)).prepaid).toBe((100n * TOKEN).toString());
    expect(await t.client.money()).toMatchObject({ money: 'play', unbacked: (100n * TOKEN).toString(), backed: '0', conserved: true });
    await stop(t);

    // Binding it to a chain: `chain deploy` refuses before spending gas and writes nothing…
    const deployed = await deploy(playDir);
    expect(deployed.code).not.toBe(0);
    expect(deployed.stderr).toMatch(/play money .*can never be bound to a chain/);
    expect(existsSync(chainConfigPath(playDir))).toBe(false);

    // …and a chain.json written by hand (another deployment's) stops the node from starting.
    const realDir = join(dir, 'elsewhere');
    const other = await deploy(realDir);
    expect(other.code, other.stderr).toBe(0);
    writeChainConfig(playDir, { ...loadChainConfig(realDir, {})!, startBlock: 0 });
    await expect(start(playDir)).rejects.toThrow(/holds play money .*can never be bound to a chain/);
    rmSync(chainConfigPath(playDir));
    const again = await start(playDir);
    expect((await again.client.node()).size).toBe(size);
    expect((await again.client.account(attacker.address)).prepaid).toBe((100n * TOKEN).toString());
    expect((await verifyTestData(playDir)).ok).toBe(true);
    await stop(again);
  }, 180_000);

  it('a real-money ledger in dev mode: no faucet, no withdrawal without a deposit, and no spending of a balance without its key', async () => {
    const realDir = join(dir, 'real');
    const deployed = await deploy(realDir);
    expect(deployed.code, deployed.stderr).toBe(0);
    const t = await start(realDir);
    expect(t.node.config.dev).toBe(true);
    expect((await t.client.node()).money).toBe('real');
    const c = t.node.config.chain!;
    const vault = c.contracts.vault as Address;
    const token = c.contracts.token as Address;
    expect(chainBinding(t.node.state)).toMatchObject({ chainId: 31337, vault: c.contracts.vault, distributor: c.contracts.distributor });

    // The victim deposits 20 real tokens.
    const funded = await cli('victim', t.url, ['chain', 'fund', '--tokens', '20', '--eth', '0']);
    expect(funded.code, funded.stderr).toBe(0);
    const dep = await cli('victim', t.url, ['deposit', '20']);
    expect(dep.code, dep.stderr).toBe(0);
    await until('the deposit to be credited', async () => ((await t.client.account(people.victim.address)).prepaid === (20n * TOKEN).toString() ? true : undefined));

    const attacker = people.attacker;
    const attackerKey = await apiKeyOf(t.client, attacker.signer);
    const size = (await t.client.node()).size;
    const held = await tokenBalance(pub(), token, vault);
    const unchanged = async () => {
      expect((await t.client.node()).size).toBe(size);
      expect(await tokenBalance(pub(), token, vault)).toBe(held);
      expect((await t.client.account(attacker.address)).prepaid).toBe('0');
      expect((await t.client.account(people.victim.address)).prepaid).toBe((20n * TOKEN).toString());
      expect(await t.client.money()).toMatchObject({ money: 'real', backed: (20n * TOKEN).toString(), unbacked: '0', conserved: true });
    };

    // 1. The faucet: a real-money ledger has none.
    const f = await refusal(t.client.faucet(attacker.address, (100n * TOKEN).toString()));
    expect(f.status).toBe(403);
    expect(f.message).toMatch(/real money .*never from a faucet/);
    await unchanged();

    // 2. A withdrawal of money never deposited.
    const w = await refusal(t.client.act(attacker.signer, { type: 'Withdraw', amount: (100n * TOKEN).toString() }));
    expect(w.status).toBe(402);
    await unchanged();

    // 3. A dev inference paid from the victim's balance: no key, or the attacker's own key.
    const noKey = await fetch(`${t.url}/v1/dev/inferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'any@1', requester: people.victim.address, provider: attacker.address, inputTokens: 1_000_000, output: 'x' }),
    });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { field: string } }).error.field).toBe('authorization');
    const wrongKey = await refusal(t.client.recordInference(attackerKey, { model: 'any@1', requester: people.victim.address, provider: attacker.address, inputTokens: 1_000_000, output: 'x' }));
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.field).toBe('requester');
    await unchanged();

    // The victim's own withdrawal: the voucher names the bound vault, and pays once.
    const r = await cli('victim', t.url, ['withdraw', '5']);
    expect(r.code, r.stderr).toBe(0);
    const index = JSON.parse(r.stdout).withdrawal as number;
    const v = await t.client.withdrawalVoucher(index);
    expect(v.vault).toBe(c.contracts.vault);
    expect(await tokenBalance(pub(), token, people.victim.address)).toBe(5n * TOKEN);
    expect((await verifyTestData(realDir)).ok).toBe(true);
    await stop(t);
  }, 180_000);

  it('a second deployment is refused once money moved under the first, by the command and by the node, and nothing changes', async () => {
    const realDir = join(dir, 'real');
    const bound = readFileSync(chainConfigPath(realDir), 'utf8');
    const again = await deploy(realDir);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/money moved under the current binding .*pay withdrawals and payouts a second time/);
    expect(readFileSync(chainConfigPath(realDir), 'utf8')).toBe(bound);

    // Around the command: other contracts in chain.json. The node refuses to start on them.
    const first = await start(realDir);
    const size = (await first.client.node()).size;
    const victim = await first.client.account(people.victim.address);
    await stop(first);
    const otherDir = join(dir, 'other');
    const other = await deploy(otherDir);
    expect(other.code, other.stderr).toBe(0);
    const config = JSON.parse(bound);
    writeChainConfig(realDir, { ...config, contracts: loadChainConfig(otherDir, {})!.contracts });
    await expect(start(realDir)).rejects.toThrow(/cannot settle on chain 31337 .*money moved under the current binding/);
    writeFileSync(chainConfigPath(realDir), bound);
    const back = await start(realDir);
    expect((await back.client.node()).size).toBe(size);
    expect(await back.client.account(people.victim.address)).toEqual(victim);
    expect((await verifyTestData(realDir)).ok).toBe(true);
    await stop(back);
  }, 180_000);

  it('a second deployment is bound, as a new log entry, while no money moved under the first', async () => {
    const freshDir = join(dir, 'fresh');
    expect((await deploy(freshDir)).code).toBe(0);
    const t = await start(freshDir);
    const firstBinding = chainBinding(t.node.state)!;
    await stop(t);
    const again = await deploy(freshDir);
    expect(again.code, again.stderr).toBe(0);
    const vault = JSON.parse(again.stdout).contracts.vault as string;
    const t2 = await start(freshDir);
    const b = chainBinding(t2.node.state)!;
    expect(b.vault).toBe(vault);
    expect(b.vault).not.toBe(firstBinding.vault);
    expect(b.index).toBeGreaterThan(firstBinding.index);
    expect((await t2.client.chainStatus()).contracts?.vault).toBe(vault);
    expect((await verifyTestData(freshDir)).ok).toBe(true);
    await stop(t2);
  }, 180_000);
});
