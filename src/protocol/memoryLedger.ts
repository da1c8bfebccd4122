// A ledger in memory, for unit tests of an action's rules and effects without a node, a
// database or HTTP. One action goes through the steps the node takes, by the same code:
// the action's wire schema (what the API edge checks), normalisation, the signature
// (`Protocol.authenticate`), the shared rules and the action's own (`Protocol.apply`),
// then its state changes and effects, folded by the one effect dispatch the node's
// writers use (effects.ts). What the node measures before sequencing (an entry's
// `attest`) is the caller's to give. It knows no action by name, and must never stand in
// for a node: nothing it holds is durable, and it signs with throwaway keys.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { formatVerifierKey } from '../ledger/note.ts';
import { actionSchema, normaliseMessage, type ProtocolParams } from './action.ts';
import { type ActionMessage, type Entry, type EntryAuth, nodeSigningBytes } from './entry.ts';
import { addToView, carryOutEffects } from './effects.ts';
import { ActionRejected, reject } from './errors.ts';
import type { TypedDataField } from './eip712.ts';
import type { MoneyKind } from './genesis.ts';
import { MemoryState } from './memoryState.ts';
import { type Eip712Domain, domainFor, type Protocol } from './protocol.ts';
import type { Effect, JsonValue, StateChange } from './state.ts';

/** Anything that signs typed data as a wallet does (the SDK's LocalSigner is one). */
export interface ActionSigner {
  readonly address: string;
  sign(domain: Eip712Domain, types: Record<string, TypedDataField[]>, action: { type: string } & Record<string, unknown>): { signature: string };
}

export interface Applied {
  index: number;
  entry: Entry;
  changes: StateChange[];
  effects: Effect[];
  result: { [k: string]: JsonValue };
}

/** Why an action was refused, as the API would answer it. */
export interface Refusal {
  status: number;
  code: string;
  field: string | undefined;
  message: string;
  details?: Record<string, unknown>;
}

export interface MemoryLedgerOptions {
  money?: MoneyKind;
  chainId?: number;
  /** The sequencer's clock at genesis, ms since the Unix epoch. */
  now?: number;
}

export class MemoryLedger {
  readonly state = new MemoryState();
  readonly params: ProtocolParams;
  /** The log: every accepted entry, in order. */
  readonly entries: Entry[] = [];
  /** Blob references by content hash (what the node's blob store counts). */
  readonly blobs = new Map<string, number>();
  /** Journal lines, as the node stores them beside the log. */
  readonly journal: Array<{ entry: number; time: number; from: string; to: string; amount: string; memo: string }> = [];
  /** Earnings views by key: decimal-string fields. */
  readonly views = new Map<string, Record<string, string>>();
  /** Payout leaves each epoch changed. */
  readonly payouts: Array<{ epoch: number; account: string; cumulative: string }> = [];
  /** The sequencer's clock (ms); an entry's time is never below the one before it. Tests move it. */
  now: number;
  private readonly nodePrivateKey;

