// The node's attribution service: one LSM index per datanet (its accepted
// contributions, kept fresh after every change) and one per datanet version (fixed
// contents, minus later withdrawals), all with the default tokenizer, built on a worker
// thread. It answers attribution queries and measures near-duplicate coverage. When the
// indexes are split over nodes (TRIBUTARY_ATTRIBUTION_SHARD=K/N), it holds only the
// contributions whose id % N == K and fans each query out to the peers holding the rest.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type Attribution, type AttributionParams, attributeSpans, coverageOf, matchOptions } from '../attribution/attribute.ts';
import { InlineBuilder, type ShardBuilder, WorkerBuilder } from '../attribution/builder.ts';
import { AttributionIndex, type DocumentSource, type IndexStatus } from '../attribution/index.ts';
import { type MatchOptions, mergeSpans } from '../attribution/spans.ts';
import { defaultTokenizer } from '../tokenizer/default.ts';
import { type ContributionRecord, type DatanetRecord, findContribution, keys, type SnapshotRecord } from '../datanets/records.ts';
import { reject } from '../protocol/errors.ts';
import { findModel } from '../settlement/records.ts';
import { askPeer, checkPeerSecret, checkParts, type PartAnswer, type PartQuery } from './attributionPeers.ts';
import type { QueryShards } from './cpuTasks.ts';
import type { TributaryNode } from './node.ts';

export type Scope = { datanet: string; version?: number };

/**
 * The longest text POST /v1/attribution takes, in UTF-16 units. Matching costs time
 * linear in the text for new text, but quadratic in the length of copied runs (each
 * position re-checks the run it continues): 200,000 characters copied from one contribution
 * took 15 s on a busy 2-core machine, 100,000 took 3.5 s (docs/attribution.md, "Limits").
 */
export const MAX_ATTRIBUTED_TEXT = 100_000;

export interface ScopedStatus extends IndexStatus {
  datanet: string;
  version: number | null;
  /** The part of the scope's contributions this node indexes: ids with id % of == index. */
  part: { index: number; of: number };
}

export class AttributionService {
  private readonly indexes = new Map<string, AttributionIndex>();
  private readonly builder: ShardBuilder;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /**
   * Indexes synced since their datanet last changed. Most log growth (inference records,
   * deposits, epochs) touches no datanet, so a query need not re-check the index each time.
   */
  private readonly clean = new Set<string>();
  /** Changes seen per datanet, so that a sync overtaken by a change does not count as clean. */
  private readonly generation = new Map<string, number>();
  /** Per index: a digest of the scope's contributions when it was last synced, by which split parts check they agree. */
  private readonly contents = new Map<string, string>();

  constructor(
    private readonly node: TributaryNode,
    opts: { inline?: boolean } = {},
  ) {
    this.builder = opts.inline ? new InlineBuilder(defaultTokenizer()) : new WorkerBuilder();
  }

  /**
   * A model's attribution scope: the datanet version it was trained on, since that is the
   * data its outputs can come from (not contributions added after it was trained).
   */
  modelScope(id: string): Scope {
    const m = findModel(this.node.state, id);
    if (!m) throw reject.notFound('model', `no model ${id} (name@version)`);
    if (m.datanet === '') throw reject.notFound('model', `model ${id} was not trained on a datanet: there is nothing to attribute its output to`);
    return { datanet: m.datanet, version: m.snapshot };
  }

  /** Attributes `text` to the contributions of a datanet or of one of its versions. */
  async attribute(scope: Scope, text: string, params?: AttributionParams): Promise<Attribution & { scope: Scope & { logSize: number } }> {
    const scoped = (logSize: number) => ({ datanet: scope.datanet, ...(scope.version ? { version: scope.version } : {}), logSize });
    if (this.split) {
      const { logSize, attribution } = await this.fanOut(scope, text, 'attribute', { ...params, repeats: this.repeats(scope.datanet) });
      return { scope: scoped(logSize), ...attribution };
    }
    const index = await this.fresh(scope);
    const logSize = index.logSize;
    const result = await this.node.cpu.run(
      'attribute',
      { shards: index.queryViews(), text, params: { ...params, repeats: this.repeats(scope.datanet) } },
      `attributing a text of ${text.length} characters`,
    );
    return { scope: scoped(logSize), ...result };
  }

