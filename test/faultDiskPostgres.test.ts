// Fault: PostgreSQL's disk fills up. A private PostgreSQL server keeps its data directory
// on a small tmpfs; two real nodes (`tributary start`, their own processes, one sequencing,
// the other queueing its writes in the database) take signed contributions with sizable
// content, and faucet credits so money moves, until a ballast file leaves no room.
// PostgreSQL 15 fails in one of two ways, and the test drives each in turn:
//   1. The tables cannot grow (the WAL segment in use still has room): ERROR 53100 "could
//      not extend file", the transaction rolls back, the server lives. Writes are refused
//      with 507 and resume as soon as there is room.
//   2. The WAL cannot grow (a new 16 MiB segment does not fit): PANIC, the server crashes,
//      and crash recovery fails for the same lack of room, so it stays down. The write that
//      met the PANIC gets 507 (the PANIC carries SQLSTATE 53100), the others 503 with
//      Retry-After; once there is room an operator starts PostgreSQL again, and the same
//      running nodes take writes without a restart.
// Every refusal is a clean 503 or 507 with the error shape, within a bound, and the nodes
// keep answering /healthz. After each fault: every acknowledged entry is in the log with
// its leaf hash, no write refused with 507 is, `verify` passes and money is conserved.
//
// Known gaps in src/node (tolerated here, named where they are):
//   1. With the tables full the lease holder cannot even claim a queued write (claiming is
//      an UPDATE, which needs room too), so the queueing node waits out
//      TRIBUTARY_QUEUE_TIMEOUT_MS (30 s by default; 5 s here) and answers 503 "may still be
//      sequenced"; the write is sequenced once there is room.
//   2. `Cluster.forward`: a node that queued a write and loses the database while it waits
//      for the outcome answers 503 "PostgreSQL is unavailable" at once, though the write is
//      queued (or already sequenced) and lands in the log once the database is back.
//   3. A node that lost the lease keeps the failure of its last batch (the fence's "no
//      longer holds the sequencer lease", or PostgreSQL unreachable) as `commitError`, so
//      its /readyz stays 503 while it follows, until it leads again and a batch commits.
// Needs root to mount the tmpfs; elsewhere the test is skipped and says why.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';
import { TributaryClient } from '../src/client/client.ts';
import { ApiError } from '../src/client/errors.ts';
import { LocalSigner, withReplayProtection } from '../src/client/signer.ts';
import { verifyReceipt } from '../src/node/receipt.ts';
import { verifyPostgres } from '../src/node/verify.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { freshText, mountTmpfs, unmount, whyNoTmpfs } from './helpers/fullDisk.ts';
import { nodeProcessEnv, type PostgresServer, startPostgres } from './helpers/postgres.ts';
import { until } from './helpers/wait.ts';

const MIB = 1024 * 1024;
/** Holds a fresh cluster (~40 MiB), the test database, a few WAL segments and the ballast. */
const TMPFS_MIB = 128;
/** Room left to the tables in the first fault: well inside one WAL segment (16 MiB). */
const TABLE_ROOM = 6 * MIB;
/** Room beyond what the WAL segment in use still holds, in the second fault: the tables never fill it first. */
const WAL_MARGIN = 3 * MIB;
const CONTENT_BYTES = 192 * 1024;
const FAUCET = 10n ** 18n;
/** No request may take longer than this, refused or not (PostgresDb gives up on a statement after 15 s). */
const ANSWER_BOUND_MS = 20_000;
const QUEUE_TIMEOUT_MS = 5_000;

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

/** Why this machine cannot run the test, if it cannot. */
function whyNot(): string | undefined {
  if (!existsSync('/usr/lib/postgresql')) return 'PostgreSQL is not installed (bash scripts/ensure-postgres.sh)';
  return whyNoTmpfs();
}

const skipReason = whyNot();
if (skipReason) console.warn(`faultDiskPostgres.test.ts skipped: ${skipReason}`);

/** Bytes free on the volume that holds `dir`. */
const free = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};

/** One write the test sent: through which node, and what identifies it in the log. */
interface Write {
  n: number;
  via: number;
  /** A contribution's content hash, or a faucet credit's amount (each one different). */
  contentHash?: string;
  amount?: bigint;
}

interface Acked extends Write {
  index: number;
  leafHash: string;
  entry: string;
}

interface Refused extends Write {
  error: ApiError;
  /** The node it went through did not sequence: it queued the write in the database for the node that did. */
  queued: boolean;
}

