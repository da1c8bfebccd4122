// The loss curve of a training run as an SVG picture (training loss per step, and the
// held-out loss before and after), written into the job's output so a person can see at
// a glance whether training went anywhere. Pure string building; no dependencies.

export interface CurvePoint {
  step: number;
  loss: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function lossCurveSvg(points: readonly CurvePoint[], held: { before: number; after: number }, title: string): string {
  const W = 640;
  const H = 360;
  const pad = { l: 56, r: 16, t: 36, b: 40 };
  const all = [...points.map((p) => p.loss), held.before, held.after].filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const span = hi - lo || 1;
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const x = (s: number) => pad.l + (s / maxStep) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / span) * (H - pad.t - pad.b);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join(' ');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + f * span);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${pad.l}" y="20" font-size="14">${esc(title)}</text>`,
    ...ticks.map((v) => `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/><text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`),
    `<text x="${(W / 2).toFixed(0)}" y="${H - 8}" text-anchor="middle">step (of ${maxStep})</text>`,
    `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(held.before).toFixed(1)}" y2="${y(held.before).toFixed(1)}" stroke="#d62728" stroke-dasharray="4 3"/>`,
    `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(held.after).toFixed(1)}" y2="${y(held.after).toFixed(1)}" stroke="#2ca02c" stroke-dasharray="4 3"/>`,
    `<text x="${W - pad.r}" y="${(y(held.before) - 4).toFixed(1)}" text-anchor="end" fill="#d62728">held-out, base: ${held.before.toFixed(4)}</text>`,
    `<text x="${W - pad.r}" y="${(y(held.after) + 14).toFixed(1)}" text-anchor="end" fill="#2ca02c">held-out, with adapter: ${held.after.toFixed(4)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
