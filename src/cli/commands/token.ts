// `tributary token schedule FILE`: the circulating supply of the contribution token over
// time, from a schedule file: a table at regular steps with what each step unlocks (the
// unlock pressure), an ASCII chart, --svg for a stacked-area chart, --json for the
// series in base units. Offline: it reads a file and never talks to a node. The math and
// the file format are src/chain/schedule.ts's; this file only reads, prints and draws.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  formatAmount,
  formatCompact,
  formatPeriod,
  formatPpm,
  formatTime,
  parsePeriod,
  parseSchedule,
  ScheduleError,
  supplySeries,
  type SupplySeries,
  type TokenSchedule,
} from '../../chain/schedule.ts';
import { scheduleSvg } from '../../chain/scheduleSvg.ts';
import { CliContext } from '../context.ts';
import { CliError, UsageError } from '../errors.ts';
import { table } from '../../format/text.ts';

const FORMAT_HELP = `
The schedule file (JSON). Amounts are decimal STRINGS in whole tokens (fractions allowed
to \`decimals\` places), not base units:

  {
    "name": "Example Token", "symbol": "EXT", "decimals": 18,
    "totalSupply": "1000000000",
    "genesis": "2026-07-01",
    "allocations": [
      { "name": "team", "amount": "180000000", "start": "2027-07-01", "duration": "36 months" },
      { "name": "grants", "amount": "150000000", "unlocked": "30000000",
        "start": "2026-07-01", "duration": "4 years" },
      { "name": "liquidity", "amount": "50000000", "unlocked": "50000000" }
    ]
  }

  decimals     optional, default 18
  genesis      when the token exists; each "unlocked" amount circulates from then
  unlocked     optional part of "amount" free at genesis (default 0); the rest vests
  start        vesting start of the rest, as OpenZeppelin's VestingWallet: nothing before
               it, then linear to start + duration, rounded down to the base unit
  duration     whole seconds (a number), or "N seconds|minutes|hours|days|weeks|months|years";
               months and years are calendar months from start (UTC)
  cliff        there is none: a cliff is a later start, or an "unlocked" amount
  note         optional text, ignored, on the file or any allocation
Times are a UTC date ("2026-07-01"), "2026-07-01T12:00:00Z", or unix seconds (a number).
Allocations may not add up to more than totalSupply; what they leave is counted as NOT
circulating (a treasury reserve, say). "Circulating" counts vested tokens whether or not
the beneficiary has called release(): it is the supply that can be sold.

--step is a period like "1 month" (the default), "2 weeks", "1 year", or seconds.
Example: tributary token schedule examples/token-schedule.json --svg supply.svg`;

const CHART_MARKS = ['#', '=', '+', ':', '*', 'o', '%', '@', '~', '-'];

export function registerToken(program: Command): void {
  const token = program.command('token').description("the contribution token's supply (offline: no node needed)");
  token
    .command('schedule')
    .description('circulating supply over time from a schedule file: a table with the unlock in each step, a chart, --svg, --json')
    .argument('<file>', 'the schedule file (JSON; format below)')
    .option('--step <period>', 'time between rows: "1 month", "2 weeks", "1 year", or seconds', '1 month')
    .option('--svg <file>', 'also write a stacked-area chart as SVG to this file')
    .addHelpText('after', FORMAT_HELP)
    .action((file: string, opts: { step: string; svg?: string }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const schedule = readSchedule(file);
      let series: SupplySeries;
      try {
        series = supplySeries(schedule, parsePeriod(/^[0-9]+$/.test(opts.step) ? Number(opts.step) : opts.step, 'step'));
      } catch (e) {
        if (e instanceof ScheduleError) throw new UsageError(`--step ${e.problem}`);
        throw e;
      }
      let svgPath: string | undefined;
      if (opts.svg !== undefined) {
        svgPath = resolve(opts.svg);
        try {
          writeFileSync(svgPath, scheduleSvg(schedule, series));
        } catch (e) {
          throw new CliError(`cannot write the SVG to ${opts.svg}: ${(e as Error).message}`);
        }
      }
      ctx.out({ ...seriesJson(schedule, series), ...(svgPath ? { svg: svgPath } : {}) }, () => [
        ...summaryLines(schedule),
        '',
        ...seriesLines(schedule, series),
        '',
        ...asciiChart(schedule, series),
        ...(svgPath ? ['', `wrote ${svgPath}`] : []),
      ]);
    });
}

