// The circulating supply of a token schedule as a stacked-area SVG: one band per
// allocation, the total on top, the unallocated part of the supply above a dashed line,
// and the step with the largest unlock shaded. Hand-written SVG, no dependency. The
// curve is drawn through the schedule's breakpoints, where it bends, so it is exact
// between the series' sample points too. Floats only for pixel positions, never for
// amounts.
import { breakpoints, circulatingAt, formatCompact, formatPpm, formatTime, type SupplySeries, type TokenSchedule } from './schedule.ts';

const WIDTH = 980;
const HEIGHT = 520;
const PLOT = { left: 70, top: 56, right: 700, bottom: 460 };
const COLORS = ['#2f6db5', '#e07b39', '#3a9e5c', '#c44e52', '#8172b3', '#937860', '#da8bc3', '#8c8c8c', '#ccb974', '#64b5cd'];

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const px = (n: number) => n.toFixed(1);

export function scheduleSvg(schedule: TokenSchedule, series: SupplySeries): string {
  const first = series.points[0].time;
  const last = series.points[series.points.length - 1].time;
  const span = Number(last - first) || 1;
  const x = (t: bigint) => PLOT.left + ((PLOT.right - PLOT.left) * Number(t - first)) / span;
  // Share of the total supply through ppm, so the bigint division stays exact until the pixel.
  const y = (units: bigint) => PLOT.bottom - ((PLOT.bottom - PLOT.top) * Number((units * 1_000_000n) / schedule.totalSupply)) / 1_000_000;

  const times = breakpoints(schedule, last);
  const stacks = times.map((t) => {
    let sum = 0n;
    return [0n, ...circulatingAt(schedule, t).map((v) => (sum += v))];
  });
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${PLOT.left}" y="28" font-size="16" font-weight="600">${escapeXml(`${schedule.name} (${schedule.symbol}): circulating supply`)}</text>`,
    `<text x="${PLOT.left}" y="44" fill="#555">${escapeXml(`share of the total supply of ${formatCompact(schedule.totalSupply, schedule.decimals)} ${schedule.symbol}; vesting as OpenZeppelin VestingWallet`)}</text>`,
  );

  for (const pct of [0, 25, 50, 75, 100]) {
    const gy = PLOT.bottom - ((PLOT.bottom - PLOT.top) * pct) / 100;
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${px(gy)}" y2="${px(gy)}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${px(gy + 4)}" text-anchor="end" fill="#555">${pct}%</text>`);
  }

  if (series.largestStep !== null) {
    const k = series.largestStep;
    const x0 = x(series.points[k - 1].time);
    const x1 = x(series.points[k].time);
    out.push(`<rect x="${px(x0)}" y="${PLOT.top}" width="${px(Math.max(x1 - x0, 1))}" height="${PLOT.bottom - PLOT.top}" fill="#ffd54f" fill-opacity="0.35"/>`);
    const label = `largest step: +${formatCompact(series.points[k].unlockedInStep, schedule.decimals)} to ${formatTime(series.points[k].time)}`;
    out.push(`<text x="${px(Math.min(x1 + 4, PLOT.right - 4))}" y="${PLOT.top + 14}" text-anchor="${x1 + 4 > PLOT.right - 200 ? 'end' : 'start'}" fill="#8a6d00">${escapeXml(label)}</text>`);
  }

  schedule.allocations.forEach((a, i) => {
    const upper = times.map((t, j) => `${px(x(t))},${px(y(stacks[j][i + 1]))}`);
    const lower = times.map((t, j) => `${px(x(t))},${px(y(stacks[j][i]))}`).reverse();
    out.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${COLORS[i % COLORS.length]}" fill-opacity="0.8"><title>${escapeXml(a.name)}</title></polygon>`);
  });
  out.push(`<polyline points="${times.map((t, j) => `${px(x(t))},${px(y(stacks[j][stacks[j].length - 1]))}`).join(' ')}" fill="none" stroke="#222" stroke-width="1.5"/>`);

  const allocatedY = y(schedule.allocated);
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${px(allocatedY)}" y2="${px(allocatedY)}" stroke="#222" stroke-dasharray="5 4"/>`);
  if (schedule.unallocated > 0n)
    out.push(
      `<text x="${PLOT.right - 4}" y="${px(allocatedY - 6)}" text-anchor="end" fill="#333">${escapeXml(`above: unallocated ${formatCompact(schedule.unallocated, schedule.decimals)}, not circulating`)}</text>`,
    );

  out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${PLOT.bottom}" y2="${PLOT.bottom}" stroke="#222"/>`);
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.bottom}" stroke="#222"/>`);
  const n = series.points.length;
  const ticks = [...new Set(Array.from({ length: Math.min(n, 7) }, (_, i) => Math.round((i * (n - 1)) / Math.max(Math.min(n, 7) - 1, 1))))];
  for (const k of ticks) {
    const tx = x(series.points[k].time);
    out.push(`<line x1="${px(tx)}" x2="${px(tx)}" y1="${PLOT.bottom}" y2="${PLOT.bottom + 5}" stroke="#222"/>`);
    out.push(`<text x="${px(tx)}" y="${PLOT.bottom + 20}" text-anchor="middle" fill="#555">${formatTime(series.points[k].time)}</text>`);
  }

  const end = series.points[n - 1];
  const legend = [
    ...schedule.allocations.map((a, i) => ({ color: COLORS[i % COLORS.length], label: `${a.name} ${formatCompact(a.amount, schedule.decimals)}` })),
    { color: 'none', label: `circulating at the end ${formatPpm(end.ppmOfSupply)}` },
  ];
  legend.forEach((item, i) => {
    const ly = PLOT.top + 8 + i * 22;
    if (item.color === 'none') out.push(`<line x1="${PLOT.right + 24}" x2="${PLOT.right + 38}" y1="${ly + 6}" y2="${ly + 6}" stroke="#222" stroke-width="1.5"/>`);
    else out.push(`<rect x="${PLOT.right + 24}" y="${ly}" width="14" height="12" fill="${item.color}" fill-opacity="0.8"/>`);
    out.push(`<text x="${PLOT.right + 44}" y="${ly + 10}">${escapeXml(item.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
