// The built CLI (dist/cli, scripts/build-cli.mjs) and how bin/tributary.js chooses it: it
// runs the bundle only while the bundle's stamp matches every source that went into it,
// and otherwise the TypeScript sources through tsx, so an edit is never silently ignored.
// The choice is tested on a copy of bin/ in a temporary tree (never on the real dist/cli,
// which other tests are running); the real bundle (built by test/globalSetup.ts) is tested
// by what it does: it prints the version and starts a node whose worker threads work.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint, STAMP_VERSION } from '../bin/cliBuild.js';
import { startServerProcess } from '../bench/serverProcess.ts';
import { runCli } from './helpers/runCli.ts';

const REPO = resolve(import.meta.dirname, '..');

describe('bin/tributary.js runs the bundle only when it is fresh', () => {
  let root: string;
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const stamp = (inputs: string[], version = STAMP_VERSION) => write('dist/cli/stamp.json', JSON.stringify({ version, inputs: fingerprint(root, inputs) }));
  /** The fake tree's `bin/tributary.js a b`: which program ran, and why (TRIBUTARY_DEBUG). */
  const run = (env: Record<string, string> = { TRIBUTARY_DEBUG: '1' }): { stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [join(root, 'bin/tributary.js'), 'a', 'b'], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return { stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tributary-clibuild-'));
    for (const f of ['tributary.js', 'cliBuild.js']) {
      mkdirSync(join(root, 'bin'), { recursive: true });
      copyFileSync(join(REPO, 'bin', f), join(root, 'bin', f));
    }
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
    write('package.json', '{ "type": "module" }\n');
    // Two programs that say which of them ran; the sources need tsx (a type annotation).
    write('dist/cli/main.js', "export async function main(argv) { console.log('bundle', argv.join(' ')); }\n");
    write('src/cli/main.ts', "export async function main(argv: string[]): Promise<void> { console.log('sources', argv.join(' ')); }\n");
    write('src/cli/other.ts', 'export const x = 1;\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs the bundle while every input is as stamped', () => {
    stamp(['src/cli/main.ts', 'src/cli/other.ts']);
    const r = run();
    expect(r.stdout).toBe('bundle a b\n');
    expect(r.stderr).toBe('tributary: running the build in dist/cli\n');
  });

  it('runs the sources when an input changed, even at the same size, or is gone', () => {
    stamp(['src/cli/main.ts', 'src/cli/other.ts']);
    write('src/cli/other.ts', 'export const y = 22;\n');
    let r = run();
    expect(r.stdout).toBe('sources a b\n');
    expect(r.stderr).toMatch(/^tributary: src\/cli\/other\.ts changed since the build; running the TypeScript sources through tsx/);

    stamp(['src/cli/main.ts', 'src/cli/other.ts']);
    // Same bytes count, one second later: an edit that kept the size.
    const later = new Date(Date.now() + 1000);
    utimesSync(join(root, 'src/cli/other.ts'), later, later);
    r = run();
    expect(r.stdout).toMatch(/^sources/);
    expect(r.stderr).toMatch(/src\/cli\/other\.ts changed since the build/);

    stamp(['src/cli/main.ts', 'src/cli/other.ts']);
    unlinkSync(join(root, 'src/cli/other.ts'));
    r = run();
    expect(r.stdout).toMatch(/^sources/);
    expect(r.stderr).toMatch(/src\/cli\/other\.ts is gone since the build/);
  });

  it('runs the sources when there is no stamp, or one it does not read', () => {
    stamp(['src/cli/main.ts'], STAMP_VERSION + 1);
    let r = run();
    expect(r.stdout).toMatch(/^sources/);
    expect(r.stderr).toMatch(/dist\/cli\/stamp\.json is not a stamp this version writes/);

    unlinkSync(join(root, 'dist/cli/stamp.json'));
    r = run();
    expect(r.stdout).toMatch(/^sources/);
    expect(r.stderr).toMatch(/^tributary: no build in dist\/cli;/);
  });

  it('says nothing on stderr without TRIBUTARY_DEBUG when not at a terminal', () => {
    stamp(['src/cli/main.ts']);
    const fresh = run({});
    unlinkSync(join(root, 'dist/cli/stamp.json'));
    const stale = run({});
    expect([fresh.stdout, fresh.stderr, stale.stdout, stale.stderr]).toEqual(['bundle a b\n', '', 'sources a b\n', '']);
  });
});

describe('the real bundle', () => {
  it('keeps every import.meta.url on its source file, so paths resolve as from the sources', () => {
    const dir = join(REPO, 'dist/cli');
    const uses = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/(new URL\("([^"]+)", )?import\.meta\.url(\))?/g)].map((m) => ({ file: f, target: m[2], closed: m[3] })));
    // Worker boot files, web/dist, package.json, createRequire: there are several.
    expect(uses.length).toBeGreaterThan(5);
    for (const u of uses) {
      expect(u.target, `${u.file}: a bare import.meta.url`).toMatch(/^\.\.\/\.\.\/src\/.+\.ts$/);
      expect(u.closed).toBe(')');
    }
    expect(uses.map((u) => u.target)).toEqual(expect.arrayContaining(['../../src/node/cpuPool.ts', '../../src/node/authPool.ts', '../../src/attribution/builder.ts', '../../src/cli/main.ts']));
  });

  it('runs --version from the bundle', async () => {
    const r = await runCli('http://127.0.0.1:1', join(REPO, 'no-keystore.json'), REPO, ['--version'], { TRIBUTARY_DEBUG: '1' });
    expect(r.stderr).toBe('tributary: running the build in dist/cli\n');
    expect(r.stdout).toBe(`${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('starts a node whose auth, CPU and index-build worker threads work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-clibuild-node-'));
    const env = { ...process.env, TRIBUTARY_DEBUG: '1', TRIBUTARY_AUTH_WORKERS: '1', TRIBUTARY_CPU_WORKERS: '1', HOME: dir };
    const server = await startServerProcess(join(dir, 'data'), [], 60_000, env);
    try {
      expect(server.output()).toContain('tributary: running the build in dist/cli');
      const cli = (args: string[]) => runCli(server.url, join(dir, 'ks.json'), dir, args);
      expect((await cli(['account', 'new', '--name', 'alice'])).code).toBe(0);
      // Signed actions: their signatures are checked on the auth worker.
      const created = await cli(['datanet', 'create', 'tales', '--license', 'CC0-1.0', '--policy', 'open']);
      expect(created.code, created.stderr).toBe(0);
      writeFileSync(join(dir, 'tale.txt'), 'Once upon a time a river ran to the sea, and the sea sent the rain back to the hills.\n');
      // Its content is checked on the CPU worker.
      const contributed = await cli(['contribute', 'tales', join(dir, 'tale.txt')]);
      expect(contributed.code, contributed.stderr).toBe(0);
      // The index is built on a build worker.
      const built = await cli(['index', 'build', 'tales']);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stdout).toMatch(/^tales: 1 live documents, \d+ tokens, 1 shards/);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
