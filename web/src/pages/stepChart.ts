// A cumulative step chart in plain SVG (no chart library: the bundle stays small). Each
// series is a running total that only changes at its points; the chart has a title and a
// description for screen readers, and the caller shows the same numbers as a table.
const NS = 'http://www.w3.org/2000/svg';

export interface StepSeries {
  label: string;
  /** CSS class of the line (its colour comes from the page's stylesheet). */
  className: string;
  /** Running totals, x ascending (e.g. Unix milliseconds), y in whole tokens. */
  points: Array<{ x: number; y: number }>;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

/** Draws the series from 0 at the first x to the last point, extended to `xEnd` (now). */
export function stepChart(series: StepSeries[], o: { title: string; description: string; xEnd: number; formatX(x: number): string; formatY(y: number): string }): SVGSVGElement {
  const W = 720, H = 260, L = 64, R = 16, T = 16, B = 36;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const x0 = Math.min(...xs);
  const x1 = Math.max(o.xEnd, ...xs, x0 + 1);
  const yMax = Math.max(...series.flatMap((s) => s.points.map((p) => p.y)), 0) || 1;
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => T + (1 - y / yMax) * (H - T - B);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'step-chart' }, el('title', { id: 'chart-title' }, o.title), el('desc', { id: 'chart-desc' }, o.description));
  for (const f of [0, 0.5, 1]) {
    const y = sy(yMax * f);
    svg.append(el('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }), el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, o.formatY(yMax * f)));
  }
  svg.append(
    el('text', { x: L, y: H - 10, class: 'tick' }, o.formatX(x0)),
    el('text', { x: W - R, y: H - 10, 'text-anchor': 'end', class: 'tick' }, o.formatX(x1)),
  );
  for (const s of series) {
    if (s.points.length === 0) continue;
    let d = `M${sx(s.points[0].x)},${sy(0)}`;
    for (const p of s.points) d += ` H${sx(p.x)} V${sy(p.y)}`;
    d += ` H${sx(x1)}`;
    svg.append(el('path', { d, class: `series ${s.className}` }, el('title', {}, s.label)));
    for (const p of s.points) svg.append(el('circle', { cx: sx(p.x), cy: sy(p.y), r: 3, class: `dot ${s.className}` }));
  }
  return svg;
}
