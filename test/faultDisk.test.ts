// Fault: the disk fills up. A real node (`tributary start`, its own process) runs with its
// data directory on a small tmpfs that also holds a ballast file; signed contributions
// with sizable content (and a few faucet credits, so money moves) fill the rest. Once
// full, every write is refused cleanly (507, saying the disk is full, nothing written):
// actions, staged uploads and attribution index builds, which leave no partial file.
// Reads and /healthz keep answering and /readyz says why it is not ready. With the
// ballast removed, writes resume without a restart. Then every acknowledged entry is in
// the log with its leaf hash, `verify` passes, money is conserved, the index catches up
// once the volume grows, and the node restarts cleanly on the same directory.
// Needs root to mount the tmpfs; elsewhere the test is skipped and says why.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';

/** Contributions up to 16 MiB (the default is 2 MiB), so that a few of them fill the disk. */
const BIG_CONTENT = { ...process.env, TRIBUTARY_MAX_CONTENT_BYTES: String(16 * 1024 * 1024) };
import { TributaryFileClient } from '../src/cli/fileClient.ts';
import { ApiError } from '../src/client/errors.ts';
import { LocalSigner, withReplayProtection } from '../src/client/signer.ts';
import { verifyReceipt } from '../src/node/receipt.ts';
import { verifyDataDir, verifyNode } from '../src/node/verify.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { freshText, mountTmpfs, unmount, whyNoTmpfs } from './helpers/fullDisk.ts';

const TMPFS_MIB = 24;
const BALLAST_MIB = 4;
const CONTENT_BYTES = 192 * 1024;
const FAUCET = 10n ** 18n;

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

/** Half-written files (`x.tmp`, `x.tmp-<pid>`) under `dir`. */
const leftovers = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.tmp(-\d+)?$/.test(f));

