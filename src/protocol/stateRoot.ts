// An incremental, order-independent commitment to the whole state (a lattice hash,
// LtHash16 over SHAKE256). Adding or removing one key costs the same whatever the size
// of the state, so every checkpoint can carry a state root; an auditor recomputes it
// from a table scan or by replay and must get the same bytes. Never depends on the
// order in which keys were written.
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';
import type { JsonValue } from './state.ts';

const LANES = 1024; // 1024 × 16-bit lanes = 2048 bytes, the LtHash16 parameters

function elementHash(key: string, value: JsonValue): Uint16Array {
  const k = Buffer.from(key, 'utf8');
  const v = Buffer.from(canonicalize(value), 'utf8');
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

export class StateHash {
  readonly lanes: Uint16Array;

  constructor(lanes?: Uint8Array) {
    this.lanes = new Uint16Array(LANES);
    if (lanes) {
      if (lanes.length !== LANES * 2) throw new Error(`state hash must be ${LANES * 2} bytes, got ${lanes.length}`);
      for (let i = 0; i < LANES; i++) this.lanes[i] = lanes[2 * i] | (lanes[2 * i + 1] << 8);
    }
  }

  add(key: string, value: JsonValue): void {
    const h = elementHash(key, value);
    for (let i = 0; i < LANES; i++) this.lanes[i] = (this.lanes[i] + h[i]) & 0xffff;
  }

  remove(key: string, value: JsonValue): void {
    const h = elementHash(key, value);
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
