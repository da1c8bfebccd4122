// An incremental, order-independent commitment to the whole state (a lattice hash,
// LtHash16 over SHAKE256). Adding or removing one key costs the same whatever the size
// of the state, so every checkpoint can carry a state root; an auditor recomputes it
// from a table scan or by replay and must get the same bytes. Never depends on the
// order in which keys were written.
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';
import type { JsonValue } from './state.ts';

const LANES = 1024; // 1024 × 16-bit lanes = 2048 bytes, the LtHash16 parameters

function elementHash(key: string, canonicalValue: string): Uint16Array {
  const k = Buffer.from(key, 'utf8');
  const v = Buffer.from(canonicalValue, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(k.length);
  const out = createHash('shake256', { outputLength: LANES * 2 })
    .update('tributary-state-v1\n')
    .update(len)
    .update(k)
    .update(v)
    .digest();
  // Read lanes little-endian explicitly: the root must not depend on the host's byte order.
  const lanes = new Uint16Array(LANES);
  for (let i = 0; i < LANES; i++) lanes[i] = out[2 * i] | (out[2 * i + 1] << 8);
  return lanes;
}

/** How many recently added elements keep their lanes, so an update's removal is free. */
const REMEMBERED = 4096;

export class StateHash {
  readonly lanes: Uint16Array;
  private readonly remembered = new Map<string, { value: string; lanes: Uint16Array }>();

  constructor(lanes?: Uint8Array) {
    this.lanes = new Uint16Array(LANES);
    if (lanes) {
      if (lanes.length !== LANES * 2) throw new Error(`state hash must be ${LANES * 2} bytes, got ${lanes.length}`);
      for (let i = 0; i < LANES; i++) this.lanes[i] = lanes[2 * i] | (lanes[2 * i + 1] << 8);
    }
  }

  add(key: string, value: JsonValue): void {
    this.addCanonical(key, canonicalize(value));
  }

  remove(key: string, value: JsonValue): void {
    this.removeCanonical(key, canonicalize(value));
  }

  /** `add` for a value already in RFC 8785 form (as the state table stores it). */
  addCanonical(key: string, value: string): void {
    const h = elementHash(key, value);
    for (let i = 0; i < LANES; i++) this.lanes[i] = (this.lanes[i] + h[i]) & 0xffff;
    // Counters and records are rewritten often: keep the lanes to subtract them later.
    this.remembered.delete(key);
    this.remembered.set(key, { value, lanes: h });
    if (this.remembered.size > REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
  }

  removeCanonical(key: string, value: string): void {
    const r = this.remembered.get(key);
    const h = r && r.value === value ? r.lanes : elementHash(key, value);
    this.remembered.delete(key);
    for (let i = 0; i < LANES; i++) this.lanes[i] = (this.lanes[i] - h[i]) & 0xffff;
  }

  /** The raw lanes, for persisting between restarts (little-endian uint16). */
  bytes(): Buffer {
    const b = Buffer.alloc(LANES * 2);
    for (let i = 0; i < LANES; i++) b.writeUInt16LE(this.lanes[i], i * 2);
    return b;
  }

  /** The 32-byte state root published in checkpoints. */
  root(): Buffer {
    return createHash('sha256').update('tributary-state-root-v1\n').update(this.bytes()).digest();
  }
}
