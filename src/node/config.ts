// Node configuration: embedded defaults, overridden by environment variables, then by
// command-line flags. Every knob a user can turn is listed here and in docs/configuration.md.
import { isIP } from 'node:net';
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { MONEY_KINDS, type MoneyKind } from '../protocol/genesis.ts';
import { defaultAuthWorkers } from './authPool.ts';
import { type ChainConfig, loadChainConfig } from './chainConfig.ts';
import type { ClusterOptions } from './cluster.ts';

export interface NodeConfig {
  dataDir: string;
  /** postgres://… to keep the log in PostgreSQL (several API nodes, one sequencer); none: SQLite in dataDir. */
  databaseUrl?: string;
  /** Several nodes on one database: how they share the sequencer (used with databaseUrl only). */
  cluster: ClusterOptions;
  host: string;
  port: number;
  /** The EIP-712 chain id in the signing domain, fixed in the log's genesis entry. */
  chainId: number;
  /** Largest contribution accepted, in bytes. */
  maxContentBytes: number;
  /** Largest model file (base model or adapter) accepted, in bytes. */
  maxModelBytes: number;
  /** Bytes one account may hold in uploaded model files and staged blobs (TRIBUTARY_UPLOAD_QUOTA_BYTES). */
  uploadQuotaBytes: number;
  /** How long a model file that nothing registered references is kept after its last upload, in ms (TRIBUTARY_UNREFERENCED_FILE_SECONDS). */
  unreferencedFileMs: number;
  /** How long a staged blob waits for the Contribute that claims it, in ms (TRIBUTARY_STAGED_BLOB_SECONDS). */
  stagedBlobMs: number;
  /** How often the node sweeps unreferenced files and expired blobs, in ms; 0: never (TRIBUTARY_UPLOAD_SWEEP_SECONDS). */
  uploadSweepMs: number;
  /** How long a worker's lease on a training job lasts without a heartbeat, in seconds. */
  leaseSeconds: number;
  /** The longest one worker may hold one job, heartbeats or not, in seconds (no squatting). */
  maxJobSeconds: number;
  /** Threads llama.cpp uses for inference (explicit: its default is far too slow on small machines). */
  inferenceThreads: number;
  /** Memory for served adapters and their contexts, in bytes (base weights not counted). */
  servingMemoryBytes: number;
  /** Requests for one adapter that run together as sequences of one context. */
  batchSequences: number;
  /** Batches (each for one adapter) generating at once. */
  parallelBatches: number;
  /** Where the node settles on chain (DATA/chain.json and TRIBUTARY_RPC_URL etc.); none: no chain. */
  chain?: ChainConfig;
  /** A remote OpenAI-compatible server to generate with instead of the embedded llama.cpp. */
  backend?: { url: string; key?: string; names: Record<string, string> };
  /** Longest a served call may generate before it is cut, in milliseconds. */
  requestTimeoutMs: number;
  /** The account paid the compute share of calls this node serves (default: each model's owner). */
  computeAccount?: string;
  /** Largest batch the sequencer commits in one transaction. */
  maxBatch: number;
  /** Worker threads that check signatures off the sequencer's thread (0: check in-line). */
  authWorkers: number;
  /** Worker threads for the heavy steps of requests: tokenizing, attribution, content checks (0: in-line). */
  cpuWorkers: number;
  /** The most CPU time one such step may take, in ms, before it is stopped and its request answered 503. */
  cpuBudgetMs: number;
  /** The most time re-measuring one training result (CompleteTrainingJob) may take on a CPU worker, in ms. */
  evalBudgetMs: number;
  /** Create the demo datanet on first start. */
  demo: boolean;
  /** Dev-only conveniences: the faucet (on a play-money ledger), recording inferences by hand, closing epochs by hand. */
  dev: boolean;
  /** The money a NEW ledger holds (TRIBUTARY_MONEY); unset: real with a chain or in production, else play. An existing ledger keeps its genesis's. */
  money?: MoneyKind;
  /** Close a payout epoch this often, in seconds, when anything was earned (0: never by timer). */
  epochSeconds: number;
  /** GET /readyz fails once the chain worker has failed more than this many passes in a row. */
  readyChainFailures: number;
  /** Requests a second, and the burst, from one client address (all routes); perSecond 0: off. */
  rateIp: RateSetting;
  /** The same for one signing account on POST /v1/actions. */
  rateAccount: RateSetting;
  /** The same for one API key on the OpenAI-compatible routes. */
  rateApiKey: RateSetting;
  /** Client addresses no rate limit applies to: the operator's own (loopback by default). */
  rateExempt: string[];
  /** Proxies (addresses or CIDR ranges) whose X-Forwarded-For names the client; none: the peer is the client. */
  trustProxy: string[];
  /** A request's headers must all arrive within this, in milliseconds (slow-loris). */
  headersTimeoutMs: number;
  /** A whole request, body included (model uploads too), must arrive within this, in milliseconds. */
  bodyTimeoutMs: number;
  /** Which part of every attribution index this node holds, and who holds the rest (TRIBUTARY_ATTRIBUTION_*). */
  attribution: AttributionSharding;
}