function readSchedule(path: string): TokenSchedule {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read the schedule ${path}: ${(e as Error).message}`);
  }
  try {
    return parseSchedule(raw);
  } catch (e) {
    if (e instanceof ScheduleError) throw new CliError(`${path}: ${e.message}`, 1, 'the file format is in `tributary token schedule --help`');
    throw e;
  }
}

function seriesJson(s: TokenSchedule, series: SupplySeries) {
  const largest = series.largestStep === null ? null : series.points[series.largestStep];
  return {
    token: { name: s.name, symbol: s.symbol, decimals: s.decimals },
    totalSupply: s.totalSupply.toString(),
    allocated: s.allocated.toString(),
    /** Counted as not circulating. */
    unallocated: s.unallocated.toString(),
    genesis: formatTime(s.genesis),
    step: formatPeriod(series.step),
    allocations: s.allocations.map((a) => ({
      name: a.name,
      amount: a.amount.toString(),
      unlocked: a.unlocked.toString(),
      vesting: a.vesting && {
        amount: a.vesting.amount.toString(),
        start: Number(a.vesting.start),
        duration: Number(a.vesting.duration),
        end: formatTime(a.vesting.start + a.vesting.duration),
      },
    })),
    points: series.points.map((p) => ({
      time: formatTime(p.time),
      unix: Number(p.time),
      perAllocation: p.perAllocation.map(String),
      circulating: p.circulating.toString(),
      ppmOfSupply: p.ppmOfSupply,
      unlockedInStep: p.unlockedInStep.toString(),
    })),
    largestStep: largest && { index: series.largestStep, time: formatTime(largest.time), amount: largest.unlockedInStep.toString(), ppmOfSupply: Number((largest.unlockedInStep * 1_000_000n) / s.totalSupply) },
  };
}

/** Exact tokens with thousands separators: "1,000,000,000.5". */
function grouped(units: bigint, decimals: number): string {
  const [whole, frac] = formatAmount(units, decimals).split('.');
  return whole.replace(/\B(?=(\d{3})+$)/g, ',') + (frac ? `.${frac}` : '');
}

const share = (units: bigint, s: TokenSchedule) => formatPpm(Number((units * 1_000_000n) / s.totalSupply));

/** Pads the cells of columns `from` to `to` (exclusive) on the left, so that numbers line up at the right. */
function rightAlign(rows: string[][], from: number, to = Infinity): string[][] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i >= from && i < to ? cell.padStart(widths[i]) : cell)));
}

function summaryLines(s: TokenSchedule): string[] {
  const d = s.decimals;
  const head = rightAlign(
    [
      ['  total supply', grouped(s.totalSupply, d), '100.00%', s.symbol],
      ['  allocated', grouped(s.allocated, d), share(s.allocated, s), `in ${s.allocations.length} allocation${s.allocations.length === 1 ? '' : 's'}`],
      ['  unallocated', grouped(s.unallocated, d), share(s.unallocated, s), 'NOT counted as circulating (held back, e.g. by the treasury)'],
    ],
    1,
    3,
  );
  const vesting = (a: TokenSchedule['allocations'][number]) =>
    a.vesting === null ? 'none' : `${grouped(a.vesting.amount, d)} from ${formatTime(a.vesting.start)} over ${a.vesting.durationText} (${a.vesting.duration} s), to ${formatTime(a.vesting.start + a.vesting.duration)}`;
  return [
    `${s.name} (${s.symbol}), ${d} decimals, genesis ${formatTime(s.genesis)}`,
    ...table(head.map((r) => [r[0], `${r[1]}  ${r[2]}`, r[3]])),
    '',
    ...table(rightAlign([['ALLOCATION', 'AMOUNT', 'AT GENESIS', 'VESTING (OpenZeppelin VestingWallet)'], ...s.allocations.map((a) => [a.name, grouped(a.amount, d), grouped(a.unlocked, d), vesting(a)])], 1, 3)),
  ];
}

function seriesLines(s: TokenSchedule, series: SupplySeries): string[] {
  const d = s.decimals;
  const rows = series.points.map((p) => [
    formatTime(p.time),
    ...p.perAllocation.map((v) => formatCompact(v, d)),
    formatCompact(p.circulating, d),
    formatPpm(p.ppmOfSupply),
    `+${formatCompact(p.unlockedInStep, d)}`,
  ]);
  const header = ['DATE', ...s.allocations.map((a) => a.name.toUpperCase()), 'CIRCULATING', 'OF SUPPLY', 'UNLOCKED IN STEP'];
  const aligned = rightAlign([header, ...rows], 1).map((r, k) => [...r, k - 1 === series.largestStep ? '<- largest' : '']);
  const largest = series.largestStep === null ? null : series.points[series.largestStep];
  return [
    `circulating supply every ${formatPeriod(series.step)}, in ${s.symbol} (K, M, B: thousands, millions, billions; exact base units with --json)`,
    ...table(aligned).map((l) => l.trimEnd()),
    '',
    largest === null
      ? 'no step after genesis unlocks anything'
      : `largest single-step unlock: +${formatCompact(largest.unlockedInStep, d)} ${s.symbol} (${share(largest.unlockedInStep, s)} of the supply) in the ${formatPeriod(series.step)} to ${formatTime(largest.time)}`,
    `at genesis: ${grouped(series.points[0].circulating, d)} circulating (${formatPpm(series.points[0].ppmOfSupply)})`,
  ];
}

/** A stacked-area chart in characters: one mark per allocation, 0 to 100% of the total supply. */
export function asciiChart(s: TokenSchedule, series: SupplySeries, height = 16, maxWidth = 72): string[] {
  const n = series.points.length;
  const width = n <= maxWidth ? n * Math.max(1, Math.floor(maxWidth / n / 2)) : maxWidth;
  const pointOf = (c: number) => (n <= maxWidth ? Math.floor((c * n) / width) : Math.round((c * (n - 1)) / (width - 1)));
  const columns = Array.from({ length: width }, (_, c) => {
    let sum = 0n;
    return series.points[pointOf(c)].perAllocation.map((v) => (sum += v));
  });
  const lines: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    const label = r === height - 1 ? '100%' : r === Math.floor(height / 2) ? ' 50%' : r === 0 ? '  0%' : '    ';
    // A cell shows the allocation whose band holds its middle: cumulative > (r + 1/2) / height of the supply.
    const cells = columns.map((cum) => {
      const i = cum.findIndex((c) => c * BigInt(2 * height) > BigInt(2 * r + 1) * s.totalSupply);
      return i === -1 ? ' ' : CHART_MARKS[i % CHART_MARKS.length];
    });
    const allocatedHere = s.allocated * BigInt(height) >= BigInt(r) * s.totalSupply && s.allocated * BigInt(height) < BigInt(r + 1) * s.totalSupply;
    lines.push(`${label} |${cells.join('')}${allocatedHere && s.unallocated > 0n ? `  <- ${share(s.allocated, s)} allocated; the rest never circulates` : ''}`);
  }
  const axis = Array.from({ length: width }, (_, c) => (series.largestStep !== null && pointOf(c) === series.largestStep ? '^' : '-')).join('');
  lines.push(`     +${axis}`);
  const from = formatTime(series.points[0].time);
  const to = formatTime(series.points[n - 1].time);
  lines.push(`      ${from}${to.padStart(Math.max(width - from.length, to.length + 1))}`);
  lines.push(`      ${s.allocations.map((a, i) => `${CHART_MARKS[i % CHART_MARKS.length]} ${a.name}`).join('   ')}${series.largestStep !== null ? '   ^ largest step' : ''}`);
  return lines;
}
