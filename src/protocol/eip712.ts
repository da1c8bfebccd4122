// EIP-712 typed-data hashing: the digest a wallet signs for an action. It must agree
// byte for byte with MetaMask, viem and ethers, and it must be fast (thousands of
// actions per second per core), so it runs on native keccak and compiles each struct
// type once into a plan of field encoders, cached by the type's canonical encoding.
// It never guesses: a value that does not fit its declared type, a missing or extra
// field, or a malformed type definition is a TypedDataError naming the field path and
// the reason, never a silent truncation, padding or coercion.
import { AddressError, assertAddress } from './address.ts';
import { keccak256, keccak256Concat, keccak256Utf8 } from './keccak.ts';

export type TypedDataField = { name: string; type: string };
export type TypedDataTypes = Readonly<Record<string, readonly TypedDataField[]>>;

/** Integers: bigint, a safe-integer number, or a decimal string. */
export type TypedDataInteger = bigint | number | string;

export interface TypedDataDomain {
  name?: string;
  version?: string;
  chainId?: TypedDataInteger;
  verifyingContract?: string;
  /** 32 bytes, 0x hex or raw. */
  salt?: string | Uint8Array;
}

export interface TypedDataParameters {
  domain: TypedDataDomain;
  types: TypedDataTypes;
  primaryType: string;
  message: Readonly<Record<string, unknown>>;
}

/** A typed-data value or type that cannot be encoded. `path` is e.g. `message.files[2].size`. */
export class TypedDataError extends Error {
  override readonly name = 'TypedDataError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function fail(path: string, reason: string): never {
  throw new TypedDataError(path, reason);
}

// ---------------------------------------------------------------------------------
// Atomic and dynamic encoders. Each writes exactly 32 bytes at `off`; `out` comes from
// allocUnsafe, so every encoder writes all 32 bytes.

type Encoder = (value: unknown, path: string, out: Buffer, off: number) => void;

const TWO_32 = 2 ** 32;
const MASK_64 = (1n << 64n) - 1n;
const DECIMAL = /^-?[0-9]{1,100}$/;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})*$/;
const LONE_SURROGATE = /\p{Cs}/u;

function writeUint256(out: Buffer, off: number, v: bigint): void {
  if (v <= MASK_64) {
    out.fill(0, off, off + 24);
    out.writeBigUInt64BE(v, off + 24);
    return;
  }
  out.writeBigUInt64BE(v >> 192n, off);
  out.writeBigUInt64BE((v >> 128n) & MASK_64, off + 8);
  out.writeBigUInt64BE((v >> 64n) & MASK_64, off + 16);
  out.writeBigUInt64BE(v & MASK_64, off + 24);
}

function toBigInt(value: unknown, path: string, type: string): bigint {
  switch (typeof value) {
    case 'bigint':
      return value;
    case 'number':
      if (!Number.isInteger(value)) fail(path, `${value} is not an integer (${type})`);
      if (!Number.isSafeInteger(value))
        fail(path, `${value} is beyond 2^53 and may have lost precision; pass a bigint or a decimal string (${type})`);
      return BigInt(value);
    case 'string':
      if (!DECIMAL.test(value))
        fail(path, `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)} is not a decimal integer (${type})`);
      return BigInt(value);
    default:
      return fail(path, `expected an integer for ${type} (bigint, number or decimal string), got ${kind(value)}`);
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  return typeof value;
}

function uintEncoder(bits: number): Encoder {
  const type = `uint${bits}`;
  const max = (1n << BigInt(bits)) - 1n;
  const maxNumber = bits >= 53 ? Number.MAX_SAFE_INTEGER : 2 ** bits - 1;
  return (value, path, out, off) => {
    // Fast path: most integers on the wire are small JSON numbers.
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= maxNumber) {
      out.fill(0, off, off + 24);
      out.writeUInt32BE(Math.floor(value / TWO_32), off + 24);
      out.writeUInt32BE(value % TWO_32, off + 28);
      return;
    }
    const v = toBigInt(value, path, type);
    if (v < 0n) fail(path, `${v} is negative and does not fit ${type}`);
    if (v > max) fail(path, `${v} does not fit ${type} (largest is 2^${bits}-1)`);
    writeUint256(out, off, v);
  };
}

function intEncoder(bits: number): Encoder {
  const type = `int${bits}`;
  const max = (1n << BigInt(bits - 1)) - 1n;
  const min = -(1n << BigInt(bits - 1));
  return (value, path, out, off) => {
    const v = toBigInt(value, path, type);
    if (v < min || v > max) fail(path, `${v} does not fit ${type} (-2^${bits - 1} to 2^${bits - 1}-1)`);
    // Two's complement over the full 256 bits, i.e. sign-extended.
    writeUint256(out, off, v < 0n ? (1n << 256n) + v : v);
  };
}

