// `tributary start` (what `npm start` runs) as a real process: it seeds the demo data on a
// first start, including a model with settled inferences and a closed epoch, serves the
// API on 127.0.0.1, restarts on the same data without seeding twice, and its log verifies.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { afterAll, describe, expect, it } from 'vitest';
import { TributaryClient } from '../src/client/client.ts';
import { databaseEnv, verifyTestData } from './helpers/testDatabase.ts';

const BIN = resolve(import.meta.dirname, '../bin/tributary.js');

async function start(dataDir: string): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const database = await databaseEnv(dataDir);
  const child = spawn(process.execPath, [BIN, 'start', '--data', dataDir, '--port', '0'], {
    env: { PATH: process.env.PATH ?? '', HOME: dataDir, TRIBUTARY_AUTH_WORKERS: '0', ...database },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`node did not start in 60 s:\n${out}\n${err}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Next, in another terminal')) {
        clearTimeout(timer);
        done({ child, url: m[1], stdout: () => out });
      }
    });
    child.on('exit', (code) => fail(new Error(`node exited with ${code}:\n${out}\n${err}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    child.removeAllListeners('exit');
    child.on('exit', () => done());
    child.kill('SIGTERM');
  });

describe('tributary start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('seeds the demo with a model, settled inferences and a closed epoch, once', async () => {
    const first = await start(dataDir);
    try {
      expect(first.stdout()).toContain('model demo-river@1 with 3 settled inferences, epoch 1');
      const c = new TributaryClient(first.url);
      expect((await c.datanets()).map((d) => d.name).sort()).toEqual(['demo-river-notes', 'demo-river-qa']);
      const [model] = await c.models();
      expect(model.id).toBe('demo-river@1');
      expect(model.tributary.usage.inferences).toBe(3);
      expect(model.tributary.trainingContributions).toBe(12);
      // A real provenance chain: the demo base model, a training job run by the demo worker, its adapter.
      const [base] = await c.baseModels();
      expect(base).toMatchObject({ name: 'tributary-demo-base', vocabSize: 50257, tokenizer: { model: 'gpt2' } });
      expect(model.tributary.base).toBe(base.hash);
      expect(model.tributary.training).toMatchObject({ trainerVersion: 'tributary-lora/1' });
      expect(model.tributary.training!.evalLoss).toBeLessThan(model.tributary.training!.baseEvalLoss);
      const [epoch] = await c.epochs();
      expect(epoch.epoch).toBe(1);
      // Contributors were paid: the usage of the copied notes and the baseline of all twelve.
      const byContribution = await c.earnings('contributions', { datanet: 'demo-river-notes' });
      expect(byContribution).toHaveLength(12);
      expect(byContribution.some((r) => BigInt(r.usage as string) > 0n)).toBe(true);
      const byAccount = await c.earnings('accounts');
      for (const row of byAccount) {
        const p = await c.payout(1, row.account as string);
        expect(StandardMerkleTree.verify(epoch.root, ['address', 'uint256'], [p.account, p.amount], p.proof)).toBe(true);
      }
      expect((await c.money()).conserved).toBe(true);
    } finally {
      await stop(first.child);
    }
    const second = await start(dataDir);
    try {
      expect(second.stdout()).not.toContain('demo data');
      expect(await new TributaryClient(second.url).epochs()).toHaveLength(1);
    } finally {
      await stop(second.child);
    }
    const report = await verifyTestData(dataDir);
    expect(report.ok).toBe(true);
    expect(report.money).toMatchObject({ epochs: 1, conserved: true });
  }, 120_000);
});