  /**
   * How much of a text (or UTF-8 bytes) long spans of the datanet's live contributions already cover, and
   * whose. Uses the index as it stands (built on first use, refreshed in the background),
   * so that intake does not wait for a rebuild.
   */
  async coverage(datanet: string, content: string | Uint8Array, minSpan: number): Promise<{ coveredPpm: number; repeats: number[] }> {
    if (this.split) {
      const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
      return coverageOf((await this.fanOut({ datanet }, text, 'coverage', { minSpan })).attribution);
    }
    const index = await this.current({ datanet });
    // Bytes are decoded on the worker: for a large contribution that too is work the event loop is spared.
    const what = `measuring how much of ${content.length} ${typeof content === 'string' ? 'characters' : 'bytes'} repeats earlier contributions`;
    return coverageOf(await this.node.cpu.run('attribute', { shards: index.queryViews(), text: content, params: { minSpan } }, what));
  }

  /**
   * This node's part of a query over a split index, for the peer that asked
   * (POST /v1/attribution/shard-query): the text's unscored spans among the contributions
   * this node holds, with the tokenizer and token count checked against the asker's.
   */
  async part(q: PartQuery): Promise<PartAnswer> {
    const tokenizer = defaultTokenizer();
    if (q.tokenizer !== tokenizer.id) throw reject.conflict('tokenizer', `this node indexes with tokenizer ${tokenizer.id}, not ${q.tokenizer}`);
    const scope = q.version === undefined ? { datanet: q.datanet } : { datanet: q.datanet, version: q.version };
    const index = await this.indexFor(scope, q.mode);
    const opts = { minSpan: q.minSpan, maxOccurrences: q.maxOccurrences };
    const part = this.partOf(scope, index);
    const { tokens, spans } = await this.node.cpu.run('tokensAndSpans', { shards: part.shards, text: q.text, opts }, `a shard query over ${q.text.length} characters`);
    if (tokens !== q.tokens) throw reject.conflict('tokens', `this node makes ${tokens} tokens of the text, not ${q.tokens}`);
    return { ...part.answer, liveTokens: part.shards.liveTokens, spans };
  }

  /** Refuses a shard query that does not come from a peer holding the shared secret (before its body is read). */
  checkPeer(secretHeader: string | string[] | undefined): void {
    checkPeerSecret(this.node.config.attribution, secretHeader);
  }

  /** The longest text a query may carry: an attribution's, or a contribution's for its near-duplicate check. */
  get maxQueryText(): number {
    return Math.max(MAX_ATTRIBUTED_TEXT, this.node.config.maxContentBytes);
  }

  /**
   * The spans of `ids` among the contributions this node holds. An attribution brings the
   * index up to date first; a near-duplicate check takes it as it stands (see coverage).
   */
  private async ownPart(scope: Scope, ids: Uint32Array, opts: MatchOptions, mode: PartQuery['mode']): Promise<PartAnswer> {
    const part = this.partOf(scope, await this.indexFor(scope, mode));
    const match = { minSpan: opts.minSpan, maxOccurrences: opts.maxOccurrences };
    const spans = await this.node.cpu.run('match', { shards: part.shards, ids, opts: match }, `matching ${ids.length} tokens`);
    return { ...part.answer, liveTokens: part.shards.liveTokens, spans };
  }

  private indexFor(scope: Scope, mode: PartQuery['mode']): Promise<AttributionIndex> {
    return mode === 'attribute' ? this.fresh(scope) : this.current(scope);
  }

  /**
   * The shards a part's spans are found in, and the rest of its answer, taken together
   * before the matching runs (the index may move on meanwhile).
   */
  private partOf(scope: Scope, index: AttributionIndex): { shards: QueryShards; answer: Omit<PartAnswer, 'spans' | 'liveTokens'> } {
    const { part, of } = this.node.config.attribution;
    return {
      shards: index.queryViews(),
      answer: { part: { index: part, of }, tokenizer: defaultTokenizer().id, logSize: index.logSize, contents: this.contents.get(keyOf(scope)) ?? null },
    };
  }

