// A contribution token's supply schedule: which part of each allocation circulates at
// a given time, read from a schedule file and sampled into a series for the table and
// the charts of `tributary token schedule`. Vesting is OpenZeppelin's VestingWallet,
// whose release math `vestedAmount` reproduces to the base unit; the rest is exact
// bigint arithmetic on base units and unix seconds. Pure: no clock, no I/O, and never a
// float near an amount.
//
// The schedule file (JSON). Amounts are decimal strings in TOKENS, not base units
// ("1000000000", "2.5"), exact to `decimals` places; strings because a JSON number
// loses precision past 2^53.
//
//   {
//     "name": "Example Token",            token name
//     "symbol": "EXT",                    token symbol
//     "decimals": 18,                     optional, default 18
//     "totalSupply": "1000000000",        tokens
//     "genesis": "2026-01-01",            when the token exists and the unlocked amounts circulate
//     "note": "...",                      optional, ignored (JSON has no comments)
//     "allocations": [{
//       "name": "team",
//       "amount": "200000000",            tokens, the whole allocation
//       "unlocked": "0",                  optional, tokens of `amount` free at genesis (default 0)
//       "start": "2027-01-01",            vesting start of the rest (amount - unlocked)
//       "duration": "36 months",          vesting duration
//       "note": "..."                     optional, ignored
//     }]
//   }
//
// Times are a UTC date ("2026-01-01"), a UTC date-time ("2026-01-01T12:00:00Z") or unix
// seconds (a JSON integer). A duration is whole seconds (a JSON integer) or "N unit" with
// unit seconds, minutes, hours, days, weeks, months or years (singular too); months and
// years are calendar months from `start` (UTC, the day clamped to the month's last), then
// turned into the seconds a VestingWallet is deployed with. `start` and `duration` may be
// left out only when nothing is left to vest (unlocked = amount). VestingWallet has no
// cliff: a cliff is a later `start` (nothing vests before it) or an `unlocked` amount.
// Whatever the allocations leave of the total supply is counted as NOT circulating
// (held by the treasury, say); allocations may not add up to more than the supply.
import { formatUnits } from 'viem';

/** A schedule file that is not valid; `field` names the place ("allocations[2].duration"). */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** A length of time: a fixed number of seconds, or calendar months (a year is 12). */
export type Period = { seconds: bigint; months?: undefined } | { months: number; seconds?: undefined };

export interface Vesting {
  /** Base units held by the VestingWallet: the allocation less its unlocked part. */
  amount: bigint;
  /** Unix seconds, as the VestingWallet's `start`. */
  start: bigint;
  /** Seconds, as the VestingWallet's `duration`; always > 0. */
  duration: bigint;
  /** How the file wrote the duration ("36 months"). */
  durationText: string;
}

export interface Allocation {
  name: string;
  /** Base units, the whole allocation. */
  amount: bigint;
  /** Base units circulating from genesis. */
  unlocked: bigint;
  /** The rest, or null when nothing is left to vest and no vesting was given. */
  vesting: Vesting | null;
}

export interface TokenSchedule {
  name: string;
  symbol: string;
  decimals: number;
  /** Base units. */
  totalSupply: bigint;
  /** Unix seconds. */
  genesis: bigint;
  allocations: Allocation[];
  /** Sum of the allocations, base units. */
  allocated: bigint;
  /** totalSupply - allocated: never circulating in this model. */
  unallocated: bigint;
}

export interface SupplyPoint {
  /** Unix seconds. */
  time: bigint;
  /** Circulating base units of each allocation, in the schedule's order. */
  perAllocation: bigint[];
  circulating: bigint;
  /** circulating / totalSupply in parts per million, rounded down. */
  ppmOfSupply: number;
  /** What became circulating since the previous point (at genesis: since before it). */
  unlockedInStep: bigint;
}

export interface SupplySeries {
  step: Period;
  points: SupplyPoint[];
  /** Index of the point whose step unlocked most, genesis excluded; null when none unlocked anything. */
  largestStep: number | null;
}

/** The latest time the date arithmetic here handles: 9999-12-31T23:59:59Z. */
export const MAX_TIME = 253_402_300_799n;
const UINT256 = 1n << 256n;
const PPM = 1_000_000n;
const UNIT_SECONDS: Record<string, bigint> = { second: 1n, minute: 60n, hour: 3_600n, day: 86_400n, week: 604_800n };

