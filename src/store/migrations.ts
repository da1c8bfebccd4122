// The database schema, as an ordered list of migrations. Append new ones; never edit
// a migration that has shipped, since data directories in the wild ran it already.

export const migrations: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
  -- The log: leaf bytes by index. Append-only; nothing ever updates or deletes a row.
  CREATE TABLE entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL);
  -- Perfect subtree hashes of the RFC 9162 tree: (level, index) covers leaves
  -- [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes.
  CREATE TABLE tree (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
  -- Protocol state, materialised; a pure function of the entries.
  CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  -- Every checkpoint the node signed, so that anyone can check any of them later.
  CREATE TABLE checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL, state_root BLOB NOT NULL);
  -- Content-addressed blobs; refs counts live contributions that point at them.
  CREATE TABLE blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL, refs INTEGER NOT NULL);
  -- Uploads waiting for the signed action that claims them.
  CREATE TABLE staged_blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL, created_at INTEGER NOT NULL);
  `,
  `
  -- Settlement, derived from the log as it is sequenced (the balances themselves are
  -- protocol state): every journal line, each epoch's changed payout leaves, and the
  -- cumulative earnings views (JSON objects of decimal strings, by key).
  CREATE TABLE journal (seq INTEGER PRIMARY KEY, entry INTEGER NOT NULL, time INTEGER NOT NULL,
    src TEXT NOT NULL, dst TEXT NOT NULL, amount TEXT NOT NULL, memo TEXT NOT NULL);
  CREATE INDEX journal_src ON journal (src, seq);
  CREATE INDEX journal_dst ON journal (dst, seq);
  CREATE TABLE payouts (account TEXT NOT NULL, epoch INTEGER NOT NULL, cumulative TEXT NOT NULL, PRIMARY KEY (account, epoch)) WITHOUT ROWID;
  CREATE INDEX payouts_epoch ON payouts (epoch);
  CREATE TABLE views (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  `,
  `
  -- Training-job leases: which worker holds a job until when. Node-local, not in the log:
  -- a lease is a promise about the near future, and heartbeats would flood the log.
  CREATE TABLE leases (job INTEGER PRIMARY KEY, worker TEXT NOT NULL, expires_at INTEGER NOT NULL, started_at INTEGER NOT NULL);
  `,
];
