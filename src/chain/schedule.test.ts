import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readUint } from './clients.ts';
import { deployVestingWallet } from './deploy.ts';
import { addPeriod, circulatingAt, parseSchedule, parseTime, ScheduleError, supplySeries, vestedAmount, type TokenSchedule } from './schedule.ts';
import { scheduleSvg } from './scheduleSvg.ts';
import { settlementFixture, type SettlementFixture } from '../../test/fixtures/testFixture.ts';
import { transferTokens } from './token.ts';

const TOKEN = 10n ** 18n;
const MONTH = { months: 1 };
const example = (): unknown => JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/token-schedule.json'), 'utf8'));

/** A valid file with `allocations` and anything in `top` laid over it. */
function file(allocations: unknown[], top: Record<string, unknown> = {}): unknown {
  return { name: 'Test', symbol: 'TST', totalSupply: '1000', genesis: '2026-01-01', allocations, ...top };
}

function errorOf(raw: unknown): string {
  try {
    parseSchedule(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    return (e as Error).message;
  }
  throw new Error('the schedule was accepted');
}

describe('vestedAmount', () => {
  it("is VestingWallet's formula at every boundary: 0 before start, 0 at start, linear rounded down, total from the end", () => {
    const total = 1_000n * TOKEN;
    const [start, duration] = [1_000n, 100n];
    expect(vestedAmount(total, start, duration, 0n)).toBe(0n);
    expect(vestedAmount(total, start, duration, 999n)).toBe(0n);
    expect(vestedAmount(total, start, duration, 1_000n)).toBe(0n);
    expect(vestedAmount(total, start, duration, 1_001n)).toBe(10n * TOKEN);
    expect(vestedAmount(total, start, duration, 1_050n)).toBe(500n * TOKEN);
    expect(vestedAmount(total, start, duration, 1_099n)).toBe(990n * TOKEN);
    expect(vestedAmount(total, start, duration, 1_100n)).toBe(total);
    expect(vestedAmount(total, start, duration, 10n ** 12n)).toBe(total);
    // Integer division, rounded down, never up: 10 * 1 / 3 = 3, 10 * 2 / 3 = 6.
    expect(vestedAmount(10n, 7n, 3n, 8n)).toBe(3n);
    expect(vestedAmount(10n, 7n, 3n, 9n)).toBe(6n);
    expect(vestedAmount(10n, 7n, 3n, 10n)).toBe(10n);
  });
});

describe('against the real VestingWallet', () => {
  let f: SettlementFixture;
  beforeAll(async () => {
    f = await settlementFixture();
  });

  it("the schedule's vested amounts equal OpenZeppelin VestingWallet.vestedAmount to the base unit", async () => {
    // The team allocation of the example: a calendar "36 months" turned into seconds for the wallet.
    const team = parseSchedule(example()).allocations.find((a) => a.name === 'team')!;
    const v = team.vesting!;
    // An amount that does not divide evenly, so that rounding shows.
    const amount = v.amount + 7n;
    const { address: wallet } = await deployVestingWallet(f.admin, { beneficiary: f.chain.accounts[6], start: v.start, duration: v.duration });
    await transferTokens(f.admin, f.deployment.token, wallet, amount);
    const end = v.start + v.duration;
    const times = [0n, v.start - 1n, v.start, v.start + 1n, v.start + 12_345n, (v.start + end) / 2n, end - 1n, end, end + 1n, end + 10n ** 9n];
    for (let i = 1n; i <= 20n; i++) times.push(v.start + (v.duration * i * 7919n) / 160_000n);
    for (const t of times) {
      const onChain = await readUint(f.chain.publicClient, { contract: 'VestingWallet', address: wallet, functionName: 'vestedAmount', args: [f.deployment.token, t] });
      expect({ t, vested: vestedAmount(amount, v.start, v.duration, t) }).toEqual({ t, vested: onChain });
    }
  });
});

describe('parseSchedule', () => {
  it('reads the example: tokens to base units, calendar months to the seconds a VestingWallet takes, the unallocated rest', () => {
    const s = parseSchedule(example());
    expect(s.decimals).toBe(18);
    expect(s.totalSupply).toBe(1_000_000_000n * TOKEN);
    expect(s.allocated).toBe(900_000_000n * TOKEN);
    expect(s.unallocated).toBe(100_000_000n * TOKEN);
    expect(s.genesis).toBe(parseTime('2026-07-01', 'genesis'));
    const team = s.allocations.find((a) => a.name === 'team')!;
    expect(team.vesting).toMatchObject({ start: parseTime('2027-07-01', 't'), duration: parseTime('2030-07-01', 't') - parseTime('2027-07-01', 't'), durationText: '36 months' });
    const liquidity = s.allocations.find((a) => a.name === 'liquidity')!;
    expect(liquidity).toMatchObject({ amount: 50_000_000n * TOKEN, unlocked: 50_000_000n * TOKEN, vesting: null });
  });

  it('takes fractions of a token to `decimals` places, times as unix seconds, durations as seconds or units', () => {
    const s = parseSchedule(
      file([{ name: 'a', amount: '1.25', unlocked: '0.5', start: 1_800_000_000, duration: 3_600 }, { name: 'b', amount: '2', start: '2026-01-01T06:30:00Z', duration: '2 weeks' }], { decimals: 2 }),
    );
    expect(s.allocations[0]).toMatchObject({ amount: 125n, unlocked: 50n, vesting: { amount: 75n, start: 1_800_000_000n, duration: 3_600n } });
    expect(s.allocations[1].vesting).toMatchObject({ start: 1_767_249_000n, duration: 1_209_600n });
    expect(s.unallocated).toBe(100_000n - 325n);
  });

  it('adds calendar months from the start, clamping the day to the end of a shorter month', () => {
    const t = (iso: string) => parseTime(iso, 't');
    expect(addPeriod(t('2027-01-31'), { months: 1 })).toBe(t('2027-02-28'));
    expect(addPeriod(t('2028-01-31'), { months: 1 })).toBe(t('2028-02-29'));
    expect(addPeriod(t('2027-11-15T08:00:00Z'), { months: 14 })).toBe(t('2029-01-15T08:00:00Z'));
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], '(file): must be an object'],
    ['an unknown field', file([], { owner: 'x' }), 'owner: unknown field (allowed: name, symbol, decimals, totalSupply, genesis, allocations, note)'],
    ['a numeric amount', file([{ name: 'a', amount: 5, unlocked: '5' }]), 'allocations[0].amount: must be a number of tokens as a decimal string like "1000000" or "2.5" (a string: a JSON number loses precision)'],
    ['too many decimals', file([{ name: 'a', amount: '1.005', unlocked: '1.005' }], { decimals: 2 }), 'allocations[0].amount: 1.005 has more than 2 decimal places (the token\'s decimals)'],
    ['a zero duration', file([{ name: 'a', amount: '1', unlocked: '1' }, { name: 'b', amount: '1', unlocked: '1' }, { name: 'c', amount: '10', start: '2026-01-01', duration: 0 }]), 'allocations[2].duration: must be a positive number of seconds, or a string like "36 months" (units: seconds, minutes, hours, days, weeks, months, years)'],
    ['a duration in fortnights', file([{ name: 'a', amount: '10', start: '2026-01-01', duration: '3 fortnights' }]), 'allocations[0].duration: must be a positive number of seconds'],
    ['a date that does not exist', file([{ name: 'a', amount: '10', start: '2026-02-30', duration: 60 }]), 'allocations[0].start: "2026-02-30" is not a real date and time'],
    ['a local time', file([{ name: 'a', amount: '10', start: '2026-02-03T10:00:00', duration: 60 }]), 'allocations[0].start: must be a UTC date like "2026-01-01"'],
    ['a cliff field', file([{ name: 'a', amount: '10', start: '2026-01-01', duration: 60, cliff: '2027-01-01' }]), 'allocations[0].cliff: VestingWallet has no cliff: set `start` to the cliff date'],
    ['a vesting amount with no start', file([{ name: 'a', amount: '10', unlocked: '4' }]), 'allocations[0].start: missing: 6 tokens are not unlocked at genesis, so they need a vesting start and duration'],
    ['a start with no duration', file([{ name: 'a', amount: '10', start: '2026-01-01' }]), 'allocations[0].duration: missing: a start was given'],
    ['more unlocked than allocated', file([{ name: 'a', amount: '10', unlocked: '11' }]), 'allocations[0].unlocked: 11 is more than the allocation\'s amount 10'],
    ['a repeated name', file([{ name: 'a', amount: '1', unlocked: '1' }, { name: 'a', amount: '1', unlocked: '1' }]), 'allocations[1].name: "a" is already the name of allocations[0]'],
    ['no allocations', file([]), 'allocations: must be a non-empty list'],
    ['more than the supply', file([{ name: 'a', amount: '600', unlocked: '600' }, { name: 'b', amount: '400.5', unlocked: '400.5' }]), 'allocations: they add up to 1000.5 tokens, 0.5 more than the total supply of 1000'],
    ['decimals out of range', file([], { decimals: 256 }), 'decimals: must be a whole number from 0 to 255'],
    ['a vesting past year 9999', file([{ name: 'a', amount: '1', start: '9999-01-01', duration: '2 years' }]), 'allocations[0].duration: vesting would end after 9999-12-31T23:59:59Z'],
  ])('refuses %s, naming the field', (_what, raw, message) => {
    expect(errorOf(raw)).toContain(message);
  });
});

