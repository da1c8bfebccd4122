// `tributary token schedule` end to end: the real bin/tributary.js as a child process on
// the example schedule. Offline, so no node: --node points nowhere.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../test/helpers/runCli.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/token-schedule.json');

describe('tributary token schedule', () => {
  let dir: string;
  const cli = (args: string[]) => runCli('http://127.0.0.1:9', join(dir, 'ks.json'), dir, ['token', 'schedule', ...args]);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-token-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the summary, the monthly table with the largest step marked, and the chart; writes the SVG', async () => {
    const r = await cli([EXAMPLE, '--svg', 'supply.svg']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unallocated\s+100,000,000\s+10\.00%\s+NOT counted as circulating/);
    expect(r.stdout).toMatch(/^team\s+180,000,000\s+0\s+180,000,000 from 2027-07-01 over 36 months \(94694400 s\), to 2030-07-01$/m);
    expect(r.stdout).toMatch(/^2026-07-01\s+20\.00M\s+0\.00\s+12\.00M\s+30\.00M\s+50\.00M\s+112\.00M\s+11\.20%\s+\+112\.00M$/m);
    expect(r.stdout).toMatch(/^2027-09-01 .* \+18\.67M {2}<- largest$/m);
    expect(r.stdout).toMatch(/^2031-07-01 .* 900\.00M\s+90\.00%\s+\+6\.24M$/m);
    expect(r.stdout).toContain('largest single-step unlock: +18.67M TRIB-DEMO (1.87% of the supply) in the 1 month to 2027-09-01');
    expect(r.stdout).toMatch(/^100% \|/m);
    expect(r.stdout).toContain('# contributor rewards   = team');
    expect(readFileSync(join(dir, 'supply.svg'), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  });

  it('--json gives the series in base units, --step changes the rows', async () => {
    const r = await cli([EXAMPLE, '--json', '--step', '1 year']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ token: { symbol: 'TRIB-DEMO', decimals: 18 }, totalSupply: '1000000000' + '0'.repeat(18), unallocated: '100000000' + '0'.repeat(18), step: '1 year' });
    expect(out.points.map((p: { time: string }) => p.time)).toEqual(['2026-07-01', '2027-07-01', '2028-07-01', '2029-07-01', '2030-07-01', '2031-07-01']);
    expect(out.points.at(-1)).toMatchObject({ circulating: out.allocated, ppmOfSupply: 900_000 });
    expect(out.largestStep).toMatchObject({ index: 2, time: '2028-07-01' });
  });

  it('names the allocation and field of a bad schedule (exit 1), and refuses a bad --step (exit 2)', async () => {
    const bad = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    bad.allocations[2].duration = '2 fortnights';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const r = await cli(['bad.json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: bad.json: allocations[2].duration: must be a positive number of seconds, or a string like "36 months"');
    const s = await cli([EXAMPLE, '--step', 'fortnightly']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('error: --step must be a positive number of seconds');
  });
});