  /** Whether this node holds only part of each index. */
  private get split(): boolean {
    return this.node.config.attribution.of > 1;
  }

  /**
   * A query over an index split between this node and its peers: ask every part for its
   * spans at once (this node's in-line, the peers' over HTTP), merge them exactly as one
   * node merges its shards, and score once. For an attribution every part
   * must have been built from the same contents of the scope; a peer's log may lag this
   * node's by a moment, or run ahead of it, so until they agree (or the timeout) it asks again.
   */
  private async fanOut(scope: Scope, text: string, mode: PartQuery['mode'], params: AttributionParams): Promise<{ logSize: number; attribution: Attribution }> {
    this.index(scope); // an unknown datanet or version is a 404 here, before any peer is asked
    const tokenizer = defaultTokenizer();
    const encoded = await this.node.cpu.run('encode', { text }, `tokenizing ${text.length} characters`);
    const opts = matchOptions(params);
    const query: PartQuery = { datanet: scope.datanet, ...(scope.version === undefined ? {} : { version: scope.version }), tokenizer: tokenizer.id, text, tokens: encoded.ids.length, ...opts, mode };
    const sharding = this.node.config.attribution;
    const deadline = Date.now() + sharding.timeoutMs;
    for (let pause = 10; ; pause = Math.min(500, pause * 2)) {
      const [local, ...remote] = await Promise.all([this.ownPart(scope, encoded.ids, opts, mode), ...sharding.peers.map((peer) => askPeer(peer, sharding.secret!, query, deadline))]);
      const answers = remote.map((answer, i) => ({ peer: sharding.peers[i], answer }));
      checkParts(sharding, local, answers);
      const apart = mode === 'attribute' ? answers.filter((a) => a.answer.contents !== local.contents) : [];
      if (apart.length === 0) {
        const parts = [local, ...remote];
        const spans = mergeSpans(parts.map((p) => p.spans), encoded.ids.length, opts);
        const liveTokens = parts.reduce((sum, p) => sum + p.liveTokens, 0);
        // The parts agree on the contents, so the answer holds as of the furthest log any of them has seen.
        const logSize = Math.max(...parts.map((p) => p.logSize));
        return { logSize, attribution: attributeSpans(tokenizer.id, text, encoded, spans, liveTokens, params) };
      }
      if (Date.now() + pause >= deadline)
        throw reject.unavailable(
          `the parts of the attribution index of ${keyOf(scope)} still reflect different contributions after ${sharding.timeoutMs} ms ` +
            `(this node's at log size ${local.logSize}; ${apart.map((a) => `${a.peer}'s at ${a.answer.logSize}`).join(', ')}): a node is not keeping up with the log`,
          { peers: apart.map((a) => a.peer) },
        );
      await new Promise((wake) => setTimeout(wake, pause));
    }
  }

  /** Flagged repeats of a datanet: contribution → the earlier ones it repeats. */
  private repeats(datanet: string): Map<number, number[]> {
    const out = new Map<number, number[]>();
    for (const [, c] of this.node.state.list<ContributionRecord>(keys.contributionPrefix(datanet)))
      if (c.duplicateOf && c.duplicateOf.length > 0) out.set(c.id, c.duplicateOf);
    return out;
  }

  /** Brings an index up to date now (what `tributary index build` asks for). */
  async build(scope: Scope): Promise<ScopedStatus> {
    await this.fresh(scope);
    return this.status(scope);
  }

  status(scope: Scope): ScopedStatus {
    const { part, of } = this.node.config.attribution;
    return { datanet: scope.datanet, version: scope.version ?? null, part: { index: part, of }, ...this.index(scope).status() };
  }

  /** Statuses of every index opened since start. */
  statuses(): ScopedStatus[] {
    return [...this.indexes.keys()].map((k) => {
      const [datanet, v] = k.split('@');
      return this.status({ datanet, version: v ? Number(v) : undefined });
    });
  }

