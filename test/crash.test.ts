// Crash safety: a burst of contributions, `kill -9` partway through, restart. Every
// contribution the node acknowledged must be there with its content, the old receipts
// must still verify, the new log must extend the old one, and `verify` must pass.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../bench/serverProcess.ts';
import { TributaryClient, type Receipt } from '../src/client/client.ts';
import { TributaryFileClient } from '../src/cli/fileClient.ts';
import { LocalSigner, withReplayProtection } from '../src/client/signer.ts';
import { parseCheckpoint } from '../src/nodeLedger/checkpoint.ts';
import { openNote, parseVerifierKey } from '../src/nodeLedger/note.ts';
import { verifyConsistency } from '../src/nodeLedger/proof.ts';
import { verifyReceipt } from '../src/node/receipt.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { databaseEnv, verifyTestData } from './helpers/testDatabase.ts';

const sha = (b: Buffer) => '0x' + createHash('sha256').update(b).digest('hex');

describe('kill -9 during a burst', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-crash-'));
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged contribution', async () => {
    server = await startServerProcess(dataDir, [], 30_000, { ...process.env, ...(await databaseEnv(dataDir)) });
    let client = new TributaryFileClient(server.url, { timeoutMs: 20_000 });
    const key = await client.verifierKey();
    const owner = new LocalSigner(randomPrivateKey());
    await client.act(owner, { type: 'CreateDatanet', name: 'burst', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const { domain, types } = await client.actionTypes();

    const TOTAL = 3000;
    const contents = Array.from({ length: TOTAL }, (_, i) => Buffer.from(`burst contribution ${i} ${'x'.repeat(i % 97)}\n`));
    const signers = Array.from({ length: 16 }, () => new LocalSigner(randomPrivateKey()));
    const bodies = contents.map((c, i) =>
      signers[i % signers.length].sign(domain, types, withReplayProtection({ type: 'Contribute', datanet: 'burst', contentHash: sha(c), size: c.length, fileName: `b${i}.txt` })),
    );

    const acked: Array<{ i: number; receipt: Receipt }> = [];
    let failed = 0;
    let next = 0;
    const victim = server;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        try {
          acked.push({ i, receipt: await client.submit(bodies[i], contents[i]) });
        } catch {
          failed++;
        }
        if (acked.length === 400 && victim.child.exitCode === null) victim.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    await new Promise<void>((resolve) => (victim.child.exitCode !== null || victim.child.signalCode !== null ? resolve() : victim.child.once('exit', () => resolve())));
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(400);
    expect(failed).toBeGreaterThan(0); // the kill really landed mid-burst

    server = await startServerProcess(dataDir, [], 30_000, { ...process.env, ...(await databaseEnv(dataDir)) });
    client = new TributaryFileClient(server.url, { timeoutMs: 20_000 });
    expect(await client.verifierKey()).toBe(key);
    const note = await client.checkpoint();
    const now = parseCheckpoint(openNote(note, parseVerifierKey(key)));

    for (const { i, receipt } of acked) {
      const c = await client.contribution(receipt.index);
      expect(c.contentHash).toBe(sha(contents[i]));
      expect(c.status).toBe('accepted');
      verifyReceipt(receipt, key);
      const entry = await client.entry(receipt.index);
      expect(entry.data).toBe(receipt.entry);
    }
    // Spot-check content survived with its entry, and that the restarted log extends every old checkpoint.
    for (const { i, receipt } of acked.filter((_, k) => k % 50 === 0)) {
      expect((await client.content(receipt.index)).equals(contents[i])).toBe(true);
      const old = parseCheckpoint(openNote(receipt.checkpoint, parseVerifierKey(key)));
      const proof = await client.consistencyProof(old.size, now.size);
      verifyConsistency(old.size, now.size, proof.hashes.map((h) => Buffer.from(h, 'hex')), old.rootHash, now.rootHash);
    }

    // New writes work after the restart, then the whole log replays cleanly.
    const after = Buffer.from('written after the restart\n');
    await client.act(owner, { type: 'Contribute', datanet: 'burst', contentHash: sha(after), size: after.length, fileName: 'after.txt' }, after);
    const report = await verifyTestData(dataDir);
    expect(report.divergence).toBeUndefined();
    expect(report.ok).toBe(true);
  });
});