/**
 * Whether a refused write may still be in the log: one queued by the node that does not
 * sequence and answered 503, whether it said so (gap 1) or not (gap 2). Never a 507.
 */
const mayBeInLog = (r: Refused) => r.error.status === 503 && (/may still be sequenced/.test(r.error.message) || r.queued);

describe.skipIf(skipReason !== undefined)('PostgreSQL on a full disk (tmpfs)', { timeout: 90_000 }, () => {
  let root = '';
  let mounted = false;
  let server: PostgresServer | undefined;
  let url = '';
  const dirs: string[] = [];
  const nodes: ServerProcess[] = [];
  let clients: TributaryClient[] = [];
  let failed = false;

  // What the test wrote, and what the nodes answered, across both faults.
  const acked: Acked[] = [];
  const refused: Refused[] = [];
  let base = 0;
  let i = 0;
  /** Which node held the sequencer lease when the fault began. */
  let sequencing = 0;
  let domain: Awaited<ReturnType<TributaryClient['actionTypes']>>['domain'];
  let types: Awaited<ReturnType<TributaryClient['actionTypes']>>['types'];
  let key = '';
  const signers = Array.from({ length: 4 }, () => new LocalSigner(randomPrivateKey()));
  const timings: string[] = [];

  /** One statement on the server's own database (a fresh connection: the server may have crashed since). */
  async function admin<T extends pg.QueryResultRow>(sql: string, on = server!.adminUrl): Promise<T[]> {
    const c = new pg.Client({ connectionString: on });
    c.on('error', () => {});
    await c.connect();
    try {
      return (await c.query<T>(sql)).rows;
    } finally {
      await c.end().catch(() => {});
    }
  }

  /** Bytes the WAL segment being written still has room for. */
  async function walRoom(): Promise<number> {
    const [r] = await admin<{ lsn: string; seg: string }>(
      "SELECT pg_current_wal_insert_lsn()::text AS lsn, setting AS seg FROM pg_settings WHERE name = 'wal_segment_size'",
    );
    const [hi, lo] = r.lsn.split('/').map((h) => BigInt('0x' + h));
    const seg = BigInt(r.seg);
    return Number(seg - (((hi << 32n) | lo) % seg));
  }

  /** A ballast file that leaves `room` bytes free on the tmpfs. */
  function ballast(name: string, room: number): string {
    const path = join(root, name);
    const size = free(root) - room;
    expect(size, `the tmpfs has only ${free(root)} bytes free, not ${room} and a ballast`).toBeGreaterThan(MIB);
    writeFileSync(path, Buffer.alloc(size, 1));
    return path;
  }

  async function whoSequences(): Promise<number> {
    const roles = await Promise.all(clients.map(async (c) => (await c.health()).sequencing));
    expect(roles.filter(Boolean).length).toBe(1);
    return roles.indexOf(true);
  }

  /**
   * One write, through the nodes in turn: a contribution, and every tenth a faucet credit
   * (of its own amount) so money moves too. Returns the refusal if it was refused; a
   * dropped connection or a timeout fails the test (the node crashed or hung).
   */
  async function attempt(): Promise<ApiError | undefined> {
    const n = i++;
    const via = n % clients.length;
    const client = clients[via];
    const t = Date.now();
    let w: Write = { n, via };
    try {
      let r: Awaited<ReturnType<TributaryClient['submit']>>;
      if (n % 10 === 5) {
        w = { ...w, amount: FAUCET + BigInt(n) };
        r = await client.faucet(signers[n % signers.length].address, w.amount!.toString());
      } else {
        const content = freshText(CONTENT_BYTES);
        w = { ...w, contentHash: sha(content) };
        const body = signers[n % signers.length].sign(domain, types, withReplayProtection({ type: 'Contribute', datanet: 'fill', contentHash: w.contentHash!, size: content.length, fileName: `f${n}.txt` }));
        r = await client.submit(body, content);
      }
      verifyReceipt(r, key);
      acked.push({ ...w, index: r.index, leafHash: r.leafHash, entry: r.entry });
      return undefined;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status === 0) throw e;
      expectClean(e);
      refused.push({ ...w, error: e, queued: via !== sequencing });
      return e;
    } finally {
      expect(Date.now() - t, 'a write took longer than the bound').toBeLessThan(ANSWER_BOUND_MS);
    }
  }

  /** Four writers at once (so a failed batch can hold several submissions) until `done(writes refused so far)`. */
  async function fill(done: (refusals: number) => boolean, what: string): Promise<void> {
    const start = Date.now();
    const from = refused.length;
    const writer = async () => {
      while (!done(refused.length - from)) {
        expect(Date.now() - start, what).toBeLessThan(40_000);
        await attempt();
      }
    };
    await Promise.all(Array.from({ length: 4 }, writer));
  }

  /** A refusal a user can act on: 507 (disk full) or 503 (try again), the error shape, never a 500. */
  function expectClean(e: ApiError): void {
    expect([503, 507], `${e.status} ${e.code}: ${e.message}`).toContain(e.status);
    if (e.status === 507) {
      expect(e.code).toBe('insufficient_storage');
      expect(e.message).toMatch(/disk|space|storage/i);
    } else expect(e.code).toBe('unavailable');
  }

  /** The nodes are alive and say so. */
  async function expectAlive(): Promise<void> {
    for (const n of nodes) {
      expect(n.child.exitCode, n.output().slice(-4000)).toBeNull();
      expect((await fetch(`${n.url}/healthz`)).status).toBe(200);
    }
  }

  /**
   * Writes succeed again, through every node, without restarting any. A node that held the
   * lease before PostgreSQL went down finds out at its next batch that it no longer does
   * (another may have taken it): that write gets a 503 saying to send it again.
   */
  async function resume(what: string): Promise<number> {
    const t = Date.now();
    let inARow = 0;
    await until(what, async () => {
      inARow = (await attempt()) ? 0 : inARow + 1;
      return inARow >= clients.length ? true : undefined;
    }, 30_000);
    const ms = Date.now() - t;
    for (let k = 0; k < 5; k++) {
      const e = await attempt();
      expect(e, e?.message).toBeUndefined();
    }
    // Ready again. Known gap 3: a node that lost the lease still reports its last failed batch.
    const leader = await whoSequences();
    for (const [k, n] of nodes.entries()) {
      const res = await fetch(`${n.url}/readyz`);
      const body = (await res.json()) as { failing: string[]; checks: { sequencer: { reason?: string } } };
      if (k === leader || res.status === 200) expect(res.status, JSON.stringify(body)).toBe(200);
      else {
        expect(body.failing, JSON.stringify(body)).toEqual(['sequencer']);
        expect(body.checks.sequencer.reason, JSON.stringify(body)).toMatch(/^the last batch did not commit/);
      }
    }
    return ms;
  }

  /**
   * The log holds every acknowledged entry with its leaf hash, and nothing else but refused
   * writes whose answer said (or, see `mayBeInLog`, should have said) they may still be
   * sequenced, each once; `verify` passes; money is conserved and adds up to the credits
   * in the log. Returns the refused writes that are in the log.
   */
  async function expectIntact(): Promise<Refused[]> {
    const c = clients[0];
    // Queued writes whose waiting node gave up on them are still sequenced: let them land first.
    await until('the queue between the nodes to drain', async () => {
      const [{ n }] = await admin<{ n: string }>('SELECT count(*) AS n FROM submissions WHERE NOT done', url);
      return n === '0' ? true : undefined;
    }, 15_000);
    // A node that does not sequence follows the log one poll behind.
    const size = await until('the nodes to catch up with the log', async () => {
      const [{ n }] = await admin<{ n: string }>('SELECT count(*) AS n FROM entries', url);
      const sizes = await Promise.all(clients.map(async (x) => (await x.node()).size));
      return sizes.every((s) => s === Number(n)) ? Number(n) : undefined;
    }, 10_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(await Promise.all(clients.map((x) => x.health())))}`);
    });
    const byIndex = new Map(acked.map((a) => [a.index, a]));
    expect(byIndex.size, 'two writes were acknowledged with the same index').toBe(acked.length);
    const byContent = new Map(refused.filter((r) => r.contentHash).map((r) => [r.contentHash!, r]));
    const byAmount = new Map(refused.filter((r) => r.amount !== undefined).map((r) => [r.amount!.toString(), r]));
    const inLog: Refused[] = [];
    for (let index = base; index < size; index++) {
      const got = await c.entry(index);
      const a = byIndex.get(index);
      if (a) {
        expect(got.leafHash).toBe(a.leafHash);
        expect(got.data).toBe(a.entry);
        continue;
      }
      const { action } = JSON.parse(Buffer.from(got.data, 'base64').toString('utf8')) as { action: { type: string; contentHash?: string; amount?: string } };
      const r = action.type === 'Contribute' ? byContent.get(action.contentHash!) : byAmount.get(action.amount ?? '');
      expect(r, `entry ${index} (${action.type}) is no write the test sent`).toBeDefined();
      expect(mayBeInLog(r!), `entry ${index}: write ${r!.n} was refused (${r!.error.status} ${r!.error.message}), and is in the log`).toBe(true);
      expect(inLog, `write ${r!.n} is in the log twice`).not.toContain(r);
      inLog.push(r!);
    }
    expect(acked.every((a) => a.index < size)).toBe(true);
    const report = await verifyPostgres(url);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.size).toBe(size);
    expect(report.money?.conserved).toBe(true);
    const credited = [...acked, ...inLog].reduce((sum, w) => sum + (w.amount ?? 0n), 0n);
    expect(report.money?.deposited).toBe(credited.toString());
    for (const x of clients) expect(await x.money()).toMatchObject({ deposited: credited.toString(), withdrawn: report.money!.withdrawn, conserved: true });
    return inLog;
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tributary-pgfull-'));
    mountTmpfs(root, TMPFS_MIB, '0755'); // PostgreSQL's own user must reach its data directory below
    mounted = true;
    server = await startPostgres({ durable: true, dataParent: root });
    url = server.createDatabase('fulldisk');
    // A write queued by the node that does not sequence waits this long for its outcome:
    // while the tables are full the sequencer cannot even claim it (gap 1).
    const env = (dir: string) =>
      nodeProcessEnv(dir, url, {
        TRIBUTARY_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
        ...(process.env.TRIBUTARY_LOG ? { TRIBUTARY_LOG: process.env.TRIBUTARY_LOG } : {}),
      });
    // The nodes' own data directories (node key) are on the real disk: only PostgreSQL's fills.
    const a = mkdtempSync(join(tmpdir(), 'tributary-pgfull-a-'));
    const b = mkdtempSync(join(tmpdir(), 'tributary-pgfull-b-'));
    dirs.push(a, b);
    nodes.push(await startServerProcess(a, [], 60_000, env(a)));
    copyFileSync(join(a, 'node.key'), join(b, 'node.key'));
    nodes.push(await startServerProcess(b, [], 60_000, env(b)));
    clients = nodes.map((n) => new TributaryClient(n.url, { timeoutMs: ANSWER_BOUND_MS + 5_000 }));
    key = await clients[0].verifierKey();
    await clients[1].act(new LocalSigner(randomPrivateKey()), { type: 'CreateDatanet', name: 'fill', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    ({ domain, types } = await clients[0].actionTypes());
    base = (await clients[0].node()).size;
  }, 60_000);

  afterAll(async () => {
    // A node still answering a stuck request may not exit on SIGTERM in time: the volume must come down anyway.
    for (const n of nodes) {
      await Promise.race([n.stop(), new Promise((w) => setTimeout(w, 5_000))]);
      if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
    }
    if (failed) {
      for (const n of nodes) console.error(`node output:\n${n.output().slice(-10_000)}`);
      const log = server ? join(server.dir, 'server.log') : '';
      if (log && existsSync(log)) console.error(`PostgreSQL log:\n${readFileSync(log, 'utf8').slice(-10_000)}`);
    }
    server?.destroy();
    if (mounted) unmount(root);
    if (root) rmSync(root, { recursive: true, force: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (timings.length) console.log(`faultDiskPostgres: ${timings.join('; ')}`);
  });

  it('the tables cannot grow: writes are refused with 507, PostgreSQL lives, and writes resume once there is room', async () => {
    onTestFailed(() => {
      failed = true;
    });
    sequencing = await whoSequences();
    // Start on a fresh WAL segment, so that the tables, not the WAL, run out of room.
    await admin('SELECT pg_switch_wal()');
    // A write whose commit is flushed: the new segment is made now, before the ballast.
    expect(await attempt()).toBeUndefined();
    const [{ segment }] = await admin<{ segment: string }>('SELECT pg_walfile_name(pg_current_wal_flush_lsn()) AS segment');
    expect(existsSync(join(server!.dataDir, 'pg_wal', segment)), `WAL segment ${segment}`).toBe(true);
    expect(await walRoom()).toBeGreaterThan(2 * TABLE_ROOM);
    const weight = ballast('ballast-tables', TABLE_ROOM);

    const t0 = Date.now();
    const from = refused.length;
    await fill((n) => n >= 8, 'the disk never filled');
    const fillMs = Date.now() - t0;
    expect(acked.length).toBeGreaterThan(10);
    // 507, and nothing written. Only a write queued by the other node can fare otherwise:
    // the sequencer cannot claim it (that is a write too), so it waits out the queue
    // timeout and gets a 503 saying it may still be sequenced.
    const refusals = refused.slice(from);
    for (const r of refusals) if (r.error.status !== 507) expect(r.queued && /may still be sequenced/.test(r.error.message), r.error.message).toBe(true);
    expect(refusals.filter((r) => r.error.status === 507).length).toBeGreaterThan(4);
    expect(server!.running(), 'PostgreSQL stopped: the WAL, not the tables, ran out of room').toBe(true);
    await expectAlive();
    const ready = await fetch(`${nodes[sequencing].url}/readyz`);
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { failing: string[]; checks: { sequencer: { reason?: string } } };
    expect(readiness.failing).toEqual(['sequencer']);
    expect(readiness.checks.sequencer.reason).toMatch(/No space left on device/);
    const log = readFileSync(join(server!.dir, 'server.log'), 'utf8');
    expect(log).toMatch(/ERROR: {2}could not extend file .*No space left on device/);
    expect(log).not.toMatch(/PANIC/);

    rmSync(weight);
    const resumeMs = await resume('writes to resume once the ballast is gone');
    const late = (await expectIntact()).filter((r) => refusals.includes(r)).length;
    timings.push(
      `tables full: ${acked.length} writes acknowledged, ${refusals.length} refused in ${fillMs} ms ` +
        `(${refusals.filter((r) => r.error.status === 507).length} with 507, ${refusals.filter((r) => r.error.status === 503).length} queued ones timed out with 503, ${late} of those sequenced later); ` +
        `resumed in ${resumeMs} ms`,
    );
  });

  it('the WAL cannot grow: PostgreSQL panics and stays down, writes are refused with 503, and resume once an operator starts it again', async () => {
    onTestFailed(() => {
      failed = true;
    });
    // Room for what the WAL segment in use still holds and a little more, but not for the
    // next segment: the WAL runs out before the tables do.
    const room = (await walRoom()) + WAL_MARGIN;
    expect(room).toBeLessThan(15 * MIB);
    const weight = ballast('ballast-wal', room);
    const ackedBefore = acked.length;

    const t0 = Date.now();
    const from = refused.length;
    sequencing = await whoSequences();
    // Until PostgreSQL has gone down (and stayed down) and a few more writes were refused.
    let downAt = 0;
    let refusedWhileDown = 0;
    await fill((n) => {
      if (!downAt && !server!.running()) {
        downAt = Date.now();
        refusedWhileDown = n;
      }
      return downAt > 0 && n >= refusedWhileDown + 6;
    }, 'PostgreSQL never ran out of WAL room');
    const fillMs = Date.now() - t0;
    const downMs = downAt - t0;
    const refusals = refused.slice(from);
    expect(refusals.some((r) => r.error.status === 503)).toBe(true);
    await expectAlive();
    const log = readFileSync(join(server!.dir, 'server.log'), 'utf8');
    expect(log).toMatch(/PANIC: {2}could not write to file "pg_wal\/xlogtemp\.\d+": No space left on device/);
    expect(log).toMatch(/shutting down due to startup process failure/);

    // While PostgreSQL is down, a write gets 503 with Retry-After and the error shape.
    const content = freshText(1024);
    const body = signers[0].sign(domain, types, withReplayProtection({ type: 'Contribute', datanet: 'fill', contentHash: sha(content), size: content.length, fileName: 'down.txt' }));
    for (const n of nodes) {
      const res = await fetch(`${n.url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, content: content.toString('base64') }) });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
    }

    // The operator frees room and starts PostgreSQL; the nodes, still running, take writes again.
    rmSync(weight);
    const restartAt = Date.now();
    if (!server!.running()) server!.start();
    const startMs = Date.now() - restartAt;
    const resumeMs = await resume('writes to resume once PostgreSQL is back');
    expect(acked.length).toBeGreaterThan(ackedBefore);
    await expectAlive();
    const late = (await expectIntact()).filter((r) => refusals.includes(r)).length;
    timings.push(
      `WAL full: ${acked.length - ackedBefore} writes acknowledged, PostgreSQL down after ${downMs} ms, ${refusals.length} refused in ${fillMs} ms ` +
        `(${refusals.filter((r) => r.error.status === 507).length} with 507, ${late} of the 503s sequenced later); PostgreSQL restarted in ${startMs} ms, writes resumed ${resumeMs} ms later`,
    );
  });
});
