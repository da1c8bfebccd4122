// Attribution indexes split over nodes (TRIBUTARY_ATTRIBUTION_SHARD, _PEERS, _SECRET):
// asking a peer for its part (POST /v1/attribution/shard-query; the query and answer shapes
// are src/wire/attribution.ts) with the shared secret, checking that secret on a query that arrives,
// and checking that the answers together make exactly one index, every part once. It never
// lets a partial answer through: a part that is missing, unreachable or answers wrongly is
// a 503 that names it, since payouts follow attributions. It never answers a shard query
// that does not prove the secret: such a query is refused before its body is even read.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { PartAnswer, type PartQuery } from '../wire/attribution.ts';
import type { AttributionSharding } from './config.ts';

/** The header in which a node proves TRIBUTARY_ATTRIBUTION_SECRET to the peer it asks. */
export const PEER_SECRET_HEADER = 'x-tributary-attribution-secret';

// The query and the answer are wire shapes (src/wire/attribution.ts), shared with the route.
export { PartAnswer, type PartQuery };

/**
 * Lets a shard query through only from a peer that holds this node's secret: a node that
 * holds whole indexes answers none (404), a query without the secret is a 401 and one with
 * the wrong secret a 403. Digests of equal length are compared in constant time, so the
 * answer's timing says nothing about how much of a guess was right.
 */
export function checkPeerSecret(sharding: Pick<AttributionSharding, 'of' | 'secret'>, given: string | string[] | undefined): void {
  if (sharding.of === 1 || sharding.secret === undefined)
    throw reject.notFound('url', 'this node holds whole attribution indexes (TRIBUTARY_ATTRIBUTION_SHARD is not set): it answers no shard queries');
  if (given === undefined || given === '')
    throw new ActionRejected(401, 'unauthorized', PEER_SECRET_HEADER, `a shard query must carry the peers' shared secret (TRIBUTARY_ATTRIBUTION_SECRET) in the ${PEER_SECRET_HEADER} header`);
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  if (Array.isArray(given) || !timingSafeEqual(digest(given), digest(sharding.secret)))
    throw reject.forbidden(PEER_SECRET_HEADER, `the ${PEER_SECRET_HEADER} header does not hold this node's TRIBUTARY_ATTRIBUTION_SECRET`);
}

/** A peer's part of `query`, or a 503 naming the peer: unreachable, too slow, refusing, or answering nonsense. */
export async function askPeer(peer: string, secret: string, query: PartQuery, deadline: number): Promise<PartAnswer> {
  const ms = Math.max(1, deadline - Date.now());
  let status: number;
  let body: string;
  try {
    const res = await fetch(`${peer}/v1/attribution/shard-query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [PEER_SECRET_HEADER]: secret },
      body: JSON.stringify(query),
      signal: AbortSignal.timeout(ms),
    });
    status = res.status;
    body = await res.text();
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `did not answer within ${ms} ms` : `cannot be reached (${causeOf(e)})`;
    throw peerDown(peer, `attribution peer ${peer} ${why}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw peerDown(peer, `attribution peer ${peer} answered ${status} with something that is not JSON: ${body.slice(0, 200)}`);
  }
  if (status !== 200) {
    const message = (json as { error?: { message?: unknown } } | null)?.error?.message;
    throw peerDown(peer, `attribution peer ${peer} answered ${status}: ${typeof message === 'string' ? message : body.slice(0, 200)}`);
  }
  const parsed = PartAnswer.safeParse(json);
  if (!parsed.success) throw peerDown(peer, `attribution peer ${peer} answered something that is not a part of an index: ${parsed.error.issues[0]?.message}`);
  const bad = parsed.data.spans.find((s) => !(s.end <= query.tokens && s.end - s.start >= query.minSpan));
  if (bad) throw peerDown(peer, `attribution peer ${peer} answered a span [${bad.start}, ${bad.end}) that does not fit the query`);
  return parsed.data;
}

/**
 * That this node's part and its peers' answers hold every part of a split into `of`
 * exactly once; else a 503 that says which node is set up wrongly, or which part no one holds.
 */
export function checkParts(self: { part: number; of: number; peers: string[] }, local: PartAnswer, answers: Array<{ peer: string; answer: PartAnswer }>): void {
  const { part, of } = self;
  const holder = new Map<number, string>([[part, 'this node']]);
  for (const { peer, answer } of answers) {
    const { index, of: theirs } = answer.part;
    if (theirs !== of || index >= of)
      throw peerDown(peer, `attribution peer ${peer} holds part ${index}/${theirs}, but this node splits the index in ${of} (TRIBUTARY_ATTRIBUTION_SHARD=${part}/${of}): every node must use the same N`);
    if (answer.tokenizer !== local.tokenizer) throw peerDown(peer, `attribution peer ${peer} indexes with tokenizer ${answer.tokenizer}, this node with ${local.tokenizer}`);
    const other = holder.get(index);
    if (other) throw peerDown(peer, `part ${index}/${of} of the attribution index is held by both ${other} and ${peer}: give each node its own part (TRIBUTARY_ATTRIBUTION_SHARD)`);
    holder.set(index, peer);
  }
  const missing = Array.from({ length: of }, (_, k) => k).filter((k) => !holder.has(k));
  if (missing.length > 0)
    throw reject.unavailable(
      `no node holds part ${missing.map((k) => `${k}/${of}`).join(', ')} of the attribution index: this node holds ${part}/${of} and ` +
        (self.peers.length === 0 ? 'knows no peers' : `asked ${self.peers.join(', ')}`) +
        '; list the nodes holding the other parts in TRIBUTARY_ATTRIBUTION_PEERS',
      { missing },
    );
}

function peerDown(peer: string, message: string) {
  return reject.unavailable(message, { peer });
}

/** fetch says only "fetch failed"; the reason (ECONNREFUSED…) is in its cause. */
function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}
