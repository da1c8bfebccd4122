// The node's attribution service: one LSM index per datanet (its accepted
// contributions, kept fresh after every change) and one per datanet version (fixed
// contents, minus later withdrawals), all with the default tokenizer, built on a worker
// thread. It answers attribution queries and measures near-duplicate coverage.
import { join } from 'node:path';
import type { Attribution, AttributionParams } from '../attribution/attribute.ts';
import { InlineBuilder, type ShardBuilder, WorkerBuilder } from '../attribution/builder.ts';
import { AttributionIndex, type DocumentSource, type IndexStatus } from '../attribution/index.ts';
import { defaultTokenizer } from '../attribution/tokenizer/default.ts';
import { type ContributionRecord, type DatanetRecord, findContribution, keys, type SnapshotRecord } from '../datanets/records.ts';
import { reject } from '../protocol/errors.ts';
import { findModel } from '../settlement/records.ts';
import type { TributaryNode } from './node.ts';

export type Scope = { datanet: string; version?: number };

export interface ScopedStatus extends IndexStatus {
  datanet: string;
  version: number | null;
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
    const index = await this.fresh(scope);
    const result = index.attribute(text, { ...params, repeats: this.repeats(scope.datanet) });
    return { scope: { datanet: scope.datanet, ...(scope.version ? { version: scope.version } : {}), logSize: index.logSize }, ...result };
  }

  /**
   * How much of `text` long spans of the datanet's live contributions already cover, and
   * whose. Uses the index as it stands (built on first use, refreshed in the background),
   * so that intake does not wait for a rebuild.
   */
  async coverage(datanet: string, text: string, minSpan: number): Promise<{ coveredPpm: number; repeats: number[] }> {
    const index = this.index({ datanet });
    if (index.logSize === 0) await index.sync(() => this.source({ datanet }));
    return index.coverage(text, minSpan);
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
    return { datanet: scope.datanet, version: scope.version ?? null, ...this.index(scope).status() };
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
    const key = scope.version === undefined ? scope.datanet : `${scope.datanet}@${scope.version}`;
    if (index.logSize !== this.node.size) {
      if (this.clean.has(key)) index.advanceTo(this.node.size);
      else {
        const before = this.generation.get(scope.datanet) ?? 0;
        await index.sync(() => this.source(scope));
        if ((this.generation.get(scope.datanet) ?? 0) === before) this.clean.add(key);
      }
    }
    return index;
  }

  private index(scope: Scope): AttributionIndex {
    const dn = this.node.state.get<DatanetRecord>(keys.datanet(scope.datanet));
    if (!dn) throw reject.notFound('datanet', `no datanet named ${scope.datanet}`);
    if (scope.version !== undefined && !this.node.state.get(keys.snapshot(scope.datanet, scope.version)))
      throw reject.notFound('snapshot.version', `datanet ${scope.datanet} has no version ${scope.version}`);
    const key = scope.version === undefined ? scope.datanet : `${scope.datanet}@${scope.version}`;
    let index = this.indexes.get(key);
    if (!index) {
      const tok = defaultTokenizer();
      const dir = join(this.node.config.dataDir, 'attribution', key, tok.id.replace(/[^A-Za-z0-9._-]/g, '_'));
      index = new AttributionIndex(dir, tok, this.builder);
      this.indexes.set(key, index);
    }
    return index;
  }

  private source(scope: Scope): DocumentSource {
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
    return {
      logSize: this.node.size,
      wanted,
      text: (id) => {
        const c = findContribution(state, id);
        const bytes = c && this.node.blobs.get(c.contentHash);
        return bytes ? bytes.toString('utf8') : undefined;
      },
    };
  }
}
