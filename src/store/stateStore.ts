// Protocol state in the database (SQLite, or PostgreSQL for several nodes), with its
// lattice hash kept up to date on every write so that a state root costs nothing to
// publish. Reads see the writes of the open transaction, which is how later actions in
// one batch see earlier ones.
import { canonicalize } from '../protocol/canonical.ts';
import type { JsonValue, StateChange, StateReader } from '../protocol/state.ts';
import { StateHash } from '../protocol/stateRoot.ts';
import type { Db } from './db.ts';

const HASH_META = 'state_hash';
/** Values kept in memory while caching: the hot accounts and records of a busy node. */
const CACHE_ENTRIES = 100_000;
/**
 * Up to this many keys (about 120 MB of names), the caching node also holds every key name,
 * so that a new key costs no read; past it, absent keys are read like any other.
 */
const KEY_SET_LIMIT = 1_000_000;

export class SqlState implements StateReader {
  private readonly getStmt;
  private readonly listStmt;
  private readonly listDescStmt;
  private readonly putStmt;
  private readonly delStmt;
  private readonly saveHashStmt;
  private readonly loadHashStmt;
  hash: StateHash;
  /**
   * Canonical text by key (null: absent), kept only on the node that sequences: it is the
   * only writer, so what it wrote is what the database holds. Reads through PostgreSQL cost
   * a round trip each, and a batch reads every key it writes.
   */
  private cache: Map<string, string | null> | undefined;
  /**
   * Every key the state may hold (a superset: deletes and rolled-back writes leave theirs),
   * while caching. Most keys a batch reads are new (a nonce, a contribution, its hash), and
   * a key not in here is absent without asking the database.
   */
  private keys: Set<string> | undefined;
  private readonly keysStmt;
  private readonly countStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?');
    this.listStmt = db.prepare<[string, string], { key: string; value: string }>(
      'SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key',
    );
    this.listDescStmt = db.prepare<[string, string, number], { key: string; value: string }>(
      'SELECT key, value FROM state WHERE key >= ? AND key < ? ORDER BY key DESC LIMIT ?',
    );
    this.putStmt = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.delStmt = db.prepare('DELETE FROM state WHERE key = ?');
    this.saveHashStmt = db.prepare(`INSERT INTO meta (key, value) VALUES ('${HASH_META}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.loadHashStmt = db.prepare<[], { value: Buffer }>(`SELECT value FROM meta WHERE key = '${HASH_META}'`);
    this.keysStmt = db.prepare<[], { key: string }>('SELECT key FROM state');
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM state');
    this.hash = this.loadHash();
  }

  get<T = JsonValue>(key: string): T | undefined {
    const text = this.text(key);
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  /** Caches values from now on (this node is the only writer), or stops and forgets them. */
  setCaching(on: boolean): void {
    this.cache = on ? new Map() : undefined;
    this.keys = undefined;
    if (on && this.countStmt.get()!.n <= KEY_SET_LIMIT) {
      const keys = new Set<string>();
      for (const row of this.keysStmt.iterate()) keys.add(row.key);
      this.keys = keys;
    }
  }

  private text(key: string): string | null {
    const hit = this.cache?.get(key);
    if (hit !== undefined) return hit;
    if (this.keys && !this.keys.has(key)) return null;
    const text = this.getStmt.get(key)?.value ?? null;
    this.remember(key, text);
    return text;
  }

  private remember(key: string, text: string | null): void {
    if (!this.cache) return;
    if (text !== null && this.keys) {
      this.keys.add(key);
      if (this.keys.size > KEY_SET_LIMIT) this.keys = undefined;
    }
    this.cache.delete(key);
    this.cache.set(key, text);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }

  list<T = JsonValue>(prefix: string): Array<[string, T]> {
    return this.listStmt.all(prefix, prefixEnd(prefix)).map((r) => [r.key, JSON.parse(r.value) as T]);
  }

  /** Up to `limit` entries under `prefix`, descending by key, with keys below `before` if given. */
  listDescending<T = JsonValue>(prefix: string, limit: number, before?: string): Array<[string, T]> {
    const hi = before !== undefined && before < prefixEnd(prefix) ? before : prefixEnd(prefix);
    return this.listDescStmt.all(prefix, hi, limit).map((r) => [r.key, JSON.parse(r.value) as T]);
  }

  /** Writes changes and folds them into the state hash. Call inside the batch transaction. */
  write(changes: StateChange[]): void {
    for (const { key, value } of changes) {
      // Values are stored in canonical form, so the stored text is what the hash covers.
      const old = this.text(key);
      if (old !== null) this.hash.removeCanonical(key, old);
      if (value === null) {
        this.delStmt.run(key);
        this.remember(key, null);
      } else {
        const text = canonicalize(value);
        this.putStmt.run(key, text);
        this.hash.addCanonical(key, text);
        this.remember(key, text);
      }
    }
  }

  /** Persists the running hash; call at the end of each batch, inside its transaction. */
  saveHash(): void {
    this.saveHashStmt.run(this.hash.bytes());
  }

  /** Reloads the hash from disk, e.g. after a batch's transaction rolled back; forgets cached values, which may be the rolled-back ones. */
  reloadHash(): void {
    if (this.cache) this.cache = new Map();
    this.hash = this.loadHash();
  }

  /** Recomputes the state hash from a full scan: what an auditor does to check the running one. */
  scanHash(): StateHash {
    return scanStateHash(this.db);
  }

  private loadHash(): StateHash {
    const row = this.loadHashStmt.get();
    return new StateHash(row?.value);
  }
}

/** The smallest string greater than every string starting with `prefix`. */
export function prefixEnd(prefix: string): string {
  if (prefix === '') return '\u{10ffff}';
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** Hashes a state table from a full scan, as an auditor would; works on a read-only handle. */
export function scanStateHash(db: Db): StateHash {
  const h = new StateHash();
  for (const row of db.prepare<[], { key: string; value: string }>('SELECT key, value FROM state').iterate())
    h.add(row.key, JSON.parse(row.value) as JsonValue); // re-canonicalised: a hand-edited row must not slip through
  return h;
}
