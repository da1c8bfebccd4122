import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { NodeConfig } from '../node/config.ts';
import { NodeEvents } from '../node/events.ts';
import { logging } from './logging.ts';

async function logged(logger: boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const node = { events: new NodeEvents(), config: { readyChainFailures: 1 } as NodeConfig };
  const app = Fastify(logger ? { logger: { level: 'info', stream } } : {});
  await app.register(logging(node));
  app.get('/things/:id', async () => ({ ok: true }));
  await app.ready();
  return { app, node, lines };
}

describe('structured logs', () => {
  it("writes one JSON line per request (route pattern, status, duration, request id), not Fastify's two", async () => {
    const { app, lines } = await logged(true);
    expect((await app.inject({ method: 'GET', url: '/things/7?x=1' })).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/nowhere' });
    await app.close();
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({ level: 30, method: 'GET', route: '/things/:id', url: '/things/7?x=1', status: 200, reqId: expect.any(String) });
    expect(requests[0].durationMs).toBeTypeOf('number');
    expect(requests[1]).toMatchObject({ route: null, status: 404 });
    // Fastify's own lines are gone for routes; an unmatched URL still gets them (see logging.ts).
    expect(lines.filter((l) => l.reqId === requests[0].reqId)).toHaveLength(1);
  });

  it('logs the events an operator acts on, each with a level', async () => {
    const { app, node, lines } = await logged(true);
    node.events.emit('batch', {
      accepted: [
        { index: 9, type: 'CloseEpoch', result: { epoch: 2, root: '0xab', accounts: 3, paid: '100' } },
        { index: 10, type: 'CompleteTrainingJob', result: { job: 4, adapter: '0xcd', evalLoss: 1.5, baseEvalLoss: 2, paid: '5' } },
        { index: 11, type: 'Contribute', result: {} },
      ],
      refused: 0,
      ms: 1,
    });
    node.events.emit('chainPosted', { what: 'anchor', treeSize: 12, tx: '0x01', block: '5' });
    node.events.emit('chainFailed', { failures: 1, message: 'connection refused', nextAttemptAt: '2026-01-01T00:00:00.000Z' });
    node.events.emit('chainFailed', { failures: 2, message: 'connection refused', nextAttemptAt: '2026-01-01T00:00:01.000Z' });
    node.events.emit('commitFailed', { message: 'database or disk is full', submissions: 3 });
    await app.close();
    const events = lines.filter((l) => l.event).map(({ level, event, ...rest }) => ({ level, event, ...rest }));
    expect(events).toMatchObject([
      { level: 30, event: 'epoch_closed', index: 9, epoch: 2, root: '0xab', accounts: 3, paid: '100' },
      { level: 30, event: 'training_job_completed', index: 10, job: 4, adapter: '0xcd', evalLoss: 1.5, baseEvalLoss: 2 },
      { level: 30, event: 'chain_posted', what: 'anchor', treeSize: 12, tx: '0x01', block: '5' },
      { level: 40, event: 'chain_failed', failures: 1, message: 'connection refused' },
      // Past TRIBUTARY_READY_CHAIN_FAILURES (1 here), when /readyz fails too: an error.
      { level: 50, event: 'chain_failed', failures: 2 },
      { level: 50, event: 'commit_failed', message: 'database or disk is full', submissions: 3 },
    ]);
    // Closed: no longer listening.
    node.events.emit('chainFailed', { failures: 3, message: 'x', nextAttemptAt: '' });
    expect(lines.filter((l) => l.failures === 3)).toEqual([]);
  });

  it('subscribes to nothing and writes nothing with the logger off', async () => {
    const { app, node, lines } = await logged(false);
    await app.inject({ method: 'GET', url: '/things/1' });
    node.events.emit('commitFailed', { message: 'x', submissions: 1 });
    await app.close();
    expect(lines).toEqual([]);
  });
});