/**
 * OpenZeppelin VestingWallet's `_vestingSchedule`: nothing before `start`, everything
 * from `start + duration`, linear in between, rounded down.
 */
export function vestedAmount(total: bigint, start: bigint, duration: bigint, timestamp: bigint): bigint {
  if (timestamp < start) return 0n;
  if (timestamp >= start + duration) return total;
  return (total * (timestamp - start)) / duration;
}

/** Circulating base units of one allocation at `time`: nothing before genesis. */
export function allocationCirculatingAt(allocation: Allocation, genesis: bigint, time: bigint): bigint {
  if (time < genesis) return 0n;
  const v = allocation.vesting;
  return allocation.unlocked + (v === null ? 0n : vestedAmount(v.amount, v.start, v.duration, time));
}

/** Circulating base units of each allocation at `time`, in order. */
export function circulatingAt(schedule: TokenSchedule, time: bigint): bigint[] {
  return schedule.allocations.map((a) => allocationCirculatingAt(a, schedule.genesis, time));
}

/** When the last vesting ends (genesis if that is later): from then on, all that is allocated circulates. */
export function fullyVestedAt(schedule: TokenSchedule): bigint {
  let last = schedule.genesis;
  for (const a of schedule.allocations) if (a.vesting && a.vesting.start + a.vesting.duration > last) last = a.vesting.start + a.vesting.duration;
  return last;
}

/**
 * The times, from genesis to `until`, at which the supply curve bends: between two of
 * them every allocation is linear, so a chart drawn through them is exact.
 */
