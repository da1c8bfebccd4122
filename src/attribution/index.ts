// An attribution index for one scope (a datanet, or one version of it) and one
// tokenizer, kept as LSM-style shards: new documents go into a small tier-0 shard;
// when a tier holds FANOUT shards they merge into one shard of the next tier, and the
// merge drops withdrawn documents. Until then a withdrawal is a tombstone, honoured at
// query time. The manifest is replaced atomically, so a crash mid-build loses nothing.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Attribution, type AttributionParams, attribute } from './attribute.ts';
import type { BuildResult, Progress } from './build.ts';
import type { ShardBuilder } from './builder.ts';
import { docLength, type Shard } from './shard.ts';
import { readShardFile } from './shardFile.ts';
import { adoptShardTable, prepareShard, type ShardView } from './spans.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';

export const FANOUT = 4;

/** A shard as a query thread takes it: with the first-token table its loader built (adoptShardTable). */
export interface QueryView extends ShardView {
  table: Int32Array;
}

export interface ManifestShard {
  file: string;
  tier: number;
  documents: number;
  tokens: number;
  bytes: number;
}

export interface Manifest {
  version: 1;
  tokenizer: string;
  /** The log size the index was last brought up to date with. */
  logSize: number;
  nextShard: number;
  shards: ManifestShard[];
  /** Withdrawn contribution ids still present in some shard. */
  tombstones: number[];
}

export interface IndexStatus {
  tokenizer: string;
  logSize: number;
  shards: ManifestShard[];
  tombstones: number;
  documents: number;
  liveDocuments: number;
  liveTokens: number;
  building: { phase: string; done: number; total: number } | null;
}

/** What the index should hold, and how to get the text of a document it lacks. */
export interface DocumentSource {
  logSize: number;
  /** Contribution ids that should be live in the index. */
  wanted: ReadonlySet<number>;
  text(id: number): string | undefined;
}

export class AttributionIndex {
  private manifest: Manifest;
  private loaded = new Map<string, Shard>();
  private syncing?: Promise<void>;
  private building: IndexStatus['building'] = null;

  constructor(
    readonly dir: string,
    private readonly tokenizer: Tokenizer,
    private readonly builder: ShardBuilder,
  ) {
    mkdirSync(dir, { recursive: true });
    this.manifest = this.loadManifest();
  }

  /**
   * The manifest on disk, or a fresh one. An index is derived data: one that cannot be
   * read, or was built by another tokenizer, is discarded and rebuilt from the log.
   */
  private loadManifest(): Manifest {
    const fresh: Manifest = { version: 1, tokenizer: this.tokenizer.id, logSize: 0, nextShard: 1, shards: [], tombstones: [] };
    const path = join(this.dir, 'manifest.json');
    if (!existsSync(path)) return fresh;
    try {
      const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      if (m.version === 1 && m.tokenizer === this.tokenizer.id && m.shards.every((s) => existsSync(join(this.dir, s.file)))) return m;
    } catch {
      // fall through: rebuild
    }
    for (const f of readdirSync(this.dir)) rmSync(join(this.dir, f), { force: true, recursive: true });
    return fresh;
  }

  get logSize(): number {
    return this.manifest.logSize;
  }

  /** The caller knows the log grew without changing this index's documents: the index is current at `logSize`. */
  advanceTo(logSize: number): void {
    if (logSize > this.manifest.logSize) this.manifest.logSize = logSize;
  }

  /** Brings the index up to date with `source`; concurrent calls share one run. */
  sync(source: () => DocumentSource): Promise<void> {
    if (this.syncing) return this.syncing.then(() => this.sync(source));
    this.syncing = this.doSync(source()).finally(() => {
      this.syncing = undefined;
      this.building = null;
    });
    return this.syncing;
  }

  attribute(text: string, params?: AttributionParams): Attribution {
    const { views, liveTokens } = this.views();
    return attribute(this.tokenizer, views, liveTokens, text, params);
  }

  status(): IndexStatus {
    const { liveTokens, liveDocuments, documents } = this.views();
    return {
      tokenizer: this.manifest.tokenizer,
      logSize: this.manifest.logSize,
      shards: this.manifest.shards,
      tombstones: this.manifest.tombstones.length,
      documents,
      liveDocuments,
      liveTokens,
      building: this.building,
    };
  }

  private shard(file: string): Shard {
    let s = this.loaded.get(file);
    if (!s) {
      s = readShardFile(join(this.dir, file));
      prepareShard(s);
      this.loaded.set(file, s);
    }
    return s;
  }

