// Protocol state held in memory: the StateReader the actions read, with writes folded
// into the same lattice hash the database-backed state keeps, so that a unit test can
// run an action's rules without a node, a database or HTTP and still compare state
// roots. Values are stored as RFC 8785 text and parsed on every read, as the database
// does, so an action that mutated what it read could never change state behind the
// log's back. Keys list in bytewise (UTF-8) order, as SQLite's BINARY collation lists
// them. It must never be the state of a node: it keeps nothing on disk.
import { canonicalize } from './canonical.ts';
import type { JsonValue, StateChange, StateReader } from './state.ts';
import { StateHash } from './stateRoot.ts';

export class MemoryState implements StateReader {
  private readonly values = new Map<string, string>();
  readonly hash = new StateHash();

  get<T = JsonValue>(key: string): T | undefined {
    const text = this.values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  list<T = JsonValue>(prefix: string): Array<[string, T]> {
    const out: Array<[string, string]> = [];
    for (const [key, text] of this.values) if (key.startsWith(prefix)) out.push([key, text]);
    return out.sort((a, b) => compareUtf8(a[0], b[0])).map(([key, text]) => [key, JSON.parse(text) as T]);
  }

  /** Writes changes (`value: null` deletes) and folds them into the state hash. */
  write(changes: readonly StateChange[]): void {
    for (const { key, value } of changes) {
      const old = this.values.get(key);
      if (old !== undefined) this.hash.removeCanonical(key, old);
      if (value === null) {
        this.values.delete(key);
      } else {
        const text = canonicalize(value);
        this.values.set(key, text);
        this.hash.addCanonical(key, text);
      }
    }
  }

  /** How many keys the state holds. */
  get size(): number {
    return this.values.size;
  }
}

/** Orders strings as their UTF-8 bytes order, i.e. by code point (not by UTF-16 unit, as `<` does). */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
