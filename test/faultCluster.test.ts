// The fault suite for several nodes on PostgreSQL, with real processes on loopback:
// `kill -9` the sequencing node under a mixed load of contributions and inferences (served
// by llama.cpp on whichever node took the call, attributed and charged), and
// restart PostgreSQL mid-load. After each: every acknowledged entry is in the log with
// its leaf hash, `verify` passes, and money is conserved.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';
import { TributaryClient, type Receipt } from '../src/client/client.ts';
import { TributaryFileClient } from '../src/cli/fileClient.ts';
import { ApiError } from '../src/client/errors.ts';
import { verifyPostgres } from '../src/node/verify.ts';
import { nodeProcessEnv, type PostgresServer, startPostgres } from './helpers/postgres.ts';
import { newSigner } from './helpers/testNode.ts';
import { demoBasePath } from '../src/models/demoBase.ts';
import { until } from './helpers/wait.ts';

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const ZERO32 = '0x' + '00'.repeat(32);
const TOKEN = 10n ** 18n;
const policy = {
  pricePer1kInput: (2n * TOKEN).toString(),
  pricePer1kOutput: (6n * TOKEN).toString(),
  dataBps: 5000,
  ownerBps: 2500,
  computeBps: 2000,
  treasuryBps: 500,
  baselineBps: 2000,
};
const docs = Array.from({ length: 6 }, (_, i) => `document ${i}: ` + Array.from({ length: 40 }, (_, j) => `word${i}x${j}`).join(' ') + '\n');

/** An acknowledged write: a receipt's leaf hash, or (a served call) the index of its inference record. */
interface Acked {
  index: number;
  leafHash?: string;
}

