// `tributary chain devnet|deploy|fund|status`: a local EVM devnet (anvil, pinned in
// package.json, on 127.0.0.1 with its state kept in a file), deploying the contracts and
// writing their addresses into the node's DATA/chain.json, devnet tokens and gas for an
// account, and the node's chain worker's state. The node picks chain.json up at start.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Address, type Hex, formatEther, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { deployTributary } from '../../chain/deploy.ts';
import { withLedgerState } from '../../node/ledgerState.ts';
import { bindingRefusal } from '../../settlement/actions/bindChain.ts';
import { chainClients } from '../../chain/rpc.ts';
import { transferTokens } from '../../chain/token.ts';
import { defaultSettlerKeyFile, writeChainConfig } from '../../node/chainConfig.ts';
import { defaultDataDir } from '../../node/config.ts';
import { randomPrivateKey } from '../../protocol/secp256k1.ts';
import { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { formatTokens, parseTokens } from '../money.ts';

/** Anvil's first development account: a key published with anvil itself, for local devnets only. */
export const ANVIL_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const DEVNET_CHAIN_ID = 31337;

function anvilBin(): string {
  return createRequire(import.meta.url).resolve('@foundry-rs/anvil/bin.mjs');
}

/** The settler key in `path`, made (and kept, mode 600) if there is none. */
export function settlerKey(path: string): Hex {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, '0x' + Buffer.from(randomPrivateKey()).toString('hex') + '\n', { mode: 0o600 });
  }
  const key = readFileSync(path, 'utf8').trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new CliError(`${path} must hold one 0x-prefixed 32-byte hex private key`);
  return key as Hex;
}