describe('supplySeries', () => {
  const s = parseSchedule(example());

  it('samples monthly from genesis to the end of the last vesting, and the last point is everything allocated', () => {
    const { points } = supplySeries(s, MONTH);
    expect(points).toHaveLength(61);
    expect(points[0].time).toBe(s.genesis);
    expect(points.at(-1)!.time).toBe(parseTime('2031-07-01', 't'));
    expect(points[0].circulating).toBe(112_000_000n * TOKEN);
    expect(points[0].unlockedInStep).toBe(points[0].circulating);
    expect(points.at(-1)!.circulating).toBe(s.allocated);
    expect(points.at(-1)!.perAllocation).toEqual(s.allocations.map((a) => a.amount));
    expect(points.at(-1)!.ppmOfSupply).toBe(900_000);
  });

  it('is exact at a point, by days elapsed over days of vesting, and finds the largest step after genesis', () => {
    const series = supplySeries(s, { months: 12 });
    const m = 1_000_000n * TOKEN;
    // 2028-07-01: 731 days after genesis and after the grants' start, 366 after the team's, 547 after the supporters'.
    expect(series.points[2].perAllocation).toEqual([20n * m + (380n * m * 731n) / 1826n, (180n * m * 366n) / 1096n, 12n * m + (108n * m * 547n) / 731n, 30n * m + (120n * m * 731n) / 1461n, 50n * m]);
    expect(series.points.map((p) => p.unlockedInStep / m)).toEqual([112n, 132n, 220n, 193n, 165n, 75n]);
    expect(series.largestStep).toBe(2);
    expect(supplySeries(parseSchedule(file([{ name: 'a', amount: '5', unlocked: '5' }])), MONTH)).toMatchObject({ points: [{ circulating: 5n * TOKEN }], largestStep: null });
  });

  it('refuses a step that would make too many points', () => {
    expect(() => supplySeries(s, { seconds: 60n })).toThrow('step: 60 seconds gives more than 10000 points from genesis to 2031-07-01; choose a longer step');
  });

  it('conserves: no allocation circulates more than it holds, the supply never falls, and it ends at all that is allocated', () => {
    const allocation = fc.record({
      amount: fc.bigInt({ min: 1n, max: 10n ** 30n }),
      unlockedPart: fc.integer({ min: 0, max: 100 }),
      startOffset: fc.integer({ min: -400, max: 2_000 }),
      durationDays: fc.integer({ min: 1, max: 2_000 }),
    });
    fc.assert(
      fc.property(fc.array(allocation, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 90 }), (list, stepDays) => {
        const day = 86_400n;
        const genesis = 1_800_000_000n;
        const allocations = list.map((a, i) => {
          const unlocked = (a.amount * BigInt(a.unlockedPart)) / 100n;
          return { name: `a${i}`, amount: a.amount, unlocked, vesting: { amount: a.amount - unlocked, start: genesis + BigInt(a.startOffset) * day, duration: BigInt(a.durationDays) * day, durationText: '' } };
        });
        const allocated = allocations.reduce((x, a) => x + a.amount, 0n);
        const schedule: TokenSchedule = { name: 'P', symbol: 'P', decimals: 18, totalSupply: allocated + 1n, genesis, allocations, allocated, unallocated: 1n };
        const { points } = supplySeries(schedule, { seconds: BigInt(stepDays) * day });
        let previous = 0n;
        for (const p of points) {
          p.perAllocation.forEach((v, i) => expect(v <= allocations[i].amount && v >= allocations[i].unlocked).toBe(true));
          expect(p.circulating <= allocated).toBe(true);
          expect(p.circulating - previous).toBe(p.unlockedInStep);
          expect(p.unlockedInStep >= 0n).toBe(true);
          previous = p.circulating;
        }
        expect(points.at(-1)!.circulating).toBe(allocated);
        expect(points.reduce((x, p) => x + p.unlockedInStep, 0n)).toBe(allocated);
        expect(circulatingAt(schedule, genesis - 1n).every((v) => v === 0n)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('scheduleSvg', () => {
  it('draws one band per allocation, escapes names, and marks the largest step', () => {
    const raw = example() as { allocations: { name: string }[] };
    raw.allocations[0].name = 'rewards <& "co">';
    const s = parseSchedule(raw);
    const svg = scheduleSvg(s, supplySeries(s, MONTH));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polygon /g)).toHaveLength(s.allocations.length);
    expect(svg).toContain('rewards &lt;&amp; &quot;co&quot;&gt;');
    expect(svg).not.toContain('<&');
    expect(svg).toContain('largest step: +18.67M to 2027-09-01');
    expect(svg).toContain('unallocated 100.00M, not circulating');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  });
});
