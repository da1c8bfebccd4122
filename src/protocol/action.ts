// How an action type is declared: its EIP-712 fields (the contract with wallets), the
// JSON shape those fields take on the wire, and its pure `apply`. Domain folders
// (datanets, settlement, ...) declare their actions with this; the protocol core knows
// none of them by name. Never performs I/O.
import { z } from 'zod';
import type { Effect, JsonValue, StateChange, StateReader } from './state.ts';

export type FieldType = 'string' | 'address' | 'address[]' | 'bytes32' | 'uint64' | 'uint64[]' | 'uint256' | 'bool';

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** Longest string (in UTF-8 bytes) or array this field accepts. */
  max?: number;
  description?: string;
}

/** Parameters fixed by the genesis entry; replay reads them from the log, not from config. */
export interface ProtocolParams {
  chainId: number;
  origin: string;
  /** The node's C2SP verifier key; node actions are signed with it. */
  nodeKey: string;
}

export interface ApplyContext {
  state: StateReader;
  /** Lowercase address of a user action's signer, or the node's verifier key. */
  signer: string;
  index: number;
  /** Milliseconds since the Unix epoch, as sequenced. The only clock `apply` sees. */
  time: number;
  params: ProtocolParams;
  /** What the node attested about this action in its entry (see Entry.attest). */
  attest?: { [k: string]: JsonValue };
}

export interface ApplyResult {
  changes: StateChange[];
  effects?: Effect[];
  /** What the submitter learns besides the receipt, e.g. the id of what was created. */
  result?: { [k: string]: JsonValue };
}

export interface ActionDefinition<M extends object = Record<string, any>> {
  type: string;
  /** `user` actions are EIP-712 signed by an account; `node` actions by the node's Ed25519 key. */
  signer: 'user' | 'node';
  description: string;
  /** Message fields in EIP-712 order, without the `nonce` and `expiry` every action gets. */
  fields: FieldSpec[];
  /** Validates against state and returns the changes; throws ActionRejected to refuse. */
  apply(ctx: ApplyContext, message: M): ApplyResult;
}

/** Fields appended to every action: replay protection and a deadline. */
export function commonFields(def: Pick<ActionDefinition, 'signer'>): FieldSpec[] {
  const nonce: FieldSpec = {
    name: 'nonce',
    type: 'uint256',
    description: 'Any number the signer has not used before (unordered, like Permit2): pick it at random.',
  };
  if (def.signer === 'node') return [nonce];
  return [
    nonce,
    { name: 'expiry', type: 'uint64', description: 'Unix seconds after which the node refuses the action.' },
  ];
}

export function allFields(def: Pick<ActionDefinition, 'signer' | 'fields'>): FieldSpec[] {
  return [...def.fields, ...commonFields(def)];
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT256 = /^(0|[1-9][0-9]{0,77})$/;

function utf8Max(max: number) {
  return (s: string) => Buffer.byteLength(s, 'utf8') <= max;
}

/** The zod schema of one field's JSON form. Integers below 2^53 travel as numbers, uint256 as decimal strings. */
export function fieldSchema(f: FieldSpec): z.ZodType {
  switch (f.type) {
    case 'string': {
      const max = f.max ?? 1024;
      return z.string().refine(utf8Max(max), { message: `must be at most ${max} bytes of UTF-8` });
    }
    case 'address':
      return z.string().regex(ADDRESS, 'must be a 0x-prefixed 20-byte hex address');
    case 'address[]':
      return z.array(z.string().regex(ADDRESS, 'must be a 0x-prefixed 20-byte hex address')).max(f.max ?? 64);
    case 'bytes32':
      return z.string().regex(HEX32, 'must be 0x followed by 64 hex digits');
    case 'uint64':
      return z.number().int('must be an integer').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER);
    case 'uint64[]':
      return z.array(z.number().int('must be an integer').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER)).max(f.max ?? 64);
    case 'uint256':
      return z
        .string()
        .regex(UINT256, 'must be a decimal string without leading zeros')
        // zod runs a refinement even when the regex failed: BigInt of a non-number would throw.
        .refine((s) => !UINT256.test(s) || BigInt(s) < 1n << 256n, { message: 'must be below 2^256' });
    case 'bool':
      return z.boolean();
  }
}

/** The wire schema of an action message: `{ type, ...fields }`, nothing else. */
export function actionSchema(def: ActionDefinition) {
  const shape: Record<string, z.ZodType> = { type: z.literal(def.type) };
  for (const f of allFields(def)) shape[f.name] = fieldSchema(f).describe(f.description ?? f.type);
  return z.strictObject(shape).describe(def.description);
}

/** Addresses are case-insensitive in EIP-712; store one spelling so the log entry is unique. */
export function normaliseMessage(def: ActionDefinition, message: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { type: def.type };
  for (const f of allFields(def)) {
    const v = message[f.name];
    if (f.type === 'address' || f.type === 'bytes32') out[f.name] = (v as string).toLowerCase();
    else if (f.type === 'address[]') out[f.name] = (v as string[]).map((a) => a.toLowerCase());
    else out[f.name] = v as JsonValue;
  }
  return out;
}