  /** After a datanet changes, refresh its index soon, off the request path. */
  touch(datanet: string): void {
    this.generation.set(datanet, (this.generation.get(datanet) ?? 0) + 1);
    for (const key of this.clean) if (key === datanet || key.startsWith(`${datanet}@`)) this.clean.delete(key);
    if (this.pending.has(datanet)) return;
    const t = setTimeout(() => {
      this.pending.delete(datanet);
      this.fresh({ datanet }).catch(() => {
        // A failed background refresh is retried by the next query, which reports the error.
      });
    }, 250);
    t.unref();
    this.pending.set(datanet, t);
  }

  async close(): Promise<void> {
    for (const t of this.pending.values()) clearTimeout(t);
    await this.builder.close();
  }

  private async fresh(scope: Scope): Promise<AttributionIndex> {
    const index = this.index(scope);
    const key = keyOf(scope);
    // Clean implies synced since start, so the contents digest is known.
    if (index.logSize !== this.node.size || !this.contents.has(key)) {
      if (this.clean.has(key)) index.advanceTo(this.node.size);
      else {
        const before = this.generation.get(scope.datanet) ?? 0;
        await this.sync(scope, index);
        if ((this.generation.get(scope.datanet) ?? 0) === before) this.clean.add(key);
      }
    }
    return index;
  }

  /** The index as it stands, built first if it never was (what near-duplicate intake uses). */
  private async current(scope: Scope): Promise<AttributionIndex> {
    const index = this.index(scope);
    if (index.logSize === 0) await this.sync(scope, index);
    return index;
  }

  private async sync(scope: Scope, index: AttributionIndex): Promise<void> {
    let contents = '';
    await index.sync(() => {
      const source = this.source(scope);
      contents = source.contents;
      return source;
    });
    this.contents.set(keyOf(scope), contents);
  }

  private index(scope: Scope): AttributionIndex {
    const dn = this.node.state.get<DatanetRecord>(keys.datanet(scope.datanet));
    if (!dn) throw reject.notFound('datanet', `no datanet named ${scope.datanet}`);
    if (scope.version !== undefined && !this.node.state.get(keys.snapshot(scope.datanet, scope.version)))
      throw reject.notFound('snapshot.version', `datanet ${scope.datanet} has no version ${scope.version}`);
    const key = keyOf(scope);
    let index = this.indexes.get(key);
    if (!index) {
      const tok = defaultTokenizer();
      const { part, of } = this.node.config.attribution;
      const dir = join(this.node.config.dataDir, 'attribution', key, tok.id.replace(/[^A-Za-z0-9._-]/g, '_') + (of > 1 ? `.part-${part}-of-${of}` : ''));
      index = new AttributionIndex(dir, tok, this.builder);
      this.indexes.set(key, index);
    }
    return index;
  }

  /** What the index of `scope` should hold: the part of its contributions this node keeps, and a digest of them all. */
  private source(scope: Scope): DocumentSource & { contents: string } {
    const state = this.node.state;
    let wanted: Set<number>;
    if (scope.version === undefined) {
      wanted = new Set(
        state
          .list<ContributionRecord>(keys.contributionPrefix(scope.datanet))
          .filter(([, c]) => c.status === 'accepted')
          .map(([, c]) => c.id),
      );
    } else {
      const snap = state.get<SnapshotRecord>(keys.snapshot(scope.datanet, scope.version))!;
      // A version's contents never change, except that withdrawn content leaves it.
      wanted = new Set(snap.contributions.filter((id) => findContribution(state, id)?.status !== 'withdrawn'));
    }
    const { part, of } = this.node.config.attribution;
    const ids = [...wanted].sort((a, b) => a - b);
    return {
      logSize: this.node.size,
      wanted: of === 1 ? wanted : new Set(ids.filter((id) => id % of === part)),
      contents: createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32),
      text: (id) => {
        const c = findContribution(state, id);
        const bytes = c && this.node.blobs.get(c.contentHash);
        return bytes ? bytes.toString('utf8') : undefined;
      },
    };
  }
}

function keyOf(scope: Scope): string {
  return scope.version === undefined ? scope.datanet : `${scope.datanet}@${scope.version}`;
}