  /**
   * What a query needs to run on another thread: the shards (in shared memory, so handing
   * them over copies nothing) with their first-token tables, the tombstones, and the live
   * token count. The index's tokenizer runs there too; its id is `tokenizerId`.
   */
  queryViews(): { views: QueryView[]; liveTokens: number; tokenizerId: string } {
    const { views, liveTokens } = this.views();
    return { views: views.map((v) => ({ ...v, table: prepareShard(v.shard) })), liveTokens, tokenizerId: this.tokenizer.id };
  }

  private views(): { views: ShardView[]; liveTokens: number; liveDocuments: number; documents: number } {
    const tombstones = new Set(this.manifest.tombstones);
    let liveTokens = 0;
    let liveDocuments = 0;
    let documents = 0;
    const views = this.manifest.shards.map((m) => {
      const shard = this.shard(m.file);
      for (let k = 0; k < shard.docIds.length; k++) {
        documents++;
        if (tombstones.has(shard.docIds[k])) continue;
        liveDocuments++;
        liveTokens += docLength(shard, k);
      }
      return { shard, tombstones };
    });
    return { views, liveTokens, liveDocuments, documents };
  }

  private async doSync(source: DocumentSource): Promise<void> {
    const present = new Map<number, string>(); // id → shard file
    for (const m of this.manifest.shards) for (const id of this.shard(m.file).docIds) present.set(id, m.file);
    const next: Manifest = structuredClone(this.manifest);
    next.tombstones = [...present.keys()].filter((id) => !source.wanted.has(id)).sort((a, b) => a - b);
    const missing = [...source.wanted].filter((id) => !present.has(id)).sort((a, b) => a - b);
    const progress: Progress = (phase, done, total) => (this.building = { phase, done, total });
    const texts: Array<{ id: number; text: string }> = [];
    for (const id of missing) {
      const text = source.text(id);
      if (text !== undefined) texts.push({ id, text });
    }
    const obsolete: string[] = [];
    // Shards just built, as their builder read them back: taken as loaded once the manifest names them.
    const built = new Map<string, BuildResult>();
    if (texts.length > 0) {
      const file = `shard-${next.nextShard++}.bin`;
      const r = await this.builder.build({ out: join(this.dir, file), texts, shards: [] }, progress);
      built.set(file, r);
      next.shards.push(entry(file, 0, r));
    }
    // Tiered merges: FANOUT shards of one tier become one of the next, without their tombstones.
    for (let tier = 0; ; tier++) {
      const group = next.shards.filter((s) => s.tier === tier);
      if (group.length === 0 && next.shards.every((s) => s.tier < tier)) break;
      if (group.length < FANOUT) continue;
      const file = `shard-${next.nextShard++}.bin`;
      const drop = next.tombstones;
      const r = await this.builder.build({ out: join(this.dir, file), texts: [], shards: group.map((g) => ({ path: join(this.dir, g.file), drop })) }, progress);
      built.set(file, r);
      next.shards = [...next.shards.filter((s) => !group.includes(s)), entry(file, tier + 1, r)];
      obsolete.push(...group.map((g) => g.file));
    }
    // A tombstone whose document no merge has dropped yet stays; the others are done.
    const stillPresent = new Set<number>();
    for (const m of next.shards) for (const id of (built.get(m.file)?.shard ?? this.shard(m.file)).docIds) stillPresent.add(id);
    next.tombstones = next.tombstones.filter((id) => stillPresent.has(id));
    next.logSize = source.logSize;
    const unchanged =
      texts.length === 0 && obsolete.length === 0 && next.tombstones.length === this.manifest.tombstones.length && next.tombstones.every((id, i) => id === this.manifest.tombstones[i]);
    if (unchanged) {
      // The log grew but not this index's documents (the usual case on the query path):
      // no file to rewrite; a restart simply re-checks from the older log size.
      this.manifest.logSize = source.logSize;
      return;
    }
    this.writeManifest(next);
    for (const [f, r] of built) {
      if (!next.shards.some((m) => m.file === f)) continue; // merged away in this same sync
      adoptShardTable(r.shard, r.table);
      this.loaded.set(f, r.shard);
    }
    for (const f of obsolete) {
      this.loaded.delete(f);
      rmSync(join(this.dir, f), { force: true });
    }
  }

  private writeManifest(m: Manifest): void {
    const path = join(this.dir, 'manifest.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(m, null, 2));
    renameSync(`${path}.tmp`, path);
    this.manifest = m;
  }
}

function entry(file: string, tier: number, r: BuildResult): ManifestShard {
  return { file, tier, documents: r.documents, tokens: r.tokens, bytes: r.bytes };
}
