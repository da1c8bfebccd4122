import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRejected } from '../protocol/errors.ts';
import { askPeer, checkParts, checkPeerSecret, type PartAnswer, PEER_SECRET_HEADER, type PartQuery } from './attributionPeers.ts';
import { ConfigError, loadConfig } from './config.ts';

const answer = (index: number, of: number): PartAnswer => ({ part: { index, of }, tokenizer: 't', logSize: 9, contents: 'c', liveTokens: 10, spans: [] });
const query: PartQuery = { datanet: 'd', tokenizer: 't', text: 'a b c d', tokens: 4, minSpan: 2, maxOccurrences: 4, mode: 'attribute' };
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ActionRejected);
    return { status: (e as ActionRejected).status, message: (e as Error).message };
  }
  throw new Error('no refusal');
};

describe('checkParts', () => {
  const self = { part: 0, of: 3, peers: ['http://b', 'http://c'] };
  it('accepts every part exactly once', () => {
    expect(() => checkParts(self, answer(0, 3), [{ peer: 'http://c', answer: answer(2, 3) }, { peer: 'http://b', answer: answer(1, 3) }])).not.toThrow();
  });
  it('names the node set up wrongly, or the part no one holds', () => {
    expect(refusal(() => checkParts(self, answer(0, 3), [{ peer: 'http://b', answer: answer(1, 4) }, { peer: 'http://c', answer: answer(2, 3) }]))).toEqual({
      status: 503,
      message: 'attribution peer http://b holds part 1/4, but this node splits the index in 3 (TRIBUTARY_ATTRIBUTION_SHARD=0/3): every node must use the same N',
    });
    expect(refusal(() => checkParts(self, answer(0, 3), [{ peer: 'http://b', answer: answer(1, 3) }, { peer: 'http://c', answer: answer(1, 3) }])).message).toBe(
      'part 1/3 of the attribution index is held by both http://b and http://c: give each node its own part (TRIBUTARY_ATTRIBUTION_SHARD)',
    );
    expect(refusal(() => checkParts({ part: 1, of: 3, peers: [] }, answer(1, 3), [])).message).toBe(
      'no node holds part 0/3, 2/3 of the attribution index: this node holds 1/3 and knows no peers; list the nodes holding the other parts in TRIBUTARY_ATTRIBUTION_PEERS',
    );
  });
});

const SECRET = 'a-secret-the-parts-share';

describe('checkPeerSecret', () => {
  const refusal = (sharding: { of: number; secret?: string }, given: string | string[] | undefined) => {
    try {
      checkPeerSecret(sharding, given);
      return undefined;
    } catch (e) {
      const r = e as ActionRejected;
      return { status: r.status, field: r.field, message: r.message };
    }
  };

  it('lets through only the shared secret', () => {
    expect(refusal({ of: 3, secret: SECRET }, SECRET)).toBeUndefined();
    expect(refusal({ of: 3, secret: SECRET }, undefined)).toMatchObject({ status: 401, field: PEER_SECRET_HEADER });
    expect(refusal({ of: 3, secret: SECRET }, '')).toMatchObject({ status: 401, field: PEER_SECRET_HEADER });
    expect(refusal({ of: 3, secret: SECRET }, SECRET + 'x')).toMatchObject({ status: 403, field: PEER_SECRET_HEADER });
    expect(refusal({ of: 3, secret: SECRET }, SECRET.slice(0, -1))).toMatchObject({ status: 403 });
    expect(refusal({ of: 3, secret: SECRET }, [SECRET, SECRET])).toMatchObject({ status: 403 });
  });

  it('answers nothing on a node that holds whole indexes, whatever it is sent', () => {
    expect(refusal({ of: 1 }, SECRET)).toEqual({
      status: 404,
      field: 'url',
      message: 'this node holds whole attribution indexes (TRIBUTARY_ATTRIBUTION_SHARD is not set): it answers no shard queries',
    });
  });
});

describe('askPeer', () => {
  let server: Server;
  let url: string;
  let reply: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };
  const secretsSent: Array<string | string[] | undefined> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      secretsSent.push(req.headers[PEER_SECRET_HEADER]);
      setTimeout(() => res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body), reply.delayMs ?? 0);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const ask = (deadlineMs = 2000) => askPeer(url, SECRET, query, Date.now() + deadlineMs).then(() => undefined, (e: ActionRejected) => ({ status: e.status, message: e.message, details: e.details }));

  it('returns a well-formed answer', async () => {
    reply = { status: 200, body: JSON.stringify({ ...answer(1, 2), spans: [{ start: 1, end: 4, count: 1, contributions: [7] }] }) };
    secretsSent.length = 0;
    expect((await askPeer(url, SECRET, query, Date.now() + 2000)).spans).toEqual([{ start: 1, end: 4, count: 1, contributions: [7] }]);
    expect(secretsSent).toEqual([SECRET]);
  });

  it('turns every failure into a 503 naming the peer', async () => {
    reply = { status: 404, body: JSON.stringify({ error: { code: 'not_found', message: 'no datanet named d' } }) };
    expect(await ask()).toEqual({ status: 503, message: `attribution peer ${url} answered 404: no datanet named d`, details: { peer: url } });
    reply = { status: 200, body: JSON.stringify({ ...answer(1, 2), spans: [{ start: 2, end: 9, count: 1, contributions: [7] }] }) };
    expect((await ask())?.message).toBe(`attribution peer ${url} answered a span [2, 9) that does not fit the query`);
    reply = { status: 200, body: JSON.stringify({ part: 1 }) };
    expect((await ask())?.message).toMatch(new RegExp(`^attribution peer ${url} answered something that is not a part of an index`));
    reply = { status: 200, body: '{}', delayMs: 500 };
    expect((await ask(100))?.message).toMatch(new RegExp(`^attribution peer ${url} did not answer within \\d+ ms$`));
    const gone = createServer();
    await new Promise<void>((done) => gone.listen(0, '127.0.0.1', done));
    const goneUrl = `http://127.0.0.1:${(gone.address() as { port: number }).port}`;
    await new Promise<void>((done) => gone.close(() => done()));
    expect(await askPeer(goneUrl, SECRET, query, Date.now() + 2000).catch((e: Error) => e.message)).toBe(`attribution peer ${goneUrl} cannot be reached (ECONNREFUSED)`);
  });
});

