// Load on loopback: autocannon, in this process, against real nodes, each a `tributary
// start` child process on 127.0.0.1, for each store (SQLite, PostgreSQL) and each count of
// API nodes (1, 2). It measures signed contributions a second and OpenAI-compatible chat
// completions a second, with the p50 and p99 latency of the answered (2xx) ones; refusals
// and errors are counted apart, never as throughput. Each measurement runs for a fixed
// time. A cluster that cannot be started is a row "not measured", with the reason, and never
// fails the rest of the bench. A plain script; `runLoadBench()` returns the figures for
// bench/run.ts.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { TributaryFileClient } from '../src/cli/fileClient.ts';
import { type ActionTypes, type Domain, LocalSigner } from '../src/client/signer.ts';
import { demoBasePath } from '../src/models/demoBase.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { type PostgresServer, startPostgres } from '../test/helpers/postgres.ts';
import { type ServerProcess, startServerProcess } from './serverProcess.ts';
import { signedContribution } from './signedContribution.ts';

export type Store = 'SQLite' | 'PostgreSQL';

export interface ClusterSpec {
  /** postgres://… for PostgreSQL; none: SQLite in a fresh data directory. */
  databaseUrl?: string;
  nodes: 1 | 2;
}

export interface Cluster {
  /** The API nodes' base URLs; the load is spread over them connection by connection. */
  urls: string[];
  stop(): Promise<void>;
}

/** The cluster asked for cannot be started (yet): its rows are reported as not measured. */
export class ClusterUnavailable extends Error {
  override readonly name = 'ClusterUnavailable';
}