/** Bytes from 0x hex or a Uint8Array; `what` names the type for the message. */
function toBytes(value: unknown, path: string, what: string): Buffer {
  if (typeof value === 'string') {
    if (!HEX_BYTES.test(value))
      fail(path, `expected 0x-prefixed hex with an even number of digits for ${what}, got ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`);
    return Buffer.from(value.slice(2), 'hex');
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return fail(path, `expected 0x hex or a Uint8Array for ${what}, got ${kind(value)}`);
}

function fixedBytesEncoder(size: number): Encoder {
  const type = `bytes${size}`;
  return (value, path, out, off) => {
    const b = toBytes(value, path, type);
    // No implicit padding: a short value is more likely a bug than an intent.
    if (b.length !== size) fail(path, `${b.length} bytes given, ${type} takes exactly ${size}`);
    b.copy(out, off);
    out.fill(0, off + size, off + 32);
  };
}

const encodeAddress: Encoder = (value, path, out, off) => {
  try {
    assertAddress(value);
  } catch (e) {
    if (e instanceof AddressError) fail(path, `${e.reason} (address)`);
    throw e;
  }
  out.fill(0, off, off + 12);
  out.write(value.slice(2), off + 12, 20, 'hex');
};

const encodeBool: Encoder = (value, path, out, off) => {
  if (typeof value !== 'boolean') fail(path, `expected true or false for bool, got ${kind(value)}`);
  out.fill(0, off, off + 31);
  out[off + 31] = value ? 1 : 0;
};

const encodeString: Encoder = (value, path, out, off) => {
  if (typeof value !== 'string') fail(path, `expected a string, got ${kind(value)}`);
  // UTF-8 would turn a lone surrogate into U+FFFD, so two different strings would sign
  // the same; refuse rather than let a signature cover text it does not match.
  if (LONE_SURROGATE.test(value)) fail(path, 'string contains a lone UTF-16 surrogate, which has no UTF-8 encoding');
  keccak256Utf8(value).copy(out, off);
};

const encodeDynamicBytes: Encoder = (value, path, out, off) => {
  keccak256(toBytes(value, path, 'bytes')).copy(out, off);
};

const ATOMIC = new Map<string, Encoder>([
  ['address', encodeAddress],
  ['bool', encodeBool],
  ['string', encodeString],
  ['bytes', encodeDynamicBytes],
]);
for (let bits = 8; bits <= 256; bits += 8) {
  ATOMIC.set(`uint${bits}`, uintEncoder(bits));
  ATOMIC.set(`int${bits}`, intEncoder(bits));
}
for (let size = 1; size <= 32; size++) ATOMIC.set(`bytes${size}`, fixedBytesEncoder(size));

// ---------------------------------------------------------------------------------
// Type definitions: validation, encodeType, and compiled struct plans.

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const TYPE_NAME = /^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[[0-9]*\])*)$/;
const ARRAY_SUFFIX = /\[([0-9]*)\]$/;

/** The struct or atomic name inside a possibly-array type: `Person[2][]` → `Person`. */
function baseType(type: string, path: string): string {
  const m = TYPE_NAME.exec(type);
  if (!m) fail(path, `malformed type ${JSON.stringify(type)}`);
  return m[1];
}

function definition(types: TypedDataTypes, name: string, path: string): readonly TypedDataField[] {
  if (!Object.prototype.hasOwnProperty.call(types, name)) fail(path, `type ${JSON.stringify(name)} is not defined in types`);
  const fields = types[name];
  if (!Array.isArray(fields)) fail(path, `must be an array of { name, type } fields`);
  return fields;
}

/**
 * Struct types reachable from `primaryType`, each once, with their fields checked
 * well-formed. Field names and types are identifiers, which makes encodeType an
 * unambiguous key for the compiled plan.
 */
