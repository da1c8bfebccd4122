// How long a `tributary` call takes to start and finish, as a person at a terminal sees
// it: the wall time of a fresh process, for `tributary --version` (nothing but start-up)
// and `tributary datanet list` against a running node (one command module, one request).
// Each is measured three ways in the same run, interleaved so that the machine's noise
// falls on all three alike: the bundle (dist/cli, what bin/tributary.js runs when fresh);
// tsx on the sources with the lazy src/cli/main.ts (what it falls back to when stale);
// and the old path, tsx on the sources with every command module loaded up front (as
// bin/tributary.js did before issue 16). Also the cost of the freshness check that
// bin/tributary.js makes before every call. Targets (issue 16): --version <= 0.3 s,
// datanet list <= 0.6 s. It must never measure a stale bundle: it builds one first.
// Run: node bin/run-ts.js bench/cli.bench.ts [--quick]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildStaleness } from '../bin/cliBuild.js';
import { startServerProcess } from './serverProcess.ts';

export const CLI_TARGETS_MS = { version: 300, datanetList: 600 };

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin/tributary.js');
const MAIN_TS = pathToFileURL(join(REPO, 'src/cli/main.ts')).href;

/** The three ways to run the CLI, as node arguments before the CLI's own. */
const WAYS = {
  bundle: [BIN],
  sources: ['--input-type=module', '-e', `import { register } from 'tsx/esm/api'; register(); const { main } = await import(${JSON.stringify(MAIN_TS)}); await main(process.argv.slice(1));`, '--'],
  old: [
    '--input-type=module',
    '-e',
    `import { register } from 'tsx/esm/api'; register(); const m = await import(${JSON.stringify(MAIN_TS)}); for (const c of m.COMMAND_MODULES) await c.load(); await m.main(process.argv.slice(1));`,
    '--',
  ],
} as const;
type Way = keyof typeof WAYS;

export interface CliBenchResult {
  runs: number;
  /** Median wall time per way, ms. */
  versionMs: Record<Way, number>;
  datanetListMs: Record<Way, number>;
  /** bin/cliBuild.js's check in a fresh process (its first call, as every `tributary` makes it): median wall and CPU ms. */
  checkMs: number;
  checkCpuMs: number;
  /** How many files the stamp lists. */
  stampedFiles: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Wall time of one `node ...way args` to its exit; fails loudly on a non-zero exit. */
function timeCall(way: Way, args: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...WAYS[way], ...args], { cwd: REPO, env, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`tributary ${args.join(' ')} (${way}) exited with ${r.status}:\n${r.stderr}`);
  return { ms, stderr: r.stderr };
}

export async function runCliBench(quick: boolean): Promise<CliBenchResult> {
  const runs = quick ? 3 : 7;
  execFileSync(process.execPath, [join(REPO, 'scripts/build-cli.mjs')], { stdio: 'ignore' });
  const stale = buildStaleness(REPO);
  if (stale) throw new Error(`the CLI bundle is stale right after building it: ${stale}`);

  const check = `import { buildStaleness } from ${JSON.stringify(pathToFileURL(join(REPO, 'bin/cliBuild.js')).href)};
const c0 = process.cpuUsage(); const t0 = performance.now(); const why = buildStaleness(${JSON.stringify(REPO)}); const ms = performance.now() - t0; const c = process.cpuUsage(c0);
console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, why: why ?? null }));`;
  const checks = Array.from({ length: quick ? 5 : 20 }, () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', check], { encoding: 'utf8' })) as { ms: number; cpuMs: number; why: string | null });
  if (checks.some((c) => c.why)) throw new Error(`the freshness check found the bundle stale: ${checks.find((c) => c.why)?.why}`);
  const stamp = JSON.parse(execFileSync(process.execPath, ['-p', `require('fs').readFileSync(${JSON.stringify(join(REPO, 'dist/cli/stamp.json'))}, 'utf8')`], { encoding: 'utf8' })) as { inputs: unknown[] };

  const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-bench-'));
  const server = await startServerProcess(join(dir, 'data'), [], 120_000, { ...process.env, HOME: dir });
  try {
    const times = { version: { bundle: [], sources: [], old: [] }, list: { bundle: [], sources: [], old: [] } } as Record<'version' | 'list', Record<Way, number[]>>;
    // One call of each first, not counted: the first reads files the later ones find cached.
    // The bundle's says which code ran; the timed ones do not (source maps would slow them).
    const first = timeCall('bundle', ['--version'], { ...process.env, TRIBUTARY_DEBUG: '1' });
    if (!first.stderr.startsWith('tributary: running the build in dist/cli')) throw new Error(`bin/tributary.js did not run the bundle:\n${first.stderr}`);
    for (const way of ['sources', 'old'] as const) timeCall(way, ['--version']);
    for (let i = 0; i < runs; i++) {
      for (const way of Object.keys(WAYS) as Way[]) {
        times.version[way].push(timeCall(way, ['--version']).ms);
        times.list[way].push(timeCall(way, ['--node', server.url, 'datanet', 'list']).ms);
      }
    }
    const med = (r: Record<Way, number[]>) => ({ bundle: median(r.bundle), sources: median(r.sources), old: median(r.old) });
    return {
      runs,
      versionMs: med(times.version),
      datanetListMs: med(times.list),
      checkMs: median(checks.map((c) => c.ms)),
      checkCpuMs: median(checks.map((c) => c.cpuMs)),
      stampedFiles: stamp.inputs.length,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printCliBench(r: CliBenchResult, row: (name: string, value: string, anchor: string) => void): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const vs = (m: Record<Way, number>, target: number) =>
    `target <= ${s(target)}: ${m.bundle <= target ? 'met' : 'NOT met'}; old path (tsx, every command module) ${s(m.old)}, tsx on the sources now ${s(m.sources)}`;
  row(`tributary --version, bundle, median of ${r.runs}`, s(r.versionMs.bundle), vs(r.versionMs, CLI_TARGETS_MS.version));
  row(`tributary datanet list (a node), bundle, median of ${r.runs}`, s(r.datanetListMs.bundle), vs(r.datanetListMs, CLI_TARGETS_MS.datanetList));
  row('freshness check before each call, wall / CPU', `${r.checkMs.toFixed(1)} / ${r.checkCpuMs.toFixed(1)} ms`, `stats the ${r.stampedFiles} files dist/cli/stamp.json lists`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  console.log(`CLI start-up (${quick ? 'quick' : 'full'}), node ${process.version}`);
  printCliBench(await runCliBench(quick), (name, value, anchor) => console.log(`  ${name.padEnd(52)} ${value.padStart(16)}   ${anchor}`));
}