export function breakpoints(schedule: TokenSchedule, until: bigint): bigint[] {
  const times = new Set<bigint>([schedule.genesis, until]);
  for (const a of schedule.allocations) {
    if (!a.vesting) continue;
    for (const t of [a.vesting.start, a.vesting.start + a.vesting.duration]) if (t > schedule.genesis && t < until) times.add(t);
  }
  return [...times].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** `time` plus `period`; months land on the same day and time of month, clamped to its last day. */
export function addPeriod(time: bigint, period: Period): bigint {
  if (period.seconds !== undefined) return time + period.seconds;
  const d = new Date(Number(time) * 1000);
  const month = d.getUTCMonth() + period.months;
  const year = d.getUTCFullYear() + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
  const ms = Date.UTC(year, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  return BigInt(ms / 1000);
}

/**
 * Circulating supply at genesis and every `step` after it (months counted from genesis,
 * not from the previous point, so that no clamped day drifts), up to the first point at
 * or after the last vesting's end. Throws ScheduleError on field `step` past `maxPoints`.
 */
export function supplySeries(schedule: TokenSchedule, step: Period, maxPoints = 10_000): SupplySeries {
  const end = fullyVestedAt(schedule);
  const at = (k: number): bigint => (step.seconds !== undefined ? schedule.genesis + step.seconds * BigInt(k) : addPeriod(schedule.genesis, { months: step.months * k }));
  const points: SupplyPoint[] = [];
  let previous = 0n;
  let largestStep: number | null = null;
  for (let k = 0; ; k++) {
    if (k >= maxPoints) throw new ScheduleError('step', `${formatPeriod(step)} gives more than ${maxPoints} points from genesis to ${formatTime(end)}; choose a longer step`);
    const time = at(k);
    const perAllocation = circulatingAt(schedule, time);
    const circulating = perAllocation.reduce((s, x) => s + x, 0n);
    const unlockedInStep = circulating - previous;
    previous = circulating;
    points.push({ time, perAllocation, circulating, ppmOfSupply: Number((circulating * PPM) / schedule.totalSupply), unlockedInStep });
    if (k > 0 && unlockedInStep > 0n && (largestStep === null || unlockedInStep > points[largestStep].unlockedInStep)) largestStep = k;
    if (time >= end) break;
  }
  return { step, points, largestStep };
}

/** "2026-01-01" at midnight UTC, else "2026-01-01T12:30:00Z". */
export function formatTime(time: bigint): string {
  const iso = new Date(Number(time) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return iso.endsWith('T00:00:00Z') ? iso.slice(0, 10) : iso;
}

export function formatPeriod(period: Period): string {
  if (period.months !== undefined) return period.months % 12 === 0 ? plural(period.months / 12, 'year') : plural(period.months, 'month');
  return plural(period.seconds, 'second');
}

function plural(n: number | bigint, unit: string): string {
  return `${n} ${unit}${n === 1 || n === 1n ? '' : 's'}`;
}

/** Base units as exact tokens: "1000000000", "2.5". */
export function formatAmount(units: bigint, decimals: number): string {
  return formatUnits(units, decimals);
}

/** Base units as tokens to two decimals with K, M or B, rounded half up ("416.67M"): for tables and charts only. */
export function formatCompact(units: bigint, decimals: number): string {
  const unit = 10n ** BigInt(decimals);
  const whole = units / unit;
  const [scale, suffix] = whole >= 1_000_000_000n ? [1_000_000_000n, 'B'] : whole >= 1_000_000n ? [1_000_000n, 'M'] : whole >= 1_000n ? [1_000n, 'K'] : [1n, ''];
  const d = unit * scale;
  const hundredths = (units * 200n + d) / (2n * d);
  return `${hundredths / 100n}.${(hundredths % 100n).toString().padStart(2, '0')}${suffix}`;
}

/** Parts per million as a percentage to two places. */
export function formatPpm(ppm: number): string {
  return `${(ppm / 10_000).toFixed(2)}%`;
}

// ---- Parsing and validation: everything past here trusts what parseSchedule returns.

/** Whole seconds (a positive integer) or "N unit": the `duration` of an allocation or a series' step. */
export function parsePeriod(value: unknown, field: string): Period {
  const problem = 'must be a positive number of seconds, or a string like "36 months" (units: seconds, minutes, hours, days, weeks, months, years)';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) throw new ScheduleError(field, problem);
    if (BigInt(value) > MAX_TIME) throw new ScheduleError(field, 'must be at most 10000 years');
    return { seconds: BigInt(value) };
  }
  const m = typeof value === 'string' ? /^([1-9][0-9]{0,8}) ?(second|minute|hour|day|week|month|year)s?$/.exec(value.trim()) : null;
  if (!m) throw new ScheduleError(field, problem);
  const n = Number(m[1]);
  const period: Period = m[2] === 'month' ? { months: n } : m[2] === 'year' ? { months: n * 12 } : { seconds: BigInt(n) * UNIT_SECONDS[m[2]] };
  // Past this the date arithmetic leaves the range of a JavaScript Date.
  if ((period.months ?? 0) > 120_000 || (period.seconds ?? 0n) > MAX_TIME) throw new ScheduleError(field, 'must be at most 10000 years');
  return period;
}

/** A UTC date, a UTC date-time with Z, or unix seconds; to unix seconds. */
export function parseTime(value: unknown, field: string): bigint {
  const problem = 'must be a UTC date like "2026-01-01" or "2026-01-01T12:00:00Z", or unix seconds (a whole number)';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new ScheduleError(field, problem);
    if (BigInt(value) > MAX_TIME) throw new ScheduleError(field, `${value} is after ${formatTime(MAX_TIME)}`);
    return BigInt(value);
  }
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?Z)?$/.exec(value) : null;
  if (!m) throw new ScheduleError(field, problem);
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    throw new ScheduleError(field, `${JSON.stringify(value)} is not a real date and time`);
  if (ms < 0) throw new ScheduleError(field, 'must not be before 1970-01-01');
  return BigInt(ms / 1000);
}

/** Tokens as a decimal string, exact to `decimals` places, to base units. */
export function parseAmount(value: unknown, decimals: number, field: string): bigint {
  const m = typeof value === 'string' ? /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(value) : null;
  if (!m) {
    const hint = typeof value === 'number' ? ' (a string: a JSON number loses precision)' : '';
    throw new ScheduleError(field, `must be a number of tokens as a decimal string like "1000000" or "2.5"${hint}`);
  }
  const frac = m[2] ?? '';
  if (frac.length > decimals) throw new ScheduleError(field, `${value} has more than ${decimals} decimal places (the token's decimals)`);
  const units = BigInt(m[1] + frac.padEnd(decimals, '0'));
  if (units >= UINT256) throw new ScheduleError(field, `${value} tokens do not fit in a uint256 of base units`);
  return units;
}