  constructor(
    readonly protocol: Protocol,
    opts: MemoryLedgerOptions = {},
  ) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.nodePrivateKey = privateKey;
    this.now = opts.now ?? 1_800_000_000_000;
    this.params = { origin: 'memory.test/ledger', chainId: opts.chainId ?? 31337, nodeKey: formatVerifierKey('memory.test/ledger', publicKey) };
    this.node({ type: 'Genesis', ...this.params, money: opts.money ?? 'play' });
  }

  get size(): number {
    return this.entries.length;
  }

  get domain(): Eip712Domain {
    return domainFor(this.params.chainId);
  }

  /**
   * Signs a user action as a wallet would and applies it. A random nonce and an expiry an
   * hour ahead of the clock are added unless the action carries its own.
   */
  act(signer: ActionSigner, action: { type: string } & Record<string, unknown>, attest?: Entry['attest']): Applied {
    const def = this.protocol.get(action.type);
    // A node action has no expiry field: signing one with an account must still be possible, to see it refused.
    const deadline = def.signer === 'user' ? { expiry: Math.floor(this.now / 1000) + 3600 } : {};
    const full = { nonce: randomNonce(), ...deadline, ...action };
    const { types } = this.protocol.typedData(this.params.chainId, full as ActionMessage);
    const { signature } = signer.sign(this.domain, types, full);
    return this.submit(full, { scheme: 'eip712', signer: signer.address.toLowerCase(), signature: signature.toLowerCase() }, attest);
  }

  /** Signs one of the node's own actions with the node key and applies it. */
  node(action: { type: string } & Record<string, unknown>, attest?: Entry['attest']): Applied {
    const full = { nonce: randomNonce(), ...action };
    const normalised = normaliseMessage(this.protocol.get(action.type), full) as ActionMessage;
    const signature = sign(null, nodeSigningBytes(this.params.chainId, normalised), this.nodePrivateKey).toString('base64');
    return this.submit(full, { scheme: 'ed25519', signature }, attest);
  }

  /**
   * Applies a signed action: the wire schema, normalisation, the signature, the rules,
   * then its changes and effects. Throws ActionRejected, having changed nothing, to refuse.
   */
  submit(action: { type: string } & Record<string, unknown>, auth: EntryAuth, attest?: Entry['attest']): Applied {
    const def = this.protocol.get(action.type);
    const parsed = actionSchema(def).safeParse(action);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = ['action', ...issue.path.map(String)].join('.');
      throw reject.invalid(field, `${field}: ${issue.message}`);
    }
    const message = normaliseMessage(def, parsed.data as Record<string, unknown>) as ActionMessage;
    const signer = this.protocol.authenticate(this.params, message, auth);
    const last = this.entries.at(-1);
    const time = Math.max(last?.time ?? 0, this.now);
    const entry: Entry = { v: 1, index: this.entries.length, time, action: message, auth, ...(attest ? { attest } : {}) };
    const applied = this.protocol.apply(this.state, this.params, entry, signer);
    this.entries.push(entry);
    this.state.write(applied.changes);
    carryOutEffects(
      {
        retainBlob: (hash) => this.blobs.set(hash, (this.blobs.get(hash) ?? 0) + 1),
        releaseBlob: (hash) => {
          const refs = (this.blobs.get(hash) ?? 0) - 1;
          if (refs > 0) this.blobs.set(hash, refs);
          else this.blobs.delete(hash);
        },
        journal: (at, lines) => {
          for (const l of lines) this.journal.push({ entry: at.index, time: at.time, ...l });
        },
        views: (increments) => {
          for (const { key, field, by } of increments) this.views.set(key, addToView(this.views.get(key), field, by));
        },
        payouts: (epoch, leaves) => {
          for (const l of leaves) this.payouts.push({ epoch, ...l });
        },
      },
      entry,
      applied.effects,
    );
    return { index: entry.index, entry, changes: applied.changes, effects: applied.effects ?? [], result: applied.result ?? {} };
  }

  /**
   * Runs `attempt` (an act, node or submit on this ledger), which must be refused, and
   * returns the refusal; throws if it was accepted, failed otherwise, or if the refusal
   * left any trace: state, log, blobs, journal, views or payouts.
   */
  refusal(attempt: () => unknown): Refusal {
    const before = this.fingerprint();
    try {
      attempt();
    } catch (e) {
      if (!(e instanceof ActionRejected)) throw e;
      const after = this.fingerprint();
      if (after !== before) throw new Error(`a refused action (${e.message}) changed the ledger:\nbefore ${before}\nafter  ${after}`);
      return { status: e.status, code: e.code, field: e.field, message: e.message, ...(e.details ? { details: e.details } : {}) };
    }
    throw new Error('the action was accepted, not refused');
  }

  /** Everything the ledger holds, as one string: equal strings, equal ledgers. */
  fingerprint(): string {
    return JSON.stringify({
      size: this.entries.length,
      stateRoot: this.state.hash.root().toString('hex'),
      keys: this.state.size,
      blobs: [...this.blobs],
      journal: this.journal.length,
      views: [...this.views],
      payouts: this.payouts.length,
    });
  }
}

/** 128 random bits as a decimal string: an unordered nonce, as wallets pick them. */
function randomNonce(): string {
  return BigInt('0x' + randomBytes(16).toString('hex')).toString();
}
