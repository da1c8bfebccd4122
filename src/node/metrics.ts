// A metrics registry: counters, gauges and histograms with labels, written out in the
// Prometheus text exposition format 0.0.4. It only counts and formats; what is measured
// and where lives with the caller (node/nodeMetrics.ts, api/routes/metrics.ts). It must
// never do I/O or throw on the hot path for a well-formed call.

/** The Content-Type of `Registry.render()`'s output. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricError extends Error {
  override readonly name = 'MetricError';
}

type LabelValues<L extends string> = { readonly [K in L]: string };

interface Sample {
  suffix: string;
  labels: string;
  value: number;
}

abstract class Family<L extends string> {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new MetricError(`metric name ${JSON.stringify(name)} is not [a-zA-Z_:][a-zA-Z0-9_:]*`);
    for (const l of labelNames)
      if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new MetricError(`label name ${JSON.stringify(l)} of ${name} is not [a-zA-Z_][a-zA-Z0-9_]* (or starts with __)`);
  }

  /** The `{a="x",b="y"}` text for a set of values: also the key the series is stored under. */
  protected key(labels: Partial<LabelValues<L>> | undefined): string {
    const given = labels ? Object.keys(labels).length : 0;
    if (given !== this.labelNames.length || this.labelNames.some((l) => labels?.[l] === undefined))
      throw new MetricError(`${this.name} takes labels {${this.labelNames.join(', ')}}, got {${Object.keys(labels ?? {}).join(', ')}}`);
    return this.labelNames.length === 0 ? '' : `{${this.labelNames.map((l) => `${l}="${escapeLabel(String(labels![l]))}"`).join(',')}}`;
  }

  abstract samples(): Sample[];

  render(): string {
    const head = `# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${this.name} ${this.type}\n`;
    return head + this.samples().map((s) => `${this.name}${s.suffix}${s.labels} ${formatValue(s.value)}\n`).join('');
  }
}

/** Only goes up (until the process restarts): requests, entries, failures. */
export class Counter<L extends string = never> extends Family<L> {
  private readonly values = new Map<string, number>();

  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, 'counter', labelNames);
  }

  inc(...[labels, by = 1]: [L] extends [never] ? [labels?: undefined, by?: number] : [labels: LabelValues<L>, by?: number]): void {
    if (!(by >= 0)) throw new MetricError(`${this.name} is a counter: it cannot go up by ${by}`);
    const k = this.key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  /** Mirrors a total kept elsewhere that is itself monotonic; refuses to go down. */
  setTotal(...[labels, total]: [L] extends [never] ? [labels: undefined, total: number] : [labels: LabelValues<L>, total: number]): void {
    const k = this.key(labels);
    const now = this.values.get(k) ?? 0;
    if (!(total >= now)) throw new MetricError(`${this.name} is a counter: it cannot go from ${now} down to ${total}`);
    this.values.set(k, total);
  }

  samples(): Sample[] {
    if (this.labelNames.length === 0 && this.values.size === 0) return [{ suffix: '', labels: '', value: 0 }];
    return [...this.values].map(([labels, value]) => ({ suffix: '', labels, value }));
  }
}

/** A value that goes up and down: sizes, depths, timestamps. */
export class Gauge<L extends string = never> extends Family<L> {
  private values = new Map<string, number>();

  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, 'gauge', labelNames);
  }

  set(...[labels, value]: [L] extends [never] ? [labels: undefined, value: number] : [labels: LabelValues<L>, value: number]): void {
    this.values.set(this.key(labels), value);
  }

  /** Forgets every series: for gauges refilled from scratch before each render. */
  clear(): void {
    this.values = new Map();
  }

  samples(): Sample[] {
    return [...this.values].map(([labels, value]) => ({ suffix: '', labels, value }));
  }
}

/** Counts observations into cumulative `le` buckets, with their sum and count. */
export class Histogram<L extends string = never> extends Family<L> {
  readonly buckets: readonly number[];
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();

  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly L[] = []) {
    super(name, help, 'histogram', labelNames);
    if (labelNames.includes('le' as L)) throw new MetricError(`${name}: a histogram cannot have a label named le`);
    if (buckets.length === 0 || buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1])))
      throw new MetricError(`${name}: buckets must be finite and strictly increasing, got [${buckets.join(', ')}]`);
    this.buckets = [...buckets];
  }

  observe(...[labels, value]: [L] extends [never] ? [labels: undefined, value: number] : [labels: LabelValues<L>, value: number]): void {
    if (Number.isNaN(value)) return;
    const k = this.key(labels);
    let s = this.series.get(k);
    if (!s) this.series.set(k, (s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }));
    // Stored per bucket; made cumulative when written out.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  samples(): Sample[] {
    if (this.labelNames.length === 0 && this.series.size === 0) this.series.set('', { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 });
    const out: Sample[] = [];
    for (const [labels, s] of this.series) {
      const inner = labels === '' ? '' : labels.slice(1, -1) + ',';
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i];
        out.push({ suffix: '_bucket', labels: `{${inner}le="${formatValue(b)}"}`, value: cumulative });
      });
      out.push({ suffix: '_bucket', labels: `{${inner}le="+Inf"}`, value: s.count });
      out.push({ suffix: '_sum', labels, value: s.sum });
      out.push({ suffix: '_count', labels, value: s.count });
    }
    return out;
  }
}

/** `count` buckets from `start`, each `factor` times the one before. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));
}

export class Registry {
  private readonly families = new Map<string, Family<string>>();
  private readonly collectors: Array<() => void> = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.add(new Counter<L>(name, help, labelNames));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.add(new Gauge<L>(name, help, labelNames));
  }

  histogram<L extends string = never>(name: string, help: string, buckets: readonly number[], labelNames: readonly L[] = []): Histogram<L> {
    return this.add(new Histogram<L>(name, help, buckets, labelNames));
  }

  /** Runs before every render: for values read from their source at scrape time. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** Every family, in the order registered, as one exposition document. */
  render(): string {
    for (const c of this.collectors) c();
    return [...this.families.values()].map((f) => f.render()).join('');
  }

  private add<F extends Family<string>>(f: F): F {
    if (this.families.has(f.name)) throw new MetricError(`metric ${f.name} is registered twice`);
    this.families.set(f.name, f);
    return f;
  }
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}
