// Where the node settles on chain: an RPC URL, the EVM chain id, the contracts, the
// settler key and how cautious to be. `tributary chain deploy` writes DATA/chain.json;
// environment variables override each field, so a node can be pointed at any EVM chain
// (a public testnet, an L2) without the deploy command. No chain.json and no
// TRIBUTARY_RPC_URL: the node runs without a chain (dev faucet only, no claims).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './configError.ts';

export interface ChainContracts {
  token: string;
  vault: string;
  distributor: string;
  anchor: string;
}

export interface ChainConfig {
  rpcUrl: string;
  /** The EVM chain id the RPC must report (checked at start). */
  chainId: number;
  contracts: ChainContracts;
  /** A file holding the settler's private key (0x hex): it posts roots and anchors, funds payouts and signs vouchers. */
  settlerKeyFile: string;
  /** Blocks a deposit must be buried under before it is credited. */
  confirmations: number;
  /** Post a log anchor at most this often, in seconds (and at every epoch close). */
  anchorSeconds: number;
  /** The block the contracts were deployed at: deposits are looked for from there. */
  startBlock: number;
  /** How often the chain worker looks at the chain, in milliseconds. */
  pollMs: number;
}

export function chainConfigPath(dataDir: string): string {
  return join(dataDir, 'chain.json');
}

export function defaultSettlerKeyFile(dataDir: string): string {
  return join(dataDir, 'settler.key');
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function uint(name: string, v: unknown, min: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw new ConfigError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

/** The chain configuration from DATA/chain.json and the environment, or undefined when there is none. */
export function loadChainConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): ChainConfig | undefined {
  const path = chainConfigPath(dataDir);
  let file: Partial<ChainConfig> & { contracts?: Partial<ChainContracts> } = {};
  if (existsSync(path)) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const rpcUrl = env.TRIBUTARY_RPC_URL ?? file.rpcUrl;
  if (rpcUrl === undefined) return undefined;
  if (!/^(https?|wss?):\/\/\S+$/.test(rpcUrl)) throw new ConfigError(`TRIBUTARY_RPC_URL must be an http(s) or ws(s) URL, got ${JSON.stringify(rpcUrl)}`);
  const contracts = {} as ChainContracts;
  for (const name of ['token', 'vault', 'distributor', 'anchor'] as const) {
    const envName = `TRIBUTARY_${name.toUpperCase()}_ADDRESS`;
    const v = env[envName] ?? file.contracts?.[name];
    if (typeof v !== 'string' || !ADDRESS.test(v)) throw new ConfigError(`the ${name} contract's address is missing or malformed (${envName}, or contracts.${name} in ${path}): got ${JSON.stringify(v)}; run tributary chain deploy`);
    contracts[name] = v.toLowerCase();
  }
  return {
    rpcUrl,
    chainId: uint('TRIBUTARY_EVM_CHAIN_ID (or chainId)', env.TRIBUTARY_EVM_CHAIN_ID ?? file.chainId, 1),
    contracts,
    settlerKeyFile: env.TRIBUTARY_SETTLER_KEY_FILE ?? file.settlerKeyFile ?? defaultSettlerKeyFile(dataDir),
    confirmations: uint('TRIBUTARY_CONFIRMATIONS (or confirmations)', env.TRIBUTARY_CONFIRMATIONS ?? file.confirmations ?? 2, 0),
    anchorSeconds: uint('TRIBUTARY_ANCHOR_SECONDS (or anchorSeconds)', env.TRIBUTARY_ANCHOR_SECONDS ?? file.anchorSeconds ?? 600, 1),
    startBlock: uint('startBlock', file.startBlock ?? 0, 0),
    pollMs: uint('TRIBUTARY_CHAIN_POLL_MS (or pollMs)', env.TRIBUTARY_CHAIN_POLL_MS ?? file.pollMs ?? 2000, 10),
  };
}

export function writeChainConfig(dataDir: string, c: ChainConfig): string {
  const path = chainConfigPath(dataDir);
  writeFileSync(path, JSON.stringify(c, null, 2) + '\n', { mode: 0o600 });
  return path;
}