function reachable(primaryType: string, types: TypedDataTypes): string[] {
  const seen = new Set<string>([primaryType]);
  const order = [primaryType];
  for (let i = 0; i < order.length; i++) {
    const name = order[i];
    if (!IDENTIFIER.test(name)) fail(i === 0 ? 'primaryType' : `types.${name}`, `type name ${JSON.stringify(name)} is not an identifier`);
    const fields = definition(types, name, i === 0 ? 'primaryType' : `types.${name}`);
    const names = new Set<string>();
    for (const f of fields) {
      const at = `types.${name}`;
      if (typeof f?.name !== 'string' || !IDENTIFIER.test(f.name))
        fail(at, `field name ${JSON.stringify(f?.name)} is not an identifier`);
      if (names.has(f.name)) fail(`${at}.${f.name}`, 'field is declared twice');
      names.add(f.name);
      if (typeof f.type !== 'string') fail(`${at}.${f.name}`, 'type is not a string');
      const base = baseType(f.type, `${at}.${f.name}`);
      if (ATOMIC.has(base)) continue;
      if (!Object.prototype.hasOwnProperty.call(types, base))
        fail(`${at}.${f.name}`, `unknown type ${JSON.stringify(f.type)} (neither an EIP-712 atomic type nor a struct in types)`);
      if (!seen.has(base)) {
        seen.add(base);
        order.push(base);
      }
    }
  }
  return order;
}

function encodeOne(name: string, types: TypedDataTypes): string {
  return `${name}(${types[name].map((f) => `${f.type} ${f.name}`).join(',')})`;
}

/**
 * EIP-712 `encodeType`: the primary type, then every struct it references, directly or
 * not, sorted by name, e.g. `Mail(Person from,Person to,string contents)Person(string name,address wallet)`.
 */
export function encodeType(primaryType: string, types: TypedDataTypes): string {
  if (ATOMIC.has(primaryType)) fail('primaryType', `${primaryType} is an atomic type, not a struct`);
  const [primary, ...deps] = reachable(primaryType, types);
  deps.sort();
  return encodeOne(primary, types) + deps.map((d) => encodeOne(d, types)).join('');
}

/** keccak256(encodeType(primaryType)). */
export function hashType(primaryType: string, types: TypedDataTypes): Buffer {
  return keccak256Utf8(encodeType(primaryType, types));
}

interface StructPlan {
  name: string;
  typeHash: Buffer;
  names: string[];
  encoders: Encoder[];
}

/** Compiles the struct `name` and everything it references; plans share one map so that recursive types resolve. */
function compile(name: string, types: TypedDataTypes, plans: Map<string, StructPlan>): StructPlan {
  const existing = plans.get(name);
  if (existing) return existing;
  const fields = types[name];
  const plan: StructPlan = { name, typeHash: hashType(name, types), names: [], encoders: [] };
  plans.set(name, plan);
  for (const f of fields) {
    plan.names.push(f.name);
    plan.encoders.push(fieldEncoder(f.type, types, plans));
  }
  return plan;
}

function fieldEncoder(type: string, types: TypedDataTypes, plans: Map<string, StructPlan>): Encoder {
  const arr = ARRAY_SUFFIX.exec(type);
  if (arr) {
    // The last bracket is the outermost dimension: `T[2][]` is a dynamic array of T[2].
    const inner = fieldEncoder(type.slice(0, arr.index), types, plans);
    const fixed = arr[1] === '' ? undefined : Number(arr[1]);
    return arrayEncoder(inner, fixed, type);
  }
  const atomic = ATOMIC.get(type);
  if (atomic) return atomic;
  // Compiled now, while `types` is known to match the cache key. With a recursive type
  // this returns the plan still being filled in, complete before anything is encoded.
  const plan = compile(type, types, plans);
  return (value, path, out, off) => {
    encodeStruct(plan, value, path).copy(out, off);
  };
}

function arrayEncoder(inner: Encoder, fixed: number | undefined, type: string): Encoder {
  return (value, path, out, off) => {
    if (!Array.isArray(value)) fail(path, `expected an array for ${type}, got ${kind(value)}`);
    if (fixed !== undefined && value.length !== fixed)
      fail(path, `${value.length} elements given, ${type} takes exactly ${fixed}`);
    // An array encodes as the keccak of its elements' 32-byte encodings, concatenated.
    const buf = Buffer.allocUnsafe(32 * value.length);
    for (let i = 0; i < value.length; i++) inner(value[i], `${path}[${i}]`, buf, 32 * i);
    keccak256(buf).copy(out, off);
  };
}

function encodeStruct(plan: StructPlan, value: unknown, path: string): Buffer {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array)
    fail(path, `expected an object for struct ${plan.name}, got ${kind(value)}`);
  const rec = value as Record<string, unknown>;
  const n = plan.names.length;
  const buf = Buffer.allocUnsafe(32 * (n + 1));
  plan.typeHash.copy(buf, 0);
  for (let i = 0; i < n; i++) {
    const name = plan.names[i];
    // Own properties only: `toString` inherited from Object.prototype is not a value.
    const v = Object.hasOwn(rec, name) ? rec[name] : undefined;
    if (v === undefined) fail(`${path}.${name}`, `missing (struct ${plan.name} requires it)`);
    plan.encoders[i](v, `${path}.${name}`, buf, 32 * (i + 1));
  }
  // A field the type does not declare would travel with the message without being
  // signed; refuse it so that everything accepted is covered by the signature.
  const keys = Object.keys(rec);
  if (keys.length !== n) {
    const extra = keys.find((k) => !plan.names.includes(k));
    if (extra !== undefined) fail(`${path}.${extra}`, `is not a field of struct ${plan.name}`);
  }
  return keccak256(buf);
}

