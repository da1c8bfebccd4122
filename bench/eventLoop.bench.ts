// Fires every expensive endpoint of a node with the largest input it allows, one at a
// time, and measures what each does to the node's event loop: its largest event-loop
// delay (monitorEventLoopDelay inside the node's process, read from /metrics) and the
// latency of /healthz asked all along. Target (issue 15): no delay over 100 ms. The
// benchmark runs the real `tributary start` in its own process with its defaults; the
// end-to-end test (test/eventLoop.test.ts) runs the same scenario on an in-process node
// and asserts only what shows the stall is gone. It must never change what a node accepts.
// Run: node bin/run-ts.js bench/eventLoop.bench.ts [--quick]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TributaryClient } from '../src/client/client.ts';
import { LocalSigner, type UnsignedAction, withReplayProtection } from '../src/client/signer.ts';
import { MAX_SCHEMA_NODES } from '../src/datanets/recordSchema.ts';
import { MAX_ATTRIBUTED_TEXT } from '../src/node/attributionService.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { TextGenerator } from './corpus.ts';
import { startServerProcess } from './serverProcess.ts';
import { percentile, probeStall, type StallReport } from './stallProbe.ts';

export const EVENT_LOOP_TARGET_MS = 100;

export interface StallScenario {
  /** Largest contribution the node accepts (GET /v1/node maxContentBytes). */
  maxContentBytes: number;
  /** Longest text POST /v1/attribution takes. */
  attributionChars: number;
  /** Size of the corpus datanet the attribution and duplicate checks run against, in characters. */
  corpusChars: number;
}