const TOP_FIELDS = ['name', 'symbol', 'decimals', 'totalSupply', 'genesis', 'allocations', 'note'];
const ALLOCATION_FIELDS = ['name', 'amount', 'unlocked', 'start', 'duration', 'note'];

function record(value: unknown, field: string, allowed: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScheduleError(field, 'must be an object');
  const r = value as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (allowed.includes(key)) continue;
    const at = field === '(file)' ? key : `${field}.${key}`;
    if (key === 'cliff') throw new ScheduleError(at, 'VestingWallet has no cliff: set `start` to the cliff date (nothing vests before start), or give an `unlocked` amount');
    throw new ScheduleError(at, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return r;
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new ScheduleError(field, `must be a non-empty string of at most ${max} characters`);
  return value;
}

/** Validates a parsed schedule file; every error names its field. */
export function parseSchedule(raw: unknown): TokenSchedule {
  const top = record(raw, '(file)', TOP_FIELDS);
  const name = text(top.name, 'name', 100);
  const symbol = text(top.symbol, 'symbol', 16);
  if (/\s/.test(symbol)) throw new ScheduleError('symbol', 'must not contain spaces');
  const decimals = top.decimals ?? 18;
  if (typeof decimals !== 'number' || !Number.isInteger(decimals) || decimals < 0 || decimals > 255) throw new ScheduleError('decimals', 'must be a whole number from 0 to 255 (an ERC-20 uint8)');
  const totalSupply = parseAmount(top.totalSupply, decimals, 'totalSupply');
  if (totalSupply === 0n) throw new ScheduleError('totalSupply', 'must be more than 0');
  const genesis = parseTime(top.genesis, 'genesis');
  if (!Array.isArray(top.allocations) || top.allocations.length === 0) throw new ScheduleError('allocations', 'must be a non-empty list');

  const names = new Map<string, number>();
  const allocations = top.allocations.map((item: unknown, i): Allocation => {
    const at = `allocations[${i}]`;
    const a = record(item, at, ALLOCATION_FIELDS);
    const allocationName = text(a.name, `${at}.name`, 60);
    const seen = names.get(allocationName);
    if (seen !== undefined) throw new ScheduleError(`${at}.name`, `${JSON.stringify(allocationName)} is already the name of allocations[${seen}]`);
    names.set(allocationName, i);
    const amount = parseAmount(a.amount, decimals, `${at}.amount`);
    if (amount === 0n) throw new ScheduleError(`${at}.amount`, 'must be more than 0');
    const unlocked = a.unlocked === undefined ? 0n : parseAmount(a.unlocked, decimals, `${at}.unlocked`);
    if (unlocked > amount) throw new ScheduleError(`${at}.unlocked`, `${formatAmount(unlocked, decimals)} is more than the allocation's amount ${formatAmount(amount, decimals)}`);
    if (a.start === undefined && a.duration === undefined) {
      if (unlocked < amount) throw new ScheduleError(`${at}.start`, `missing: ${formatAmount(amount - unlocked, decimals)} tokens are not unlocked at genesis, so they need a vesting start and duration`);
      return { name: allocationName, amount, unlocked, vesting: null };
    }
    if (a.start === undefined) throw new ScheduleError(`${at}.start`, 'missing: a duration was given, so a start is needed too');
    if (a.duration === undefined) throw new ScheduleError(`${at}.duration`, 'missing: a start was given, so a duration is needed too');
    const start = parseTime(a.start, `${at}.start`);
    const period = parsePeriod(a.duration, `${at}.duration`);
    const end = addPeriod(start, period);
    if (end > MAX_TIME) throw new ScheduleError(`${at}.duration`, `vesting would end after ${formatTime(MAX_TIME)}`);
    const durationText = typeof a.duration === 'string' ? a.duration.trim() : formatPeriod(period);
    return { name: allocationName, amount, unlocked, vesting: { amount: amount - unlocked, start, duration: end - start, durationText } };
  });

  const allocated = allocations.reduce((s, a) => s + a.amount, 0n);
  if (allocated > totalSupply)
    throw new ScheduleError(
      'allocations',
      `they add up to ${formatAmount(allocated, decimals)} tokens, ${formatAmount(allocated - totalSupply, decimals)} more than the total supply of ${formatAmount(totalSupply, decimals)}`,
    );
  return { name, symbol, decimals, totalSupply, genesis, allocations, allocated, unallocated: totalSupply - allocated };
}