// Compiled plans keyed by encodeType, which names every field and type the plan
// depends on, so equal keys mean equal plans whoever built the `types` object. Bounded
// so that types sent by clients cannot grow it without limit.
const PLAN_CACHE_MAX = 1024;
const planCache = new Map<string, StructPlan>();

function planFor(primaryType: string, types: TypedDataTypes): StructPlan {
  const key = encodeType(primaryType, types);
  let plan = planCache.get(key);
  if (!plan) {
    plan = compile(primaryType, types, new Map());
    if (planCache.size >= PLAN_CACHE_MAX) planCache.clear();
    planCache.set(key, plan);
  }
  return plan;
}

/** EIP-712 `hashStruct`: keccak256(typeHash ‖ encodeData(message)). `path` prefixes error paths. */
export function hashStruct(
  primaryType: string,
  types: TypedDataTypes,
  message: Readonly<Record<string, unknown>>,
  path = 'message',
): Buffer {
  return encodeStruct(planFor(primaryType, types), message, path);
}

// ---------------------------------------------------------------------------------
// The domain and the final digest.

/** The EIP712Domain fields in the order EIP-712 fixes, with their types. */
const DOMAIN_FIELDS: readonly TypedDataField[] = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
  { name: 'salt', type: 'bytes32' },
];
const DOMAIN_NAMES = new Set(DOMAIN_FIELDS.map((f) => f.name));

/** The EIP712Domain type for a domain: only the fields present, in the EIP's order. */
export function domainType(domain: TypedDataDomain): TypedDataField[] {
  if (typeof domain !== 'object' || domain === null) fail('domain', `expected an object, got ${kind(domain)}`);
  for (const k of Object.keys(domain))
    if (!DOMAIN_NAMES.has(k)) fail(`domain.${k}`, 'is not an EIP712Domain field (name, version, chainId, verifyingContract, salt)');
  return DOMAIN_FIELDS.filter((f) => (domain as Record<string, unknown>)[f.name] !== undefined);
}

/**
 * The domain separator, hashStruct(EIP712Domain, domain). `fields` overrides the
 * EIP712Domain type derived from the fields present (as when a wallet request lists
 * its own `types.EIP712Domain`).
 */
export function hashDomain(domain: TypedDataDomain, fields: readonly TypedDataField[] = domainType(domain)): Buffer {
  if (typeof domain !== 'object' || domain === null) fail('domain', `expected an object, got ${kind(domain)}`);
  const present = Object.fromEntries(Object.entries(domain).filter(([, v]) => v !== undefined));
  return hashStruct('EIP712Domain', { EIP712Domain: fields }, present, 'domain');
}

const PREFIX = Buffer.from([0x19, 0x01]);

function digest(domainSeparator: Buffer, structHash: Buffer | undefined): Buffer {
  // With primaryType EIP712Domain there is no message: the digest covers the domain only.
  return keccak256Concat(structHash ? [PREFIX, domainSeparator, structHash] : [PREFIX, domainSeparator]);
}

/** The EIP-712 digest keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)), 32 bytes. */
export function hashTypedData(params: TypedDataParameters): Buffer {
  const { domain, types, primaryType, message } = params;
  const ds = hashDomain(domain, types.EIP712Domain);
  if (primaryType === 'EIP712Domain') return digest(ds, undefined);
  return digest(ds, hashStruct(primaryType, types, message));
}

/**
 * A digest function for one domain and primary type, with the domain separator and
 * struct plan computed once: the fast path for verifying many actions of one kind.
 */
export function typedDataHasher(
  params: Omit<TypedDataParameters, 'message'>,
): (message: Readonly<Record<string, unknown>>) => Buffer {
  const { domain, types, primaryType } = params;
  const ds = hashDomain(domain, types.EIP712Domain);
  if (primaryType === 'EIP712Domain') {
    const d = digest(ds, undefined);
    return () => Buffer.from(d);
  }
  const plan = planFor(primaryType, types);
  return (message) => digest(ds, encodeStruct(plan, message, 'message'));
}