describe('faults with two nodes on PostgreSQL', { timeout: 180_000 }, () => {
  let pg: PostgresServer;
  let url: string;
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const owner = newSigner();
  const requester = newSigner();
  const apiKey = `trib_${randomBytes(24).toString('hex')}`;

  const start = async (dir: string): Promise<ServerProcess> => {
    const s = await startServerProcess(dir, [], 60_000, nodeProcessEnv(dir, url));
    servers.push(s);
    return s;
  };

  beforeAll(async () => {
    pg = await startPostgres({ durable: true });
    url = pg.createDatabase('faults');
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    pg?.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** Contributions and inferences sent round-robin to `urls` until `stop()`; what was acknowledged, and what failed. */
  function load(urls: () => string[], workers = 4) {
    const acked: Acked[] = [];
    const failures: string[] = [];
    let running = true;
    let n = 0;
    const tag = randomBytes(4).toString('hex');
    const loops = Array.from({ length: workers }, async (_, w) => {
      while (running) {
        const i = n++;
        const targets = urls();
        const client = new TributaryClient(targets[i % targets.length], { timeoutMs: 20_000 });
        try {
          if (i % 3 === 2) {
            const res = await fetch(`${targets[i % targets.length]}/v1/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
              body: JSON.stringify({ model: 'lore-chat@1', messages: [{ role: 'user', content: docs[i % docs.length].slice(0, 60) }], max_tokens: 8, temperature: 0 }),
            });
            const body = (await res.json()) as { attribution?: { log_index: number }; error?: { message: string } };
            if (!res.ok) throw new Error(`${res.status} ${body.error?.message}`);
            acked.push({ index: body.attribution!.log_index });
          } else {
            const c = Buffer.from(`load ${tag} ${w} item ${i}: ${'abcdefgh'.repeat(1 + (i % 7))}\n`);
            const r: Receipt = await client.act(newSigner(), { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `l${i}.txt` }, c);
            acked.push({ index: r.index, leafHash: r.leafHash });
          }
        } catch (e) {
          failures.push(e instanceof ApiError ? `${e.status} ${e.message}` : e instanceof TypeError ? `cannot reach the node (${String((e as { cause?: unknown }).cause ?? e.message)})` : (e as Error).message);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    });
    return {
      acked,
      failures,
      async stop() {
        running = false;
        await Promise.all(loops);
      },
    };
  }

  async function checkAfterFault(via: TributaryClient, acked: Acked[]) {
    // The load was mixed: served calls and contributions were both acknowledged.
    expect(acked.filter((a) => a.leafHash === undefined).length).toBeGreaterThan(0);
    expect(acked.filter((a) => a.leafHash !== undefined).length).toBeGreaterThan(0);
    for (const a of acked) {
      const e = await via.entry(a.index);
      if (a.leafHash) expect(e.leafHash).toBe(a.leafHash);
      else expect(JSON.parse(Buffer.from(e.data, 'base64').toString()).action.type).toBe('InferenceRecord');
    }
    const report = await verifyPostgres(url);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.money?.conserved).toBe(true);
    const money = await via.money();
    expect(report.money).toMatchObject({ deposited: money.deposited, withdrawn: money.withdrawn });
  }

  it('kill -9 the sequencing node under mixed load: the other takes over, nothing acknowledged is lost', async () => {
    const dirA = mkdtempSync(join(tmpdir(), 'tributary-fault-a-'));
    const dirB = mkdtempSync(join(tmpdir(), 'tributary-fault-b-'));
    dirs.push(dirA, dirB);
    const a = await start(dirA);
    // One log, one key; and the model files where both nodes serve them from.
    copyFileSync(join(dirA, 'node.key'), join(dirB, 'node.key'));
    mkdirSync(join(dirA, 'models'), { recursive: true });
    symlinkSync(join(dirA, 'models'), join(dirB, 'models'));
    const b = await start(dirB);
    const ca = new TributaryFileClient(a.url, { timeoutMs: 20_000 });
    const cb = new TributaryClient(b.url, { timeoutMs: 20_000 });
    expect((await ca.node()).size).toBeGreaterThan(0);

    // A datanet, a model over its first version, a funded requester: through both nodes.
    await cb.act(owner, { type: 'CreateDatanet', name: 'lore', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    for (let i = 0; i < docs.length; i++) {
      const c = Buffer.from(docs[i]);
      await (i % 2 ? ca : cb).act(newSigner(), { type: 'Contribute', datanet: 'lore', contentHash: sha(c), size: c.length, fileName: `d${i}.txt` }, c);
    }
    await ca.act(owner, { type: 'Snapshot', datanet: 'lore' });
    // Model files are measured by the sequencing node: upload to it.
    const file = readFileSync(demoBasePath());
    await ca.uploadModelFile(sha(file), demoBasePath(), owner);
    await ca.act(owner, { type: 'RegisterBaseModel', name: 'demo-base', file: sha(file) });
    await cb.act(owner, { type: 'RegisterModel', name: 'lore-chat', datanet: 'lore', snapshot: 1, base: sha(file), adapter: ZERO32, job: 0, ...policy });
    await cb.faucet(requester.address, (1000n * TOKEN).toString());
    await ca.act(requester, { type: 'CreateApiKey', keyHash: sha(Buffer.from(apiKey)), label: 'faults' });

    let alive = [a.url, b.url];
    const l = load(() => alive);
    await until('some load to be acknowledged', async () => (l.acked.length >= 30 ? true : undefined), 30_000);
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    alive = [b.url];
    await until('node b to sequence', async () => ((await cb.health().catch(() => undefined))?.sequencing ? true : undefined), 20_000);
    const takeover = Date.now() - killedAt;
    const ackedAtKill = l.acked.length;
    await until('load to be acknowledged after the takeover', async () => (l.acked.length >= ackedAtKill + 20 ? true : undefined), 30_000);
    await l.stop();
    console.log(`kill -9: ${l.acked.length} acknowledged, ${l.failures.length} refused or failed during the fault, takeover in ${takeover} ms`);
    expect(takeover).toBeLessThan(20_000);
    // Failures are only those of requests in flight to the killed node or during the takeover.
    for (const f of l.failures) expect(f).toMatch(/cannot reach the node|503/i);
    await checkAfterFault(cb, l.acked);

    // The killed node comes back as a follower of the new sequencer.
    const a2 = await start(dirA);
    const ca2 = new TributaryClient(a2.url, { timeoutMs: 20_000 });
    expect((await ca2.health()).sequencing).toBe(false);
    const r = await ca2.act(owner, { type: 'Snapshot', datanet: 'lore' });
    expect((await cb.entry(r.index)).leafHash).toBe(r.leafHash);
  });

  it('restart PostgreSQL mid-load: writes fail cleanly while it is down and resume; nothing acknowledged is lost', async () => {
    const urls = servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null).map((s) => s.url);
    expect(urls.length).toBe(2);
    const l = load(() => urls);
    await until('some load to be acknowledged', async () => (l.acked.length >= 20 ? true : undefined), 30_000);
    pg.stop();
    const ackedWhileDown = l.acked.length;
    await new Promise((r) => setTimeout(r, 1500));
    pg.start();
    await until('load to be acknowledged after the restart', async () => (l.acked.length >= ackedWhileDown + 20 ? true : undefined), 60_000);
    await l.stop();
    console.log(`PostgreSQL restart: ${l.acked.length} acknowledged, ${l.failures.length} refused while it was down`);
    for (const f of l.failures) expect(f).toMatch(/503|unavailable|PostgreSQL/i);
    const c = new TributaryClient(urls[0], { timeoutMs: 20_000 });
    await checkAfterFault(c, l.acked);
    // One of the nodes sequences again.
    const roles = await Promise.all(urls.map(async (u) => (await new TributaryClient(u).health()).sequencing));
    expect(roles.filter(Boolean).length).toBe(1);
  });
});