export function registerChain(program: Command): void {
  const chain = program.command('chain').description('the EVM chain payouts settle on: a local devnet, deploying the contracts, the worker status');

  chain
    .command('devnet')
    .description('run a local EVM devnet (anvil) on 127.0.0.1, its state kept in a file across restarts; Ctrl-C stops it')
    .option('--port <n>', 'RPC port', '8545')
    .option('--state <file>', 'where the chain state is kept (default ~/.tributary/devnet/anvil-state.json)')
    .action(async (opts: { port: string; state?: string }) => {
      if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) throw new UsageError(`--port must be a port number, got ${opts.port}`);
      const state = resolve(opts.state ?? join(dirname(defaultDataDir()), 'devnet', 'anvil-state.json'));
      mkdirSync(dirname(state), { recursive: true });
      process.stderr.write(`devnet: http://127.0.0.1:${opts.port} (chain id ${DEVNET_CHAIN_ID}), state in ${state}\n`);
      process.stderr.write(`deploy with: tributary chain deploy --rpc http://127.0.0.1:${opts.port}\n`);
      // Its own process group (npm's launcher runs the anvil binary as a child): a signal to
      // this command reaches both, and anvil writes its state file on the way out.
      const child = spawn(process.execPath, [anvilBin(), '--host', '127.0.0.1', '--port', opts.port, '--chain-id', String(DEVNET_CHAIN_ID), '--state', state], { stdio: 'inherit', detached: true });
      for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.pid && process.kill(-child.pid, sig));
      const code = await new Promise<number>((done) => child.on('exit', (c) => done(c ?? 1)));
      if (code !== 0) throw new CliError(`anvil exited with code ${code}`);
    });

  chain
    .command('deploy')
    .description("deploy the token, deposit vault, payout distributor and log anchor, and write their addresses into the node's chain.json")
    .requiredOption('--rpc <url>', 'the chain RPC URL (a devnet: http://127.0.0.1:8545)')
    .option('--data <dir>', 'the node data directory whose chain.json to write (env TRIBUTARY_DATA; default ~/.tributary/node)')
    .option('--deployer-key <file>', 'a file with the deploying account\'s private key (env TRIBUTARY_DEPLOYER_KEY holds the key itself); on a devnet (chain 31337), anvil\'s first account by default')
    .option('--name <name>', 'token name', 'Tributary Credit')
    .option('--symbol <symbol>', 'token symbol', 'TRBC')
    .option('--supply <tokens>', 'whole supply minted to the deployer, in tokens', '1000000000')
    .option('--confirmations <n>', 'blocks before a deposit is credited', undefined)
    .option('--settler-gas <eth>', 'ether sent to the settler for gas when it has less than half of it', '1')
    .action(async (opts: { rpc: string; data?: string; deployerKey?: string; name: string; symbol: string; supply: string; confirmations?: string; settlerGas: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const dataDir = resolve(opts.data ?? process.env.TRIBUTARY_DATA ?? defaultDataDir());
      const probe = chainClients(opts.rpc, ANVIL_DEV_KEY);
      const chainId = await probe.publicClient.getChainId().catch((e: unknown) => {
        throw new CliError(`cannot reach ${opts.rpc}: ${(e as Error).message.split('\n')[0]}`, 1, 'start a devnet with: tributary chain devnet');
      });
      const deployerKey = (opts.deployerKey ? readFileSync(opts.deployerKey, 'utf8').trim() : process.env.TRIBUTARY_DEPLOYER_KEY) ?? (chainId === DEVNET_CHAIN_ID ? ANVIL_DEV_KEY : undefined);
      if (!deployerKey || !/^0x[0-9a-fA-F]{64}$/.test(deployerKey)) throw new UsageError(`chain ${chainId} is not a devnet: give the deploying account with --deployer-key FILE or TRIBUTARY_DEPLOYER_KEY (0x + 64 hex digits)`);
      // Refuse before spending gas: a play-money ledger is never bound, and one under whose
      // binding money moved is never bound again (the node would refuse the new contracts).
      const zero = '0x' + '00'.repeat(20);
      const refusal = withLedgerState({ dataDir, ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}) }, (state) =>
        bindingRefusal(state, { chainId, token: zero, vault: zero, distributor: zero, anchor: zero }),
      );
      if (refusal) throw new CliError(`will not deploy for the ledger in ${dataDir}: ${refusal.message}`);
      const settlerKeyFile = defaultSettlerKeyFile(dataDir);
      const settler = privateKeyToAccount(settlerKey(settlerKeyFile)).address;
      const clients = chainClients(opts.rpc, deployerKey as Hex, chainId);
      const supply = parseTokens(opts.supply, '--supply');
      const startBlock = await clients.publicClient.getBlockNumber();
      ctx.note(`deploying from ${clients.walletClient.account.address} on chain ${chainId}…`);
      const d = await deployTributary(clients, { tokenName: opts.name, tokenSymbol: opts.symbol, initialSupply: supply, settler, voucherSigner: settler });
      const gas = parseEther(opts.settlerGas);
      if ((await clients.publicClient.getBalance({ address: settler })) < gas / 2n) {
        const hash = await clients.walletClient.sendTransaction({ to: settler, value: gas });
        await clients.publicClient.waitForTransactionReceipt({ hash });
      }
      const confirmations = opts.confirmations === undefined ? (chainId === DEVNET_CHAIN_ID ? 0 : 2) : Number(opts.confirmations);
      if (!Number.isSafeInteger(confirmations) || confirmations < 0) throw new UsageError(`--confirmations must be a whole number, got ${opts.confirmations}`);
      const contracts = { token: d.token.toLowerCase(), vault: d.vault.toLowerCase(), distributor: d.distributor.toLowerCase(), anchor: d.anchor.toLowerCase() };
      const path = writeChainConfig(dataDir, { rpcUrl: opts.rpc, chainId, contracts, settlerKeyFile, confirmations, anchorSeconds: 600, startBlock: Number(startBlock), pollMs: 2000 });
      ctx.out({ chainId, contracts, settler: settler.toLowerCase(), deployer: clients.walletClient.account.address.toLowerCase(), config: path, gasUsed: Object.fromEntries(Object.entries(d.gasUsed).map(([k, v]) => [k, v.toString()])) }, () => [
        `deployed on chain ${chainId} (${opts.rpc}):`,
        `  token        ${contracts.token}  (${opts.name}, ${opts.symbol}; ${formatTokens(supply)} to ${clients.walletClient.account.address})`,
        `  vault        ${contracts.vault}`,
        `  distributor  ${contracts.distributor}`,
        `  anchor       ${contracts.anchor}`,
        `  settler      ${settler} (key in ${settlerKeyFile}; ${formatEther(gas)} ETH for gas if it had less than half)`,
        `wrote ${path}: restart the node (tributary start --data ${dataDir}) to settle there`,
      ]);
    });

  chain
    .command('fund')
    .description("devnet only: send tokens and ether from the deployer (anvil's first account) to an account, to try deposits and claims")
    .argument('[account]', 'address or keystore account name (default: your account)')
    .option('--tokens <n>', 'tokens to send', '100')
    .option('--eth <n>', 'ether to send for gas', '1')
    .option('--rpc <url>', "the chain RPC URL (default: the node's)")
    .action(async (ref: string | undefined, opts: { tokens: string; eth: string; rpc?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const to = ctx.address(ref) as Address;
      const { client } = await ctx.connect();
      const s = await client.chainStatus();
      if (!s.configured || !s.contracts || !s.rpcUrl) throw new CliError('this node settles on no chain', 1, 'tributary chain devnet, then tributary chain deploy --rpc URL');
      if (s.chainId !== DEVNET_CHAIN_ID) throw new UsageError(`chain ${s.chainId} is not a devnet: get tokens and ether there the usual way`);
      const clients = chainClients(opts.rpc ?? s.rpcUrl, ANVIL_DEV_KEY, DEVNET_CHAIN_ID);
      const tokens = parseTokens(opts.tokens, '--tokens');
      await transferTokens(clients, s.contracts.token as Address, to, tokens);
      await clients.publicClient.waitForTransactionReceipt({ hash: await clients.walletClient.sendTransaction({ to, value: parseEther(opts.eth) }) });
      ctx.out({ account: to, tokens: tokens.toString(), eth: opts.eth }, () => `sent ${formatTokens(tokens)} and ${opts.eth} ETH to ${to}`);
    });

  chain
    .command('status')
    .description("the node's chain worker: contracts, deposits credited, the latest root, anchor and funding posted, failures")
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { client } = await ctx.connect();
      const s = await client.chainStatus();
      ctx.out(s, () =>
        !s.configured
          ? 'this node has no chain configured: tributary chain devnet, then tributary chain deploy --rpc URL, then restart the node'
          : [
              `chain ${s.chainId} at ${s.rpcUrl}, settler ${s.settler}`,
              `  contracts   token ${s.contracts?.token}, vault ${s.contracts?.vault}, distributor ${s.contracts?.distributor}, anchor ${s.contracts?.anchor}`,
              `  deposits    ${s.depositsCredited} credited this run, scanned to block ${s.depositsScannedTo ?? '-'} (${s.confirmations} confirmations)`,
              `  root        ${s.lastRoot ? `epoch ${s.lastRoot.epoch} ${s.lastRoot.root}${s.lastRoot.tx ? ` (tx ${s.lastRoot.tx})` : ''}` : 'none posted yet'}; ${s.pendingEpochs} epochs pending`,
              `  anchor      ${s.lastAnchor ? `tree size ${s.lastAnchor.treeSize} (tx ${s.lastAnchor.tx})` : 'none posted by this run'}`,
              `  funding     ${s.lastFunding ? `${formatTokens(s.lastFunding.amount)} moved to the distributor (tx ${s.lastFunding.tx})` : 'nothing moved by this run'}${s.unfunded ? `; ${formatTokens(s.unfunded)} unfunded (credited without an on-chain deposit)` : ''}`,
              ...(s.lastError ? [`  last error  ${s.lastError.message} (${s.lastError.at}); ${s.failures} failures in a row, next try ${s.nextAttemptAt ?? 'now'}`] : []),
            ],
      );
    });
}