describe('TRIBUTARY_ATTRIBUTION_* configuration', () => {
  const load = (env: NodeJS.ProcessEnv) => loadConfig({ data: '/tmp/x' }, env).attribution;
  const error = (env: NodeJS.ProcessEnv) => {
    try {
      load(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no ConfigError');
  };

  it('holds the whole index by default; K/N and peers otherwise', () => {
    expect(load({})).toEqual({ part: 0, of: 1, peers: [], timeoutMs: 30_000 });
    expect(
      load({ TRIBUTARY_ATTRIBUTION_SHARD: '2/3', TRIBUTARY_ATTRIBUTION_PEERS: 'http://a:8790/, https://b.example/tributary', TRIBUTARY_ATTRIBUTION_TIMEOUT_MS: '500', TRIBUTARY_ATTRIBUTION_SECRET: SECRET }),
    ).toEqual({
      part: 2,
      of: 3,
      peers: ['http://a:8790', 'https://b.example/tributary'],
      timeoutMs: 500,
      secret: SECRET,
    });
    expect(load({ TRIBUTARY_ATTRIBUTION_SHARD: '1/3', TRIBUTARY_ATTRIBUTION_SECRET: SECRET })).toMatchObject({ part: 1, of: 3, peers: [] });
  });

  it('says what is wrong', () => {
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: 'half' })).toBe('TRIBUTARY_ATTRIBUTION_SHARD must be K/N (this node indexes the contributions whose id % N == K), got "half"');
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '3/3' })).toBe('TRIBUTARY_ATTRIBUTION_SHARD K must be between 0 and 2, got 3');
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '0/0' })).toBe('TRIBUTARY_ATTRIBUTION_SHARD N must be between 1 and 1024, got 0');
    expect(error({ TRIBUTARY_ATTRIBUTION_PEERS: 'http://a' })).toBe(
      'TRIBUTARY_ATTRIBUTION_PEERS is set, but this node holds the whole index: give each node its part with TRIBUTARY_ATTRIBUTION_SHARD=K/N',
    );
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '1/3' })).toBe(
      'TRIBUTARY_ATTRIBUTION_SHARD=1/3 needs TRIBUTARY_ATTRIBUTION_SECRET, a secret of at least 16 characters that every part shares: nodes prove it on each shard query, and a node answers none without it',
    );
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '1/3', TRIBUTARY_ATTRIBUTION_SECRET: 'short' })).toMatch(/ \(the one given has 5\)$/);
    expect(error({ TRIBUTARY_ATTRIBUTION_SECRET: SECRET })).toBe(
      'TRIBUTARY_ATTRIBUTION_SECRET is set, but this node holds the whole index: it answers no shard queries (set TRIBUTARY_ATTRIBUTION_SHARD=K/N to split it)',
    );
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '0/3', TRIBUTARY_ATTRIBUTION_PEERS: 'http://a' })).toBe(
      'TRIBUTARY_ATTRIBUTION_PEERS lists 1 nodes, but the 2 other parts of TRIBUTARY_ATTRIBUTION_SHARD=0/3 need one each (or none, for a node that only answers its peers)',
    );
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '0/3', TRIBUTARY_ATTRIBUTION_PEERS: 'http://a,a.example' })).toBe(
      'TRIBUTARY_ATTRIBUTION_PEERS must be a comma-separated list of node URLs such as http://10.0.0.2:8790, got "a.example"',
    );
    expect(error({ TRIBUTARY_ATTRIBUTION_SHARD: '0/3', TRIBUTARY_ATTRIBUTION_PEERS: 'http://a,http://a/' })).toBe('TRIBUTARY_ATTRIBUTION_PEERS lists a node twice: http://a,http://a');
    expect(error({ TRIBUTARY_ATTRIBUTION_TIMEOUT_MS: '5' })).toBe('TRIBUTARY_ATTRIBUTION_TIMEOUT_MS must be between 100 and 3600000, got 5');
  });
});