export interface RateSetting {
  perSecond: number;
  burst: number;
}

export const DEFAULT_PORT = 8790;

/**
 * The most CPU one heavy step of a request may take (tokenizing and matching the longest
 * text a route accepts, checking the largest contribution): about three times what the
 * largest inputs cost on a busy 2-core machine (docs/attribution.md, "Limits").
 */
export const DEFAULT_CPU_BUDGET_MS = 30_000;

/**
 * The most time re-measuring a training result may take: its held-out windows are capped
 * (MAX_EVAL_WINDOWS), so this bounds only a base model far larger than the demo's, whose
 * 32 windows take seconds on a busy 2-core machine.
 */
export const DEFAULT_EVAL_BUDGET_MS = 600_000;

/** The most requests of one adapter that may run as sequences of one context. */
export const MAX_BATCH_SEQUENCES = 2;

export function defaultDataDir(): string {
  return join(homedir(), '.tributary', 'node');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function int(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** `R` or `R,B`: R requests a second (decimals allowed), bursts of B (default 2R, at least 1); `0`: off. */
function rate(name: string, text: string | undefined, fallback: RateSetting): RateSetting {
  if (text === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:,\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw new ConfigError(`${name} must be RATE or RATE,BURST (requests a second, burst; 0: off), got ${JSON.stringify(text)}`);
  const perSecond = Number(m[1]);
  const burst = m[2] === undefined ? Math.max(1, Math.ceil(2 * perSecond)) : Number(m[2]);
  if (perSecond > 0 && burst < 1) throw new ConfigError(`${name}: the burst must be at least 1, got ${burst}`);
  return { perSecond, burst };
}

function address(name: string, text: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new ConfigError(`${name} must be a 0x-prefixed 20-byte hex address, got ${JSON.stringify(text)}`);
  return text.toLowerCase();
}

function backend(env: NodeJS.ProcessEnv): NonNullable<NodeConfig['backend']> {
  const url = env.TRIBUTARY_BACKEND_URL ?? '';
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new ConfigError(`TRIBUTARY_BACKEND_URL must be an http(s) URL such as http://127.0.0.1:8000/v1, got ${JSON.stringify(url)}`);
  const names: Record<string, string> = {};
  for (const pair of (env.TRIBUTARY_BACKEND_MODELS ?? '').split(',').filter((p) => p.trim() !== '')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(pair);
    if (!m) throw new ConfigError(`TRIBUTARY_BACKEND_MODELS must be a comma-separated list of id=remote-name, got ${JSON.stringify(pair)}`);
    names[m[1]] = m[2];
  }
  return { url, ...(env.TRIBUTARY_BACKEND_KEY ? { key: env.TRIBUTARY_BACKEND_KEY } : {}), names };
}

function chainOf(dataDir: string, env: NodeJS.ProcessEnv): { chain?: ChainConfig } {
  const chain = loadChainConfig(dataDir, env);
  return chain ? { chain } : {};
}

export interface ConfigFlags {
  data?: string;
  port?: string;
  host?: string;
  chainId?: string;
  maxContentBytes?: string;
  demo?: boolean;
}

export function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const dataDir = resolve(flags.data ?? env.TRIBUTARY_DATA ?? defaultDataDir());
  const portText = flags.port ?? env.TRIBUTARY_PORT;
  const chainText = flags.chainId ?? env.TRIBUTARY_CHAIN_ID;
  const maxText = flags.maxContentBytes ?? env.TRIBUTARY_MAX_CONTENT_BYTES;
  return {
    dataDir,
    ...(env.DATABASE_URL ? { databaseUrl: databaseUrl(env.DATABASE_URL) } : {}),
    cluster: {
      leasePollMs: env.TRIBUTARY_TAKEOVER_MS === undefined ? 500 : int('TRIBUTARY_TAKEOVER_MS', env.TRIBUTARY_TAKEOVER_MS, 10, 600_000),
      pollMs: env.TRIBUTARY_QUEUE_POLL_MS === undefined ? 20 : int('TRIBUTARY_QUEUE_POLL_MS', env.TRIBUTARY_QUEUE_POLL_MS, 1, 60_000),
      followMs: env.TRIBUTARY_FOLLOW_POLL_MS === undefined ? 20 : int('TRIBUTARY_FOLLOW_POLL_MS', env.TRIBUTARY_FOLLOW_POLL_MS, 1, 600_000),
      answerTimeoutMs: env.TRIBUTARY_QUEUE_TIMEOUT_MS === undefined ? 30_000 : int('TRIBUTARY_QUEUE_TIMEOUT_MS', env.TRIBUTARY_QUEUE_TIMEOUT_MS, 100, 3_600_000),
    },
    host: flags.host ?? env.TRIBUTARY_HOST ?? '127.0.0.1',
    port: portText === undefined ? DEFAULT_PORT : int(flags.port ? '--port' : 'TRIBUTARY_PORT', portText, 0, 65535),
    chainId: chainText === undefined ? 31337 : int('chain id', chainText, 1, Number.MAX_SAFE_INTEGER),
    // 2 MiB: one contribution's intake (its JSON body, base64, hash, blob write) holds the
    // event loop for tens of milliseconds at this size and ~0.5-0.7 s at 16 MiB (measured,
    // bench/eventLoop.bench.ts); raise it knowing that cost.
    maxContentBytes: maxText === undefined ? 2 * 1024 * 1024 : int('max content bytes', maxText, 1, 1024 * 1024 * 1024),
    maxModelBytes:
      env.TRIBUTARY_MAX_MODEL_BYTES === undefined ? 8 * 1024 ** 3 : int('TRIBUTARY_MAX_MODEL_BYTES', env.TRIBUTARY_MAX_MODEL_BYTES, 1, Number.MAX_SAFE_INTEGER),
    uploadQuotaBytes:
      env.TRIBUTARY_UPLOAD_QUOTA_BYTES === undefined ? 16 * 1024 ** 3 : int('TRIBUTARY_UPLOAD_QUOTA_BYTES', env.TRIBUTARY_UPLOAD_QUOTA_BYTES, 0, Number.MAX_SAFE_INTEGER),
    unreferencedFileMs:
      (env.TRIBUTARY_UNREFERENCED_FILE_SECONDS === undefined ? 86_400 : int('TRIBUTARY_UNREFERENCED_FILE_SECONDS', env.TRIBUTARY_UNREFERENCED_FILE_SECONDS, 1, 365 * 86_400)) * 1000,
    stagedBlobMs: (env.TRIBUTARY_STAGED_BLOB_SECONDS === undefined ? 86_400 : int('TRIBUTARY_STAGED_BLOB_SECONDS', env.TRIBUTARY_STAGED_BLOB_SECONDS, 1, 365 * 86_400)) * 1000,
    uploadSweepMs: (env.TRIBUTARY_UPLOAD_SWEEP_SECONDS === undefined ? 600 : int('TRIBUTARY_UPLOAD_SWEEP_SECONDS', env.TRIBUTARY_UPLOAD_SWEEP_SECONDS, 0, 86_400)) * 1000,
    leaseSeconds: env.TRIBUTARY_LEASE_SECONDS === undefined ? 60 : int('TRIBUTARY_LEASE_SECONDS', env.TRIBUTARY_LEASE_SECONDS, 1, 86_400),
    maxJobSeconds: env.TRIBUTARY_MAX_JOB_SECONDS === undefined ? 6 * 3600 : int('TRIBUTARY_MAX_JOB_SECONDS', env.TRIBUTARY_MAX_JOB_SECONDS, 1, 30 * 86_400),
    servingMemoryBytes:
      (env.TRIBUTARY_SERVING_MEMORY_MB === undefined ? 512 : int('TRIBUTARY_SERVING_MEMORY_MB', env.TRIBUTARY_SERVING_MEMORY_MB, 1, 16 * 1024 * 1024)) * 1024 * 1024,
    // At most 2: with 3 or more sequences evaluated together, node-llama-cpp 3.21.1's llama.cpp
    // (CPU) mixed one sequence's text into another's on our models (measured; docs/serving.md).
    batchSequences: env.TRIBUTARY_BATCH_SEQUENCES === undefined ? 2 : int('TRIBUTARY_BATCH_SEQUENCES', env.TRIBUTARY_BATCH_SEQUENCES, 1, MAX_BATCH_SEQUENCES),
    parallelBatches: env.TRIBUTARY_PARALLEL_BATCHES === undefined ? 1 : int('TRIBUTARY_PARALLEL_BATCHES', env.TRIBUTARY_PARALLEL_BATCHES, 1, 64),
    ...(env.TRIBUTARY_BACKEND_URL === undefined ? {} : { backend: backend(env) }),
    ...chainOf(dataDir, env),
    requestTimeoutMs: env.TRIBUTARY_REQUEST_TIMEOUT_MS === undefined ? 120_000 : int('TRIBUTARY_REQUEST_TIMEOUT_MS', env.TRIBUTARY_REQUEST_TIMEOUT_MS, 100, 3_600_000),
    // One core is left to the event loop and the sequencer: llama.cpp's threads wait on each
    // other by spinning, and on 2 cores two of them beside a busy event loop ran the demo
    // model ten times slower than one (measured; docs/serving.md).
    inferenceThreads: env.TRIBUTARY_INFERENCE_THREADS === undefined ? Math.max(1, availableParallelism() - 1) : int('TRIBUTARY_INFERENCE_THREADS', env.TRIBUTARY_INFERENCE_THREADS, 1, 256),
    ...(env.TRIBUTARY_COMPUTE_ACCOUNT === undefined ? {} : { computeAccount: address('TRIBUTARY_COMPUTE_ACCOUNT', env.TRIBUTARY_COMPUTE_ACCOUNT) }),
    maxBatch: 4096,
    authWorkers:
      env.TRIBUTARY_AUTH_WORKERS === undefined ? defaultAuthWorkers() : int('TRIBUTARY_AUTH_WORKERS', env.TRIBUTARY_AUTH_WORKERS, 0, 64),
    cpuWorkers: env.TRIBUTARY_CPU_WORKERS === undefined ? defaultAuthWorkers() : int('TRIBUTARY_CPU_WORKERS', env.TRIBUTARY_CPU_WORKERS, 0, 64),
    cpuBudgetMs: env.TRIBUTARY_CPU_BUDGET_MS === undefined ? DEFAULT_CPU_BUDGET_MS : int('TRIBUTARY_CPU_BUDGET_MS', env.TRIBUTARY_CPU_BUDGET_MS, 10, 3_600_000),
    evalBudgetMs: env.TRIBUTARY_EVAL_BUDGET_MS === undefined ? DEFAULT_EVAL_BUDGET_MS : int('TRIBUTARY_EVAL_BUDGET_MS', env.TRIBUTARY_EVAL_BUDGET_MS, 1000, 86_400_000),
    demo: flags.demo ?? env.TRIBUTARY_DEMO !== '0',
    dev: env.NODE_ENV !== 'production',
    ...moneyOf(env),
    epochSeconds: env.TRIBUTARY_EPOCH_SECONDS === undefined ? 3600 : int('TRIBUTARY_EPOCH_SECONDS', env.TRIBUTARY_EPOCH_SECONDS, 0, 365 * 86400),
    readyChainFailures:
      env.TRIBUTARY_READY_CHAIN_FAILURES === undefined ? 5 : int('TRIBUTARY_READY_CHAIN_FAILURES', env.TRIBUTARY_READY_CHAIN_FAILURES, 0, 1_000_000),
    rateIp: rate('TRIBUTARY_RATE_IP', env.TRIBUTARY_RATE_IP, { perSecond: 50, burst: 100 }),
    rateAccount: rate('TRIBUTARY_RATE_ACCOUNT', env.TRIBUTARY_RATE_ACCOUNT, { perSecond: 10, burst: 30 }),
    rateApiKey: rate('TRIBUTARY_RATE_API_KEY', env.TRIBUTARY_RATE_API_KEY, { perSecond: 20, burst: 40 }),
    rateExempt: (env.TRIBUTARY_RATE_EXEMPT ?? '127.0.0.1,::1').split(',').map((a) => a.trim()).filter((a) => a !== ''),
    trustProxy: (env.TRIBUTARY_TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '').map((a) => proxyAddress(a)),
    headersTimeoutMs: env.TRIBUTARY_HEADERS_TIMEOUT_MS === undefined ? 20_000 : int('TRIBUTARY_HEADERS_TIMEOUT_MS', env.TRIBUTARY_HEADERS_TIMEOUT_MS, 100, 3_600_000),
    bodyTimeoutMs: env.TRIBUTARY_BODY_TIMEOUT_MS === undefined ? 600_000 : int('TRIBUTARY_BODY_TIMEOUT_MS', env.TRIBUTARY_BODY_TIMEOUT_MS, 100, 86_400_000),
    attribution: attributionSharding(env),
  };
}

function moneyOf(env: NodeJS.ProcessEnv): { money?: MoneyKind } {
  const m = env.TRIBUTARY_MONEY;
  if (m === undefined || m === '') return {};
  if (!(MONEY_KINDS as readonly string[]).includes(m))
    throw new ConfigError(`TRIBUTARY_MONEY must be "play" (dev faucet credit, never paid out) or "real" (chain deposits only), got ${JSON.stringify(m)}`);
  return { money: m as MoneyKind };
}

function databaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`DATABASE_URL is not a URL (not shown: it may hold a password); expected postgres://user:password@host:port/database`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new ConfigError(`DATABASE_URL: only PostgreSQL is supported (postgres://…), not ${url.protocol}; leave it unset for SQLite in the data directory`);
  return text;
}

// ── Attribution indexes split over nodes (docs/attribution.md, "Several nodes") ──

export interface AttributionSharding {
  /** This node indexes the contributions whose id % of == part; 0 of 1: all of them. */
  part: number;
  of: number;
  /** Base URLs of the nodes holding the other parts, asked on every query; none: this node only answers theirs. */
  peers: string[];
  /** How long a query waits for its peers (and for every part to reflect the same contents), in ms. */
  timeoutMs: number;
  /** The secret every part shares, proved on each shard query (TRIBUTARY_ATTRIBUTION_SECRET); required when split. */
  secret?: string;
}

/** The shortest TRIBUTARY_ATTRIBUTION_SECRET accepted: a guess must not be feasible. */
export const MIN_ATTRIBUTION_SECRET = 16;

function attributionSharding(env: NodeJS.ProcessEnv): AttributionSharding {
  const shard = (env.TRIBUTARY_ATTRIBUTION_SHARD ?? '').trim();
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  if (shard !== '' && !m)
    throw new ConfigError(`TRIBUTARY_ATTRIBUTION_SHARD must be K/N (this node indexes the contributions whose id % N == K), got ${JSON.stringify(shard)}`);
  const of = m ? int('TRIBUTARY_ATTRIBUTION_SHARD N', m[2], 1, 1024) : 1;
  const part = m ? int('TRIBUTARY_ATTRIBUTION_SHARD K', m[1], 0, of - 1) : 0;
  const peers = (env.TRIBUTARY_ATTRIBUTION_PEERS ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => {
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(p)) throw new ConfigError(`TRIBUTARY_ATTRIBUTION_PEERS must be a comma-separated list of node URLs such as http://10.0.0.2:8790, got ${JSON.stringify(p)}`);
    return p.replace(/\/+$/, '');
  });
  if (new Set(peers).size !== peers.length) throw new ConfigError(`TRIBUTARY_ATTRIBUTION_PEERS lists a node twice: ${peers.join(',')}`);
  if (peers.length > 0 && peers.length !== of - 1)
    throw new ConfigError(
      of === 1
        ? 'TRIBUTARY_ATTRIBUTION_PEERS is set, but this node holds the whole index: give each node its part with TRIBUTARY_ATTRIBUTION_SHARD=K/N'
        : `TRIBUTARY_ATTRIBUTION_PEERS lists ${peers.length} nodes, but the ${of - 1} other parts of TRIBUTARY_ATTRIBUTION_SHARD=${part}/${of} need one each (or none, for a node that only answers its peers)`,
    );
  const timeoutMs = env.TRIBUTARY_ATTRIBUTION_TIMEOUT_MS === undefined ? 30_000 : int('TRIBUTARY_ATTRIBUTION_TIMEOUT_MS', env.TRIBUTARY_ATTRIBUTION_TIMEOUT_MS, 100, 3_600_000);
  // Shard queries carry whole texts to tokenize and match: only the other parts may send them.
  const secret = env.TRIBUTARY_ATTRIBUTION_SECRET;
  if (of === 1 && secret !== undefined)
    throw new ConfigError('TRIBUTARY_ATTRIBUTION_SECRET is set, but this node holds the whole index: it answers no shard queries (set TRIBUTARY_ATTRIBUTION_SHARD=K/N to split it)');
  if (of > 1 && (secret === undefined || secret.length < MIN_ATTRIBUTION_SECRET))
    throw new ConfigError(
      `TRIBUTARY_ATTRIBUTION_SHARD=${part}/${of} needs TRIBUTARY_ATTRIBUTION_SECRET, a secret of at least ${MIN_ATTRIBUTION_SECRET} characters that every part shares: ` +
        `nodes prove it on each shard query, and a node answers none without it${secret === undefined ? '' : ` (the one given has ${secret.length})`}`,
    );
  return { part, of, peers, timeoutMs, ...(secret === undefined ? {} : { secret }) };
}

function proxyAddress(text: string): string {
  if (!isIP(text.split('/')[0]) || (text.includes('/') && !/^\d{1,3}$/.test(text.split('/')[1])))
    throw new ConfigError(`TRIBUTARY_TRUST_PROXY must list proxy addresses or CIDR ranges (10.0.0.5, 10.0.0.0/8, ::1), got ${JSON.stringify(text)}`);
  return text;
}