const skipReason = whyNoTmpfs();
if (skipReason) console.warn(`faultDisk.test.ts skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('a full disk (tmpfs)', () => {
  let root = '';
  let dataDir = '';
  let ballast = '';
  let mounted = false;
  let server: ServerProcess | undefined;
  let failed = false;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tributary-fulldisk-'));
    mountTmpfs(root, TMPFS_MIB);
    mounted = true;
    dataDir = join(root, 'data');
    ballast = join(root, 'ballast');
    // Taken before the node starts, so that removing it later frees room the node can use.
    writeFileSync(ballast, Buffer.alloc(BALLAST_MIB * 1024 * 1024, 1));
  });
  afterAll(async () => {
    await server?.stop();
    if (failed) console.error(`node output:\n${server?.output().slice(-20_000)}`);
    if (mounted) unmount(root);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('refuses writes cleanly, keeps answering reads, and resumes once there is room', async () => {
    const t0 = Date.now();
    // The node's own account of what went wrong (TRIBUTARY_LOG=1 in the environment adds its JSON logs).
    onTestFailed(() => {
      failed = true;
    });
    server = await startServerProcess(dataDir, [], 30_000, BIG_CONTENT);
    let client = new TributaryFileClient(server.url, { timeoutMs: 15_000 });
    const key = await client.verifierKey();
    const owner = new LocalSigner(randomPrivateKey());
    await client.act(owner, { type: 'CreateDatanet', name: 'fill', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const { domain, types } = await client.actionTypes();
    const signers = Array.from({ length: 4 }, () => new LocalSigner(randomPrivateKey()));
    const sizeBefore = (await client.node()).size;

    const acked: Array<{ index: number; leafHash: string; entry: string; contentHash?: string }> = [];
    let deposited = 0n;
    const refusals: ApiError[] = [];
    /** One write: a contribution, and every tenth a faucet credit so money moves too. */
    const write = async (i: number): Promise<void> => {
      if (i % 10 === 5) {
        const r = await client.faucet(signers[i % signers.length].address, FAUCET.toString());
        acked.push({ index: r.index, leafHash: r.leafHash, entry: r.entry });
        deposited += FAUCET;
        return;
      }
      const content = freshText(CONTENT_BYTES);
      const body = signers[i % signers.length].sign(domain, types, withReplayProtection({ type: 'Contribute', datanet: 'fill', contentHash: sha(content), size: content.length, fileName: `f${i}.txt` }));
      const r = await client.submit(body, content);
      verifyReceipt(r, key);
      acked.push({ index: r.index, leafHash: r.leafHash, entry: r.entry, contentHash: sha(content) });
    };
    const attempt = async (i: number): Promise<ApiError | undefined> => {
      try {
        await write(i);
        return undefined;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e; // a dropped connection or a timeout: the node crashed or hung
        return e;
      }
    };

    // Fill the disk, four writers at once (so a failed batch can hold several submissions),
    // until the node has refused a few writes.
    let i = 0;
    const fillStart = Date.now();
    const writer = async () => {
      while (refusals.length < 6) {
        expect(Date.now() - fillStart, 'the disk never filled').toBeLessThan(45_000);
        const e = await attempt(i++);
        if (e) refusals.push(e);
      }
    };
    await Promise.all(Array.from({ length: 4 }, writer));
    const fillMs = Date.now() - fillStart;
    expect(acked.length).toBeGreaterThan(20);
    for (const e of refusals) {
      expect(e.status, e.message).toBe(507);
      expect(e.code).toBe('insufficient_storage');
      expect(e.message).toMatch(/disk|space|storage/i);
    }
    expect(server.child.exitCode).toBeNull();

    // Full: reads and liveness answer, readiness says why not, and refused writes wrote nothing.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as { failing: string[]; checks: { sequencer: { reason?: string } } };
    expect(readiness.failing).toContain('sequencer');
    expect(readiness.checks.sequencer.reason).toMatch(/disk|full|space/i);
    // The attribution index cannot grow either: a build is refused the same way (or has
    // nothing to add), and a shard it failed to write leaves no partial file behind.
    await new Promise((w) => setTimeout(w, 500)); // background refreshes start 250 ms after a contribution
    const build = await client.buildIndex('fill').then(() => undefined, (e: unknown) => e);
    if (build !== undefined) expect((build as ApiError).status, (build as ApiError).message).toBe(507);
    expect(leftovers(dataDir)).toEqual([]);
    // An upload staged ahead of its action is refused the same way (larger than any room left).
    const big = freshText(12 * 1024 * 1024);
    const staged = await client.stageBlob(sha(big), big, owner).then(() => undefined, (e: unknown) => e);
    expect(staged).toBeInstanceOf(ApiError);
    expect((staged as ApiError).status, (staged as ApiError).message).toBe(507);
    expect((await client.checkpoint()).length).toBeGreaterThan(0);
    expect((await client.node()).size).toBe(sizeBefore + acked.length);
    expect((await client.datanet('fill')).counts.accepted).toBe(acked.filter((a) => a.contentHash).length);
    const last = acked[acked.length - 1];
    expect((await client.entry(last.index)).leafHash).toBe(last.leafHash);
    expect((await client.money()).conserved).toBe(true);

    // Room again: the same running node takes writes without a restart.
    rmSync(ballast);
    const resumeStart = Date.now();
    for (let k = 0; k < 5; k++) {
      const e = await attempt(i++);
      expect(e, e?.message).toBeUndefined();
    }
    const resumeMs = Date.now() - resumeStart;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // Every acknowledged entry is there with its leaf hash and content; money adds up.
    expect((await client.node()).size).toBe(sizeBefore + acked.length);
    for (const a of acked) {
      const got = await client.entry(a.index);
      expect(got.leafHash).toBe(a.leafHash);
      expect(got.data).toBe(a.entry);
    }
    for (const a of acked.filter((x) => x.contentHash).slice(-3)) expect(sha(await client.content(a.index))).toBe(a.contentHash);
    const money = await client.money();
    expect(money).toMatchObject({ deposited: deposited.toString(), conserved: true });
    const remote = await verifyNode(server.url);
    expect(remote.ok).toBe(true);
    // The attribution index filled the disk too, and needs more room than the ballast gave
    // back (its shards are larger than the text they index): grow the volume, as an operator
    // would, and it catches up and credits content.
    const contributed = acked.filter((a) => a.contentHash);
    execFileSync('mount', ['-o', `remount,size=${4 * TMPFS_MIB}m`, root], { stdio: 'pipe' });
    const index = await client.buildIndex('fill');
    expect(index.liveDocuments).toBe(contributed.length);
    const probe = contributed[contributed.length - 1];
    const text = (await client.content(probe.index)).toString('utf8').slice(1000, 3000);
    const credited = await client.attribute({ datanet: 'fill', text });
    expect(credited.contributions.map((c) => c.contribution)).toContain(probe.index);

    // Stopped, the data directory verifies; restarted on it, the node opens and writes.
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    const report = await verifyDataDir(dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.money?.conserved).toBe(true);
    // No half-written file was left behind to hold on to the space.
    expect(leftovers(dataDir)).toEqual([]);

    server = await startServerProcess(dataDir, [], 30_000, BIG_CONTENT);
    client = new TributaryFileClient(server.url, { timeoutMs: 15_000 });
    expect(await client.verifierKey()).toBe(key);
    expect((await client.node()).size).toBe(sizeBefore + acked.length);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await attempt(i++)).toBeUndefined();
    for (const a of acked.filter((_, k) => k % 10 === 0)) expect((await client.entry(a.index)).leafHash).toBe(a.leafHash);

    console.log(
      `faultDisk: ${acked.length} writes acknowledged (${refusals.length} refused) filling ${TMPFS_MIB} MiB in ${fillMs} ms; ` +
        `resumed 5 writes in ${resumeMs} ms; whole test ${Date.now() - t0} ms`,
    );
  }, 90_000);
});
