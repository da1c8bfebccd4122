// Signed contributions through the HTTP API: each one EIP-712-verified, its content
// hashed and checked, sequenced, and durable before the answer. The node runs in its
// own process; this process only sends pre-signed requests over keep-alive connections.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { TributaryClient } from '../src/client/client.ts';
import { LocalSigner } from '../src/client/signer.ts';
import { randomPrivateKey } from '../src/protocol/secp256k1.ts';
import { startServerProcess } from './serverProcess.ts';
import { signedContribution } from './signedContribution.ts';

export interface HttpFigures {
  requests: number;
  accepted: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Entries per committed transaction on the server. */
  meanBatch: number;
  /** Share of one core the load generator itself used: it shares the machine with the node. */
  loadGeneratorCpu: number;
}

export async function runHttpContributeBench(requests = 20_000, concurrency = 128, maxSeconds = 120): Promise<HttpFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-http-'));
  const server = await startServerProcess(dir);
  const pool = new Pool(server.url, { connections: Math.min(concurrency, 256), pipelining: 1 });
  try {
    const client = new TributaryClient(server.url);
    const owner = new LocalSigner(randomPrivateKey());
    await client.act(owner, { type: 'CreateDatanet', name: 'bench', description: '', license: 'CC0-1.0', kind: 'text', schema: '', policy: 'open', curators: [] });
    const { domain, types } = await client.actionTypes();
    const signers = Array.from({ length: 64 }, () => new LocalSigner(randomPrivateKey()));
    const bodies: string[] = [];
    for (let i = 0; i < requests; i++) {
      const text = `Benchmark contribution ${i}: a short paragraph of text about rivers and their tributaries.\n`;
      bodies.push(signedContribution(signers[i % signers.length], domain, types, 'bench', text, `c${i}.txt`));
    }

    const latencies: number[] = [];
    let next = 0;
    let accepted = 0;
    const deadline = Date.now() + maxSeconds * 1000;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const worker = async () => {
      while (next < bodies.length && Date.now() < deadline) {
        const body = bodies[next++];
        const t = performance.now();
        const res = await pool.request({ path: '/v1/actions', method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await res.body.text();
        latencies.push(performance.now() - t);
        if (res.statusCode === 200) accepted++;
        else if (accepted === 0 && latencies.length < 5) console.error(`bench request refused: ${res.statusCode} ${text}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const stats = (await (await fetch(`${server.url}/healthz`)).json()) as { entries: number; batches: number };
    latencies.sort((a, b) => a - b);
    return {
      requests: latencies.length,
      accepted,
      seconds,
      perSecond: accepted / seconds,
      p50Ms: latencies[Math.floor(latencies.length / 2)],
      p99Ms: latencies[Math.floor(latencies.length * 0.99)],
      meanBatch: stats.entries / stats.batches,
      loadGeneratorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
    };
  } finally {
    await pool.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