const sha = (b: Uint8Array) => '0x' + createHash('sha256').update(b).digest('hex');
const post = (url: string, path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** A JSONL schema as large as a datanet's may be: MAX_SCHEMA_NODES objects, every string field with a backtracking-prone pattern. */
function largestSchema(): string {
  const properties: Record<string, object> = { name: { type: 'string', pattern: '^(a+)+$' } };
  // The root, its properties object and its required array, then one object per property.
  for (let i = 1; i < MAX_SCHEMA_NODES - 3; i++) properties[`f${i}`] = { type: 'string', pattern: `^(x${i}+)+$` };
  return JSON.stringify({ type: 'object', properties, required: ['name'] });
}

/** JSONL records that fill `bytes`, all matching ^(a+)+$ except the last, which backtracking engines take forever over. */
function evilRecords(bytes: number): Buffer {
  const good = `${JSON.stringify({ name: 'a'.repeat(48) })}\n`;
  const evil = `${JSON.stringify({ name: `${'a'.repeat(40)}!` })}\n`;
  const n = Math.max(0, Math.floor((bytes - evil.length) / good.length));
  return Buffer.from(good.repeat(n) + evil);
}

/**
 * Sets a node up (a corpus datanet, its index, a version) and fires, one at a time, each
 * expensive request with its largest input, probing the node's event loop all along.
 */
export async function runStallScenario(url: string, s: StallScenario): Promise<StallReport[]> {
  const client = new TributaryClient(url, { timeoutMs: 600_000 });
  const owner = new LocalSigner(randomPrivateKey());
  const { domain, types } = await client.actionTypes();
  const signed = (action: UnsignedAction, content?: Uint8Array) =>
    JSON.stringify({ ...owner.sign(domain, types, withReplayProtection(action)), ...(content ? { content: Buffer.from(content).toString('base64') } : {}) });
  // Bodies are built before the probe starts: only the node's work is measured.
  const act = (action: UnsignedAction, content?: Uint8Array) => {
    const body = signed(action, content);
    return () => post(url, '/v1/actions', body);
  };

  // The corpus: documents of ~100k characters, each a contribution, then a version of it.
  await client.act(owner, { type: 'CreateDatanet', name: 'corpus', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
  const gen = new TextGenerator(41);
  const docs: string[] = [];
  for (let have = 0; have < s.corpusChars; ) {
    const d = gen.document(16_000).slice(0, Math.min(100_000, s.corpusChars - have));
    docs.push(d);
    have += d.length;
    const bytes = Buffer.from(d);
    await client.act(owner, { type: 'Contribute', datanet: 'corpus', contentHash: sha(bytes), size: bytes.length, fileName: `doc${docs.length}.txt` }, bytes);
  }
  await client.act(owner, { type: 'Snapshot', datanet: 'corpus' });
  await client.act(owner, { type: 'SetDuplicatePolicy', datanet: 'corpus', policy: 'flag', thresholdPpm: 500_000, minSpan: 32 });

  const reports: StallReport[] = [];
  const probe = async (name: string, request: () => Promise<Response>) => reports.push(await probeStall(url, name, request));

  await probe('POST /v1/attribution/indexes: build the corpus index', () => post(url, '/v1/attribution/indexes', JSON.stringify({ datanet: 'corpus' })));
  // Copied text is the costly case for matching: every position extends a long span.
  let copied = docs.join('\n');
  while (copied.length < s.attributionChars) copied += `\n${copied}`;
  copied = copied.slice(0, s.attributionChars);
  const attribution = JSON.stringify({ datanet: 'corpus', text: copied });
  await probe(`POST /v1/attribution: ${s.attributionChars.toLocaleString('en')} characters copied from the corpus`, () => post(url, '/v1/attribution', attribution));
  const shardText = 'x'.repeat(Math.max(MAX_ATTRIBUTED_TEXT, s.maxContentBytes));
  const shardQuery = JSON.stringify({ datanet: 'corpus', tokenizer: 'x', text: shardText, tokens: 1, minSpan: 8, maxOccurrences: 64, mode: 'attribute' });
  await probe(`POST /v1/attribution/shard-query: ${shardText.length.toLocaleString('en')} characters, no secret`, () => post(url, '/v1/attribution/shard-query', shardQuery));
  // Fresh text of the largest size: the near-duplicate check tokenizes and matches all of it.
  const fresh = new TextGenerator(97);
  let text = '';
  while (Buffer.byteLength(text) < s.maxContentBytes) text += fresh.document(20_000);
  const content = Buffer.from(text).subarray(0, s.maxContentBytes);
  // Cut on a character boundary (the text is ASCII), so the content stays valid UTF-8.
  await probe(`POST /v1/actions Contribute: ${content.length.toLocaleString('en')} bytes, near-duplicate check on`, act(
    { type: 'Contribute', datanet: 'corpus', contentHash: sha(content), size: content.length, fileName: 'big.txt' },
    content,
  ));
  // The same size staged first as raw bytes (PUT /v1/blobs), the way the CLI sends large files: no JSON, no base64.
  const staged = Buffer.from(new TextGenerator(98).document(Math.ceil(s.maxContentBytes / 5))).subarray(0, s.maxContentBytes);
  await probe(`PUT /v1/blobs then Contribute: ${staged.length.toLocaleString('en')} bytes, near-duplicate check on`, async () => {
    const auth = await client.uploadHeaders(owner, 'blob', sha(staged), staged.length);
    const put = await fetch(`${url}/v1/blobs/${sha(staged)}`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...auth }, body: staged });
    if (put.status >= 300) return put;
    return post(url, '/v1/actions', signed({ type: 'Contribute', datanet: 'corpus', contentHash: sha(staged), size: staged.length, fileName: 'staged.txt' }));
  });
  await probe(`POST /v1/actions CreateDatanet: JSONL schema of ${MAX_SCHEMA_NODES} objects, ^(a+)+$ patterns`, act({
    type: 'CreateDatanet', name: 'evil', description: '', license: 'CC0-1.0', kind: 'jsonl', schema: largestSchema(), policy: 'open', curators: [],
  }));
  await probe('POST /v1/actions CreateDatanet: a backreference pattern (refused)', act({
    type: 'CreateDatanet', name: 'backref', description: '', license: 'CC0-1.0', kind: 'jsonl', schema: JSON.stringify({ properties: { name: { type: 'string', pattern: '^(a+)\\1$' } } }), policy: 'open', curators: [],
  }));
  const records = evilRecords(s.maxContentBytes);
  await probe(`POST /v1/actions Contribute: ${records.length.toLocaleString('en')} bytes of JSONL, last record "a"x40+"!" against ^(a+)+$`, act(
    { type: 'Contribute', datanet: 'evil', contentHash: sha(records), size: records.length, fileName: 'evil.jsonl' },
    records,
  ));
  await probe(`POST /v1/actions RegisterModel: unknown base model, training data corpus@1 (${s.corpusChars.toLocaleString('en')} characters)`, act({
    type: 'RegisterModel', name: 'ghost', datanet: 'corpus', snapshot: 1, base: `0x${'ab'.repeat(32)}`, adapter: `0x${'00'.repeat(32)}`,
    pricePer1kInput: '0', pricePer1kOutput: '0', dataBps: 7000, ownerBps: 2000, computeBps: 1000, treasuryBps: 0, baselineBps: 1000, job: 0,
  }));
  return reports;
}

export interface EventLoopBenchResult {
  reports: StallReport[];
  maxLoopMs: number;
  healthzP99Ms: number;
  healthzMaxMs: number;
}

/** The scenario against `tributary start` with its default limits, in its own process. */
export async function runEventLoopBench(quick = false): Promise<EventLoopBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-eventloop-'));
  const server = await startServerProcess(dir, [], 60_000, { ...process.env, TRIBUTARY_RATE_IP: '0', TRIBUTARY_EPOCH_SECONDS: '0' });
  try {
    const info = (await (await fetch(`${server.url}/v1/node`)).json()) as { maxContentBytes: number };
    const reports = await runStallScenario(server.url, {
      maxContentBytes: quick ? Math.min(4 * 1024 * 1024, info.maxContentBytes) : info.maxContentBytes,
      attributionChars: MAX_ATTRIBUTED_TEXT,
      corpusChars: quick ? 1_000_000 : 2_000_000,
    });
    const latencies = reports.flatMap((r) => r.healthz.latenciesMs);
    return {
      reports,
      maxLoopMs: Math.max(...reports.map((r) => r.loopMaxMs)),
      healthzP99Ms: percentile(latencies, 99),
      healthzMaxMs: Math.max(...latencies),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints one line per request, then the totals beside the target. */
export function printEventLoopBench(r: EventLoopBenchResult, row: (name: string, value: string, anchor: string) => void): void {
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  for (const x of r.reports)
    row(x.name.slice(0, 52), `${f(x.loopMaxMs)} ms`, `HTTP ${x.status} in ${f(x.ms)} ms; /healthz answered ${x.healthz.answered} times (${x.healthz.during} during), p99 ${f(percentile(x.healthz.latenciesMs, 99))} ms`);
  row('max event-loop delay, all of the above', `${f(r.maxLoopMs)} ms`, `target <= ${EVENT_LOOP_TARGET_MS} ms: ${r.maxLoopMs <= EVENT_LOOP_TARGET_MS ? 'met' : 'NOT met'}`);
  row('/healthz latency p99 / max, all along', `${f(r.healthzP99Ms)} / ${f(r.healthzMaxMs)} ms`, `target <= ${EVENT_LOOP_TARGET_MS} ms`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  console.log(`Event loop under the most expensive requests (${quick ? 'quick' : 'full'}), node ${process.version}`);
  const r = await runEventLoopBench(quick);
  printEventLoopBench(r, (name, value, anchor) => console.log(`  ${name.padEnd(52)} ${value.padStart(16)}   ${anchor}`));
}
