// What the ledger needs from its environment, in one value: the RFC 9162 hasher (SHA-256)
// and Ed25519 verification for signed notes. Two implementations exist: node:crypto's in
// src/nodeLedger/crypto.ts (fast; the node's hot paths use it) and the audited
// pure-JavaScript noble one in ./noble.ts (the browser's). This file must stay a type only.
import type { LogHasher } from './hasher.ts';
import type { NoteCrypto } from './note.ts';

export interface LedgerCrypto<H extends Uint8Array = Uint8Array> {
  readonly hasher: LogHasher<H>;
  readonly note: NoteCrypto;
}
