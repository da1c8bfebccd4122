// The state the protocol reads and the changes it produces. State is a key-value map
// of JSON values; keys sort bytewise, so a prefix lists one kind of record in a fixed
// order. `apply` only ever sees a read-only view and returns changes: it performs no
// I/O, so the same log always yields the same state.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface StateReader {
  get<T = JsonValue>(key: string): T | undefined;
  /** Entries whose key starts with `prefix`, ascending by key. */
  list<T = JsonValue>(prefix: string): Array<[string, T]>;
}

/** `value: null` deletes the key. */
export interface StateChange {
  key: string;
  value: JsonValue | null;
}

/** Side effects outside the state, declared by `apply` and carried out by the node. */
export type Effect =
  | { kind: 'retainBlob'; hash: string }
  | { kind: 'releaseBlob'; hash: string }
  /** Journal lines (amounts as decimal strings) to store beside the log, for views and exports. */
  | { kind: 'journal'; lines: Array<{ from: string; to: string; amount: string; memo: string }> }
  /**
   * Additions to derived views (earnings per account, contribution, datanet, model): not
   * protocol state, because no rule reads them, so they cost no state-root update.
   * `by` is a decimal string; a missing field starts at 0.
   */
  | { kind: 'views'; increments: Array<{ key: string; field: string; by: string }> }
  /** An epoch close: the accounts whose cumulative payout it changed, to serve their proofs. */
  | { kind: 'payouts'; epoch: number; leaves: Array<{ account: string; cumulative: string }> };

/** A fixed-width decimal, so that numeric ids list in numeric order. */
export function pad(n: number): string {
  return n.toString().padStart(12, '0');
}