/** Starts `spec.nodes` API nodes on one store, on 127.0.0.1, and returns their URLs. */
export async function startCluster(spec: ClusterSpec): Promise<Cluster> {
  // Several nodes share one log only through PostgreSQL.
  if (spec.databaseUrl === undefined && spec.nodes !== 1) throw new ClusterUnavailable('several API nodes need PostgreSQL (SQLite is one node\'s file)');
  const dirs = Array.from({ length: spec.nodes }, () => mkdtempSync(join(tmpdir(), 'tributary-bench-load-')));
  const servers: ServerProcess[] = [];
  // SQLite: the node must not pick up a DATABASE_URL meant for the PostgreSQL rows.
  // Dev mode whatever this process's NODE_ENV (a Vite build earlier in `npm run bench` sets it
  // to production): the fixtures fund the payer from the faucet.
  const { DATABASE_URL: _postgres, NODE_ENV: _mode, ...base } = process.env;
  const env = spec.databaseUrl === undefined ? base : { ...base, DATABASE_URL: spec.databaseUrl };
  const stop = async () => {
    for (const s of servers.reverse()) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    servers.push(await startServerProcess(dirs[0], [], 60_000, env));
    // The other nodes sign with the same key (one log, one key) and read model files from
    // the same directory: the fixtures upload the model to the first node.
    mkdirSync(join(dirs[0], 'models'), { recursive: true });
    for (const d of dirs.slice(1)) {
      copyFileSync(join(dirs[0], 'node.key'), join(d, 'node.key'));
      symlinkSync(join(dirs[0], 'models'), join(d, 'models'));
      servers.push(await startServerProcess(d, [], 60_000, env));
    }
    return { urls: servers.map((s) => s.url), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface LoadFigures {
  /** Answered (2xx) requests a second. */
  perSecond: number;
  /** Latency of the answered requests, in milliseconds (autocannon's 1 ms resolution). */
  p50Ms: number;
  p99Ms: number;
  /** Answered with 2xx. */
  ok: number;
  /** Answered with any other status. */
  refused: number;
  /** Connection errors and timeouts. */
  errors: number;
  seconds: number;
  connections: number;
  /** Share of one core the load generator (this process) used: it shares the machine with the nodes. */
  loadGeneratorCpu: number;
  /** The first few distinct refusals, `status body`, to say why. */
  refusals: string[];
}

export interface ContributionFigures extends LoadFigures {
  /** Entries per committed transaction, over the measured run. */
  meanBatch: number;
  /** Requests signed during the run because the pre-signed pool ran out (load-generator CPU). */
  signedDuringRun: number;
}

export type LoadRow = { store: Store; nodes: 1 | 2 } & (
  | { contributions: ContributionFigures; inferences: LoadFigures }
  | { notMeasured: string }
);

export interface LoadOptions {
  /** Seconds each measurement runs (after a warm-up of 1 s). */
  seconds: number;
  contributionConnections: number;
  inferenceConnections: number;
  /** Output tokens per inference (OpenAI's max_tokens). */
  maxTokens: number;
  /** Where PostgreSQL is; none: its rows are not measured. */
  databaseUrl?: string;
}

export const LOAD_DEFAULTS: LoadOptions = {
  seconds: 10,
  contributionConnections: 64,
  // The embedded backend runs at most 2 sequences of one adapter at once: more clients than
  // a few only queue, and add their wait to the latency.
  inferenceConnections: 8,
  // As bench/serving.bench.ts measures in process: the two can be compared.
  maxTokens: 16,
};

/** The PostgreSQL the bench may use: DATABASE_URL when it names one. */
export function postgresUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
}

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');
const RIVERS = ['Amazon', 'Danube', 'Mekong', 'Niger', 'Volga', 'Murray', 'Yukon', 'Rhine', 'Ganges', 'Orinoco', 'Zambezi', 'Mississippi'];
const DATANET = 'load';
const MODEL = 'load-chat';
// Prices small enough that the faucet's 1,000 tokens pay for millions of calls; every fee
// is still split and journalled like any other.
const PRICE_PER_1K = (10n ** 15n).toString();

interface Fixtures {
  domain: Domain;
  types: ActionTypes;
  apiKey: string;
}

/**
 * What the load needs, made through the public API as a user would: a datanet with a
 * first version, the demo base model registered as a model on that version (so that every
 * inference is attributed against it), and an API key whose account is funded.
 */
async function makeFixtures(url: string): Promise<Fixtures> {
  const client = new TributaryFileClient(url, { timeoutMs: 60_000 });
  const owner = new LocalSigner(randomPrivateKey());
  const payer = new LocalSigner(randomPrivateKey());
  await client.act(owner, { type: 'CreateDatanet', name: DATANET, description: 'load benchmark', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
  for (const [i, river] of RIVERS.entries()) {
    const text = Buffer.from(`# Notes on the ${river}\n\nThe ${river} gathers water from ${i * 7 + 3} named tributaries before it reaches the sea.\n`);
    await client.act(owner, { type: 'Contribute', datanet: DATANET, contentHash: sha(text), size: text.length, fileName: `seed-${i}.md` }, text);
  }
  await client.act(owner, { type: 'Snapshot', datanet: DATANET });
  const basePath = demoBasePath();
  const base = sha(readFileSync(basePath));
  await client.uploadModelFile(base, basePath, owner);
  await client.act(owner, { type: 'RegisterBaseModel', name: 'load-base', file: base });
  await client.act(owner, {
    type: 'RegisterModel', name: MODEL, datanet: DATANET, snapshot: 1, base, adapter: '0x' + '00'.repeat(32), job: 0,
    pricePer1kInput: PRICE_PER_1K, pricePer1kOutput: PRICE_PER_1K, dataBps: 5000, ownerBps: 2500, computeBps: 2000, treasuryBps: 500, baselineBps: 2000,
  });
  await client.faucet(payer.address, (1000n * 10n ** 18n).toString());
  const apiKey = `trib_${randomBytes(24).toString('hex')}`;
  await client.act(payer, { type: 'CreateApiKey', keyHash: sha(Buffer.from(apiKey)), label: 'load' });
  const { domain, types } = await client.actionTypes();
  return { domain, types, apiKey };
}

interface Target {
  urls: string[];
  connections: number;
  seconds: number;
  path: string;
  headers: Record<string, string>;
  /** The body of the next request: called once per request sent. */
  nextBody(): string;
}

// @types/autocannon describes 7.x, where `url` is one string; 9.x also takes several and
// spreads the connections over them in turn.
type CannonOptions = Omit<autocannon.Options, 'url'> & { url: string | string[] };
const cannon = autocannon as unknown as (options: CannonOptions) => Promise<autocannon.Result>;

/** A closed loop of `connections` keep-alive connections, each sending its next request when answered. */
async function hammer(t: Target): Promise<LoadFigures> {
  const refusals = new Map<string, true>();
  const cpu0 = process.cpuUsage();
  const r = await cannon({
    url: t.urls,
    connections: t.connections,
    duration: t.seconds,
    timeout: 60,
    // Latency of the answered requests only: a fast refusal must not flatter it.
    excludeErrorStats: true,
    requests: [
      {
        method: 'POST',
        path: t.path,
        headers: { 'content-type': 'application/json', ...t.headers },
        setupRequest: (req) => ({ ...req, body: t.nextBody() }),
        onResponse: (status, body) => {
          if ((status < 200 || status > 299) && refusals.size < 3) refusals.set(`${status} ${body.slice(0, 300)}`, true);
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpu0);
  return {
    perSecond: r['2xx'] / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok: r['2xx'],
    refused: r.non2xx,
    errors: r.errors,
    seconds: r.duration,
    connections: t.connections,
    loadGeneratorCpu: (cpu.user + cpu.system) / 1e6 / r.duration,
    refusals: [...refusals.keys()],
  };
}

async function committed(urls: string[]): Promise<{ entries: number; batches: number }> {
  const all = await Promise.all(urls.map(async (u) => (await (await fetch(`${u}/healthz`)).json()) as { entries?: number; batches?: number }));
  return { entries: all.reduce((s, h) => s + (h.entries ?? 0), 0), batches: all.reduce((s, h) => s + (h.batches ?? 0), 0) };
}

async function measureContributions(urls: string[], f: Fixtures, o: LoadOptions): Promise<ContributionFigures> {
  const signers = Array.from({ length: 64 }, () => new LocalSigner(randomPrivateKey()));
  const run = randomBytes(4).toString('hex');
  let made = 0;
  const sign = () => {
    const i = made++;
    const text = `Load contribution ${run}-${i}: the ${RIVERS[i % RIVERS.length]} carried ${i} boats past the mill today.\n`;
    return signedContribution(signers[i % signers.length], f.domain, f.types, DATANET, text, `load-${i}.txt`);
  };
  // Pre-signed, so that the load generator only sends; a pool that runs out is topped up
  // as it goes (counted, since signing then takes this process's CPU).
  const pool = (n: number) => {
    const bodies = Array.from({ length: n }, sign);
    let next = 0;
    let extra = 0;
    return { body: () => (next < bodies.length ? bodies[next++] : (extra++, sign())), extra: () => extra };
  };
  const target = (seconds: number, p: ReturnType<typeof pool>): Target => ({ urls, connections: o.contributionConnections, seconds, path: '/v1/actions', headers: {}, nextBody: p.body });
  await hammer(target(1, pool(3_000))); // warm-up: the JIT, the connections, the first pages of the database
  const measured = pool(o.seconds * 3_000);
  const before = await committed(urls);
  const figures = await hammer(target(o.seconds, measured));
  const after = await committed(urls);
  return { ...figures, meanBatch: (after.entries - before.entries) / Math.max(1, after.batches - before.batches), signedDuringRun: measured.extra() };
}

async function measureInferences(urls: string[], f: Fixtures, o: LoadOptions): Promise<LoadFigures> {
  const bodies = RIVERS.map((river) => JSON.stringify({ model: `${MODEL}@1`, messages: [{ role: 'user', content: `Tell me about the ${river}.` }], max_tokens: o.maxTokens, temperature: 0 }));
  let next = 0;
  const headers = { authorization: `Bearer ${f.apiKey}` };
  // The first call on each node loads the model: not part of the load.
  for (const url of urls) {
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: bodies[0] });
    if (!res.ok) throw new Error(`a first inference on ${url} failed: ${res.status} ${await res.text()}`);
  }
  const target = (seconds: number): Target => ({ urls, connections: o.inferenceConnections, seconds, path: '/v1/chat/completions', headers, nextBody: () => bodies[next++ % bodies.length] });
  await hammer(target(1));
  return hammer(target(o.seconds));
}

/** Contributions, then inferences, on a fresh cluster of `spec`; a cluster that will not start is `notMeasured`. */
export async function measureCluster(store: Store, spec: ClusterSpec, o: LoadOptions): Promise<LoadRow> {
  let cluster: Cluster;
  try {
    cluster = await startCluster(spec);
  } catch (e) {
    if (e instanceof ClusterUnavailable) return { store, nodes: spec.nodes, notMeasured: e.message };
    throw e;
  }
  try {
    const fixtures = await makeFixtures(cluster.urls[0]);
    // The other nodes follow the log by polling: wait until each has read the fixtures.
    const size = (await new TributaryFileClient(cluster.urls[0]).health()).size;
    for (const url of cluster.urls.slice(1))
      for (let tries = 0; (await new TributaryFileClient(url).health()).size < size; tries++) {
        if (tries > 200) throw new Error(`${url} did not catch up with the log in 10 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    const contributions = await measureContributions(cluster.urls, fixtures, o);
    const inferences = await measureInferences(cluster.urls, fixtures, o);
    return { store, nodes: spec.nodes, contributions, inferences };
  } finally {
    await cluster.stop();
  }
}

/**
 * Every row: SQLite and PostgreSQL, each with 1 API node and with 2. Without DATABASE_URL
 * the bench starts a private PostgreSQL server (durable: fsync on) on 127.0.0.1, with a
 * fresh database for each row; with it, each row starts from whatever that database holds.
 */
export async function runLoadBench(options: Partial<LoadOptions> = {}): Promise<LoadRow[]> {
  const o = { ...LOAD_DEFAULTS, databaseUrl: postgresUrlFromEnv(), ...options };
  let pg: PostgresServer | undefined;
  let pgProblem: string | undefined;
  if (o.databaseUrl === undefined)
    try {
      pg = await startPostgres({ durable: true });
    } catch (e) {
      pgProblem = `no PostgreSQL to measure: ${(e as Error).message.split('\n')[0]}`;
    }
  const rows: LoadRow[] = [];
  try {
    for (const nodes of [1, 2] as const) {
      rows.push(await measureCluster('SQLite', { nodes }, o));
      const url = o.databaseUrl ?? pg?.createDatabase(`load_${nodes}_${randomBytes(4).toString('hex')}`);
      rows.push(url === undefined ? { store: 'PostgreSQL', nodes, notMeasured: pgProblem! } : await measureCluster('PostgreSQL', { databaseUrl: url, nodes }, o));
    }
  } finally {
    pg?.destroy();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runLoadBench(process.argv.includes('--quick') ? { seconds: 3 } : {});
  console.dir(rows, { depth: 4 });
}
