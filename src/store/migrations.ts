// The database schema, as an ordered list of migrations. Append new ones; never edit
// a migration that has shipped, since data directories in the wild ran it already.

export const sqliteMigrations: string[] = [
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
  `
  -- Who uploaded which file (a model file on disk, a staged blob), for upload quotas and the
  -- sweep of files nothing references. Node-local, not in the log, like the files themselves.
  CREATE TABLE uploads (target TEXT NOT NULL, hash TEXT NOT NULL, account TEXT NOT NULL, size INTEGER NOT NULL,
    created_at INTEGER NOT NULL, PRIMARY KEY (target, hash, account));
  CREATE INDEX uploads_account ON uploads (account);
  -- Nonces of signed upload intents already used, kept until the intent expires.
  CREATE TABLE upload_nonces (account TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (account, nonce));
  `,
];

// The same tables in PostgreSQL. Text keys that are range-scanned by prefix use the "C"
// collation: byte order, as SQLite compares them, whatever locale the server runs in.
// The history above is SQLite's; PostgreSQL's starts at this first version.
export const postgresMigrations: string[] = [
  `
  CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL);
  CREATE TABLE entries (idx BIGINT PRIMARY KEY, data BYTEA NOT NULL);
  CREATE TABLE tree (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx));
  CREATE TABLE state (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE checkpoints (size BIGINT PRIMARY KEY, note TEXT NOT NULL, state_root BYTEA NOT NULL);
  CREATE TABLE blobs (hash TEXT COLLATE "C" PRIMARY KEY, data BYTEA NOT NULL, refs INTEGER NOT NULL);
  CREATE TABLE staged_blobs (hash TEXT COLLATE "C" PRIMARY KEY, data BYTEA NOT NULL, created_at BIGINT NOT NULL);
  CREATE TABLE journal (seq BIGINT PRIMARY KEY, entry BIGINT NOT NULL, time BIGINT NOT NULL,
    src TEXT COLLATE "C" NOT NULL, dst TEXT COLLATE "C" NOT NULL, amount TEXT NOT NULL, memo TEXT NOT NULL);
  CREATE INDEX journal_src ON journal (src, seq);
  CREATE INDEX journal_dst ON journal (dst, seq);
  CREATE TABLE payouts (account TEXT COLLATE "C" NOT NULL, epoch BIGINT NOT NULL, cumulative TEXT NOT NULL, PRIMARY KEY (account, epoch));
  CREATE INDEX payouts_epoch ON payouts (epoch);
  CREATE TABLE views (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE leases (job BIGINT PRIMARY KEY, worker TEXT NOT NULL, expires_at BIGINT NOT NULL, started_at BIGINT NOT NULL);
  -- Writes that API nodes without the sequencer lease queue for the node that holds it
  -- (several nodes, one database). A row is done in the same transaction that sequences
  -- it, so it is sequenced once, by whichever node holds the lease, even across a takeover.
  CREATE TABLE submissions (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL,
    claimed_at BIGINT, done BOOLEAN NOT NULL DEFAULT FALSE, outcome TEXT);
  CREATE INDEX submissions_open ON submissions (id) WHERE NOT done;
  `,
  `
  CREATE TABLE uploads (target TEXT NOT NULL, hash TEXT NOT NULL, account TEXT NOT NULL, size BIGINT NOT NULL,
    created_at BIGINT NOT NULL, PRIMARY KEY (target, hash, account));
  CREATE INDEX uploads_account ON uploads (account);
  CREATE TABLE upload_nonces (account TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (account, nonce));
  `,
];
