// Measures whether one request stalls a node: while the request runs, /healthz is asked
// again and again (one at a time, from a worker thread), and the node's own event-loop delay is read from
// /metrics (tributary_event_loop_lag_seconds{stat="max"}, monitorEventLoopDelay inside the
// node's process, reset by each scrape). Shared by the event-loop benchmark and its
// end-to-end test. It never changes the node: it only reads /healthz and /metrics.
import { Worker } from 'node:worker_threads';

export interface StallReport {
  /** What the request was, in words. */
  name: string;
  status: number;
  /** The response body (JSON parsed when it is JSON). */
  body: unknown;
  /** Wall time of the request, ms. */
  ms: number;
  /** The node's largest event-loop delay while it ran (from just before it to just after), ms. */
  loopMaxMs: number;
  /** /healthz answers: how many, how many arrived before the request's answer, their latencies. */
  healthz: { answered: number; during: number; latenciesMs: number[] };
}

/** The node's event-loop delay gauges since the previous scrape, in ms (max); NaN when it has none yet. */
async function loopMaxMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^tributary_event_loop_lag_seconds\{stat="max"\} (\S+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

/**
 * Asks /healthz again and again from a worker thread, so that what the asking side does
 * on its own thread (building and sending a 20 MB body) does not count as the node's delay.
 */
const POLLER = `
const { parentPort, workerData } = require('node:worker_threads');
const latencies = [];
let stop = false;
let during = 0;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const t0 = performance.now();
    const res = await fetch(workerData.url + '/healthz');
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (!stop) during++;
    await new Promise((wake) => setTimeout(wake, workerData.everyMs));
  }
  parentPort.postMessage({ latencies, during });
})();
`;

/** Runs `request` against the node at `url` while probing /healthz every `everyMs` (one at a time). */
export async function probeStall(url: string, name: string, request: () => Promise<Response>, everyMs = 20): Promise<StallReport> {
  await loopMaxMs(url); // resets the node's histogram: what follows is this request's window
  const poller = new Worker(POLLER, { eval: true, workerData: { url, everyMs } });
  const polled = new Promise<{ latencies: number[]; during: number }>((resolve, reject) => {
    poller.once('message', resolve);
    poller.once('error', reject);
  });
  const t0 = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await request();
    status = res.status;
    text = await res.text();
  } finally {
    poller.postMessage('stop');
  }
  const ms = performance.now() - t0;
  const { latencies, during } = await polled;
  await poller.terminate();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { name, status, body, ms, loopMaxMs: await loopMaxMs(url), healthz: { answered: latencies.length, during, latenciesMs: latencies } };
}

/** The p-th percentile (0-100) of some numbers, nearest rank; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
