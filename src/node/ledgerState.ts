// Reads a node's protocol state from its data directory or database without starting the
// node, for commands that must check the ledger before acting on it (`chain deploy` asks
// whether the ledger may be bound before it spends gas). It writes nothing of its own (opening
// applies any pending schema migration, as a node would): a node may be running on the
// same database.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GENESIS_KEY } from '../protocol/genesis.ts';
import type { StateReader } from '../protocol/state.ts';
import { openDatabase } from '../store/db.ts';
import { SqlState } from '../store/stateStore.ts';

/** `read(state)` over the ledger at `dataDir` (or `databaseUrl`); undefined when there is no ledger there yet. */
export function withLedgerState<T>(at: { dataDir: string; databaseUrl?: string }, read: (state: StateReader) => T): T | undefined {
  if (!at.databaseUrl && !existsSync(join(at.dataDir, 'tributary.db'))) return undefined;
  const db = openDatabase(at);
  try {
    const state = new SqlState(db);
    return state.get(GENESIS_KEY) === undefined ? undefined : read(state);
  } finally {
    db.close();
  }
}
