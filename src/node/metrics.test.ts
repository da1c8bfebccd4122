import { describe, expect, it } from 'vitest';
import { Counter, exponentialBuckets, Gauge, Histogram, MetricError, Registry } from './metrics.ts';

describe('the Prometheus text format (0.0.4)', () => {
  it('writes HELP and TYPE lines, then one sample per series, in registration order', () => {
    const r = new Registry();
    const c = r.counter('t_requests_total', 'Requests answered', ['route', 'status']);
    const g = r.gauge('t_queue_depth', 'Waiting');
    c.inc({ route: '/a', status: '2xx' });
    c.inc({ route: '/a', status: '2xx' }, 2);
    c.inc({ route: '/b/:id', status: '4xx' });
    g.set(undefined, 7);
    expect(r.render()).toBe(
      [
        '# HELP t_requests_total Requests answered',
        '# TYPE t_requests_total counter',
        't_requests_total{route="/a",status="2xx"} 3',
        't_requests_total{route="/b/:id",status="4xx"} 1',
        '# HELP t_queue_depth Waiting',
        '# TYPE t_queue_depth gauge',
        't_queue_depth 7',
        '',
      ].join('\n'),
    );
  });

  it('writes histograms as cumulative le buckets with +Inf, _sum and _count', () => {
    const h = new Histogram('t_seconds', 'Latency', [0.1, 1, 10], ['route']);
    for (const v of [0.05, 0.1, 0.5, 20]) h.observe({ route: '/x' }, v);
    expect(h.render()).toBe(
      [
        '# HELP t_seconds Latency',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{route="/x",le="0.1"} 2',
        't_seconds_bucket{route="/x",le="1"} 3',
        't_seconds_bucket{route="/x",le="10"} 3',
        't_seconds_bucket{route="/x",le="+Inf"} 4',
        't_seconds_sum{route="/x"} 20.65',
        't_seconds_count{route="/x"} 4',
        '',
      ].join('\n'),
    );
  });

  it('shows an unlabelled counter and histogram at zero before anything happened; a labelled one has no series yet', () => {
    expect(new Counter('t_total', 'x').render()).toContain('\nt_total 0\n');
    const h = new Histogram('t_h', 'x', [1]).render();
    expect(h).toContain('t_h_bucket{le="1"} 0\nt_h_bucket{le="+Inf"} 0\nt_h_sum 0\nt_h_count 0\n');
    expect(new Counter('t_l_total', 'x', ['a']).render()).toBe('# HELP t_l_total x\n# TYPE t_l_total counter\n');
  });

  it('escapes label values (backslash, quote, newline) and HELP text (backslash, newline)', () => {
    const c = new Counter('t_total', 'a \\ b\nc', ['v']);
    c.inc({ v: 'say "hi"\\\n' });
    expect(c.render()).toBe('# HELP t_total a \\\\ b\\nc\n# TYPE t_total counter\nt_total{v="say \\"hi\\"\\\\\\n"} 1\n');
  });

  it('writes special values as +Inf, -Inf and NaN', () => {
    const g = new Gauge('t_g', 'x', ['k']);
    g.set({ k: 'a' }, Infinity);
    g.set({ k: 'b' }, -Infinity);
    g.set({ k: 'c' }, NaN);
    expect(g.render()).toContain('t_g{k="a"} +Inf\nt_g{k="b"} -Inf\nt_g{k="c"} NaN\n');
  });

  it('runs collectors before each render, so values read at scrape time are current', () => {
    const r = new Registry();
    const g = r.gauge('t_size', 'x');
    let size = 1;
    r.onCollect(() => g.set(undefined, size));
    expect(r.render()).toContain('t_size 1\n');
    size = 5;
    expect(r.render()).toContain('t_size 5\n');
  });

  it('mirrors a monotonic total into a counter, and refuses one that goes down', () => {
    const c = new Counter('t_loads_total', 'x');
    c.setTotal(undefined, 3);
    c.setTotal(undefined, 3);
    expect(c.render()).toContain('t_loads_total 3\n');
    expect(() => c.setTotal(undefined, 2)).toThrow('t_loads_total is a counter: it cannot go from 3 down to 2');
    expect(() => c.inc(undefined, -1)).toThrow('cannot go up by -1');
  });

  it('refuses bad names, wrong labels, bad buckets and a name registered twice, saying which', () => {
    expect(() => new Counter('1bad', 'x')).toThrow(MetricError);
    expect(() => new Counter('t_total', 'x', ['__reserved'])).toThrow('label name "__reserved" of t_total');
    expect(() => new Histogram('t_h', 'x', [1], ['le'])).toThrow('cannot have a label named le');
    expect(() => new Histogram('t_h', 'x', [1, 1])).toThrow('strictly increasing');
    const c = new Counter('t_total', 'x', ['a', 'b']);
    expect(() => c.inc({ a: '1' } as { a: string; b: string })).toThrow('t_total takes labels {a, b}, got {a}');
    const r = new Registry();
    r.gauge('t_g', 'x');
    expect(() => r.counter('t_g', 'y')).toThrow('metric t_g is registered twice');
  });

  it('makes exponential buckets without float noise', () => {
    expect(exponentialBuckets(0.001, 2, 4)).toEqual([0.001, 0.002, 0.004, 0.008]);
    expect(exponentialBuckets(0.1, 3, 3)).toEqual([0.1, 0.3, 0.9]);
  });
});
