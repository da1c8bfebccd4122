import { TypedDataEncoder, Wallet, verifyTypedData } from 'ethers';
import { getAddress, hashTypedData as viemHashTypedData, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  type TypedDataDomain,
  TypedDataError,
  type TypedDataTypes,
  encodeType,
  hashDomain,
  hashStruct,
  hashType,
  hashTypedData,
  typedDataHasher,
} from './eip712.ts';
import { keccak256Utf8 } from './keccak.ts';
import { privateKeyToAddress, recoverAddress, signDigest } from './secp256k1.ts';

const hex = (b: Uint8Array) => ('0x' + Buffer.from(b).toString('hex')) as `0x${string}`;

// ---------------------------------------------------------------------------------
// The example in EIP-712 itself (Example.sol / Example.js).

const MAIL_TYPES = {
  Person: [
    { name: 'name', type: 'string' },
    { name: 'wallet', type: 'address' },
  ],
  Mail: [
    { name: 'from', type: 'Person' },
    { name: 'to', type: 'Person' },
    { name: 'contents', type: 'string' },
  ],
} as const satisfies TypedDataTypes;
const MAIL_DOMAIN = {
  name: 'Ether Mail',
  version: '1',
  chainId: 1,
  verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
};
const MAIL = {
  from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
  to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
  contents: 'Hello, Bob!',
};

describe('EIP-712 Mail example', () => {
  it('encodeType and typeHash', () => {
    expect(encodeType('Mail', MAIL_TYPES)).toBe('Mail(Person from,Person to,string contents)Person(string name,address wallet)');
    expect(hex(hashType('Mail', MAIL_TYPES))).toBe('0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2');
  });
  it('domain separator, struct hash and digest', () => {
    expect(hex(hashDomain(MAIL_DOMAIN))).toBe('0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f');
    expect(hex(hashStruct('Mail', MAIL_TYPES, MAIL))).toBe('0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e');
    const digest = hashTypedData({ domain: MAIL_DOMAIN, types: MAIL_TYPES, primaryType: 'Mail', message: MAIL });
    expect(hex(digest)).toBe('0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2');
    expect(recoverAddress(digest, signDigest(keccak256Utf8('cow'), digest))).toBe(MAIL.from.wallet.toLowerCase());
  });
  it('accepts an explicit EIP712Domain type in types, as wallet requests carry it', () => {
    const types = {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
        { name: 'verifyingContract', type: 'address' },
      ],
      ...MAIL_TYPES,
    };
    expect(hex(hashTypedData({ domain: MAIL_DOMAIN, types, primaryType: 'Mail', message: MAIL }))).toBe(
      '0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2',
    );
  });
});

// ---------------------------------------------------------------------------------
// Generated messages, hashed, signed and recovered by us, viem and ethers.

const CONTRIBUTE_TYPES = {
  Contribute: [
    { name: 'datanet', type: 'string' },
    { name: 'contentHash', type: 'bytes32' },
    { name: 'size', type: 'uint64' },
    { name: 'fileName', type: 'string' },
    { name: 'nonce', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const satisfies TypedDataTypes;

// Nested structs (Approver sorts before Policy in encodeType), arrays of addresses,
// structs, fixed arrays, dynamic bytes, signed integers and bools.
const SPLIT_TYPES = {
  Split: [
    { name: 'datanet', type: 'string' },
    { name: 'recipients', type: 'address[]' },
    { name: 'weights', type: 'uint32[]' },
    { name: 'policy', type: 'Policy' },
    { name: 'memo', type: 'bytes' },
    { name: 'delta', type: 'int128' },
    { name: 'final', type: 'bool' },
    { name: 'labels', type: 'string[]' },
    { name: 'nonce', type: 'uint256' },
  ],
  Policy: [
    { name: 'curator', type: 'address' },
    { name: 'minStake', type: 'uint256' },
    { name: 'tags', type: 'bytes32[2]' },
    { name: 'approvers', type: 'Approver[]' },
    { name: 'grid', type: 'int8[2][]' },
  ],
  Approver: [
    { name: 'account', type: 'address' },
    { name: 'weight', type: 'uint8' },
  ],
} as const satisfies TypedDataTypes;

// A seeded generator (xorshift32), so that any failure reproduces.
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const big = (bits: number) => BigInt('0x' + (bytes(Math.ceil(bits / 8)).toString('hex') || '0')) & ((1n << BigInt(bits)) - 1n);
  const pieces = ['a', 'Z', '7', ' ', '.', '-', 'é', 'ß', '€', '中', '😀', '\n', '"', '\\'];
  const text = (max: number) => Array.from({ length: int(max + 1) }, () => pieces[int(pieces.length)]).join('');
  const address = () => {
    const a = hex(bytes(20));
    return next() < 0.5 ? a : getAddress(a); // lowercase or checksummed
  };
  // Integers in the three accepted forms; small values sometimes as numbers.
  const integer = (v: bigint) => {
    const r = next();
    if (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) && r < 0.4) return Number(v);
    return r < 0.7 ? v : v.toString();
  };
  // Edge values matter most: 0, the maximum, and everything in between.
  const uint = (bits: number) => {
    const r = next();
    return r < 0.1 ? 0n : r < 0.2 ? (1n << BigInt(bits)) - 1n : big(int(bits) + 1);
  };
  const sint = (bits: number) => {
    const r = next();
    const half = 1n << BigInt(bits - 1);
    return r < 0.1 ? -half : r < 0.2 ? half - 1n : uint(bits) - half;
  };
  return { next, int, bytes, big, text, address, integer, uint, sint };
}

type Gen = ReturnType<typeof rng>;

function contribute(g: Gen) {
  const raw = {
    datanet: g.text(20),
    contentHash: hex(g.bytes(32)),
    size: g.uint(64),
    fileName: g.text(40),
    nonce: g.uint(256),
    expiry: g.uint(64),
  };
  const ours = { ...raw, size: g.integer(raw.size), nonce: g.integer(raw.nonce), expiry: g.integer(raw.expiry) };
  return { raw, ours };
}

function split(g: Gen) {
  const recipients = Array.from({ length: g.int(5) }, () => g.address());
  const weights = recipients.map(() => g.uint(32));
  const approvers = Array.from({ length: g.int(4) }, () => ({ account: g.address(), weight: g.uint(8) }));
  const grid = Array.from({ length: g.int(3) }, () => [g.sint(8), g.sint(8)]);
  const raw = {
    datanet: g.text(12),
    recipients,
    weights,
    policy: { curator: g.address(), minStake: g.uint(256), tags: [hex(g.bytes(32)), hex(g.bytes(32))], approvers, grid },
    memo: hex(g.bytes(g.int(70))),
    delta: g.sint(128),
    final: g.next() < 0.5,
    labels: Array.from({ length: g.int(3) }, () => g.text(8)),
    nonce: g.uint(256),
  };
  const ours = {
    ...raw,
    weights: weights.map(g.integer),
    policy: {
      ...raw.policy,
      minStake: g.integer(raw.policy.minStake),
      approvers: approvers.map((a) => ({ ...a, weight: g.integer(a.weight) })),
      grid: grid.map((row) => row.map(g.integer)),
    },
    delta: g.integer(raw.delta),
    nonce: g.integer(raw.nonce),
  };
  return { raw, ours };
}

function domainFor(g: Gen): TypedDataDomain {
  // Every subset of the five domain fields occurs.
  const d: TypedDataDomain = {};
  if (g.next() < 0.7) d.name = g.text(10);
  if (g.next() < 0.7) d.version = String(g.int(5));
  if (g.next() < 0.8) d.chainId = g.int(3) === 0 ? 1 : g.int(2 ** 31);
  if (g.next() < 0.5) d.verifyingContract = g.address();
  if (g.next() < 0.3) d.salt = hex(g.bytes(32));
  return d;
}

// viem and ethers both take any object; narrow once here instead of at every call.
type Loose = Record<string, unknown>;
type ViemParams = Parameters<typeof viemHashTypedData>[0];

async function crossCheck(
  name: string,
  count: number,
  seed: number,
  types: TypedDataTypes,
  primaryType: string,
  make: (g: Gen) => { raw: Loose; ours: Loose },
) {
  const g = rng(seed);
  const ethersTypes = types as unknown as Record<string, Array<{ name: string; type: string }>>;
  for (let i = 0; i < count; i++) {
    const domain = domainFor(g);
    const { raw, ours } = make(g);
    const params = { domain, types, primaryType, message: raw } as unknown as ViemParams;
    const where = `${name} #${i}`;

    const digest = hashTypedData({ domain, types, primaryType, message: ours });
    expect(hex(digest), where).toBe(viemHashTypedData(params));
    expect(hex(digest), where).toBe(TypedDataEncoder.hash(domain, ethersTypes, raw));

    // One in four messages is signed by all three and recovered by all three.
    if (i % 4 !== 0) continue;
    const key = g.bytes(32);
    const address = privateKeyToAddress(key);
    const account = privateKeyToAccount(hex(key));
    const wallet = new Wallet(hex(key));
    const ours_ = signDigest(key, digest);
    const viems = await account.signTypedData(params as Parameters<typeof account.signTypedData>[0]);
    const ethers_ = await wallet.signTypedData(domain, ethersTypes, raw);
    // RFC 6979 nonces are deterministic: all three must produce the same bytes.
    expect(ours_, where).toBe(viems);
    expect(ours_, where).toBe(ethers_);
    expect(recoverAddress(digest, viems), where).toBe(address);
    expect(recoverAddress(digest, ethers_), where).toBe(address);
    expect((await recoverTypedDataAddress({ ...params, signature: ours_ as `0x${string}` })).toLowerCase(), where).toBe(address);
    expect(verifyTypedData(domain, ethersTypes, raw, ours_).toLowerCase(), where).toBe(address);
  }
}

describe('against viem and ethers', () => {
  it('Contribute: 300 generated messages hash, sign and recover identically', async () => {
    await crossCheck('Contribute', 300, 0x1234567, CONTRIBUTE_TYPES, 'Contribute', contribute);
  });

  it('Split: 200 generated messages with nested structs and arrays hash, sign and recover identically', async () => {
    expect(encodeType('Split', SPLIT_TYPES)).toBe(
      'Split(string datanet,address[] recipients,uint32[] weights,Policy policy,bytes memo,int128 delta,bool final,string[] labels,uint256 nonce)' +
        'Approver(address account,uint8 weight)' +
        'Policy(address curator,uint256 minStake,bytes32[2] tags,Approver[] approvers,int8[2][] grid)',
    );
    await crossCheck('Split', 200, 0x7654321, SPLIT_TYPES, 'Split', split);
  });

  it('every atomic type at its extremes', () => {
    const g = rng(99);
    const fields: Array<{ name: string; type: string }> = [];
    const raw: Loose = {};
    for (let bits = 8; bits <= 256; bits += 8) {
      for (const v of [0n, (1n << BigInt(bits)) - 1n, g.uint(bits)]) {
        fields.push({ name: `u${bits}_${fields.length}`, type: `uint${bits}` });
        raw[fields[fields.length - 1].name] = v;
      }
      for (const v of [-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n, -1n, g.sint(bits)]) {
        fields.push({ name: `i${bits}_${fields.length}`, type: `int${bits}` });
        raw[fields[fields.length - 1].name] = v;
      }
    }
    for (let n = 1; n <= 32; n++) {
      fields.push({ name: `b${n}`, type: `bytes${n}` });
      raw[`b${n}`] = hex(g.bytes(n));
    }
    fields.push({ name: 'emptyBytes', type: 'bytes' }, { name: 'emptyString', type: 'string' }, { name: 'no', type: 'bool' });
    Object.assign(raw, { emptyBytes: '0x', emptyString: '', no: false });
    const types = { All: fields };
    const domain = { name: 'x', chainId: 5n };
    const ours = hashTypedData({ domain, types, primaryType: 'All', message: raw });
    expect(hex(ours)).toBe(viemHashTypedData({ domain, types, primaryType: 'All', message: raw } as unknown as ViemParams));
    expect(hex(ours)).toBe(TypedDataEncoder.hash(domain, types, raw));
  });

  it('a recursive type (a struct that contains an array of itself), against viem', () => {
    const types = {
      Node: [
        { name: 'label', type: 'string' },
        { name: 'children', type: 'Node[]' },
      ],
    };
    const message = { label: 'root', children: [{ label: 'a', children: [] }, { label: 'b', children: [{ label: 'c', children: [] }] }] };
    expect(encodeType('Node', types)).toBe('Node(string label,Node[] children)');
    const ours = hashTypedData({ domain: { chainId: 1 }, types, primaryType: 'Node', message });
    expect(hex(ours)).toBe(viemHashTypedData({ domain: { chainId: 1 }, types, primaryType: 'Node', message } as unknown as ViemParams));
  });

  it('primaryType EIP712Domain signs the domain alone', () => {
    const types = { EIP712Domain: [{ name: 'name', type: 'string' }] };
    const ours = hashTypedData({ domain: { name: 'D' }, types, primaryType: 'EIP712Domain', message: {} });
    expect(hex(ours)).toBe(viemHashTypedData({ domain: { name: 'D' }, types, primaryType: 'EIP712Domain' } as unknown as ViemParams));
  });
});

describe('typedDataHasher', () => {
  it('gives the same digests as hashTypedData', () => {
    const g = rng(5);
    const domain = { name: 'Tributary', version: '1', chainId: 31337 };
    const hasher = typedDataHasher({ domain, types: CONTRIBUTE_TYPES, primaryType: 'Contribute' });
    for (let i = 0; i < 50; i++) {
      const { ours } = contribute(g);
      expect(hasher(ours).equals(hashTypedData({ domain, types: CONTRIBUTE_TYPES, primaryType: 'Contribute', message: ours }))).toBe(true);
    }
  });

  it('does not depend on the caller keeping its types object unchanged', () => {
    const types = { T: [{ name: 'a', type: 'uint8' }] };
    const before = hashTypedData({ domain: {}, types, primaryType: 'T', message: { a: 1 } });
    types.T[0] = { name: 'a', type: 'uint16' };
    const after = hashTypedData({ domain: {}, types, primaryType: 'T', message: { a: 1 } });
    expect(before.equals(after)).toBe(false);
    expect(hex(after)).toBe(viemHashTypedData({ domain: {}, types, primaryType: 'T', message: { a: 1 } } as unknown as ViemParams));
  });
});

// ---------------------------------------------------------------------------------
// Refusals: each names the path and the reason.

describe('refused values', () => {
  const base = {
    datanet: 'wiki',
    contentHash: '0x' + '11'.repeat(32),
    size: 10,
    fileName: 'a.txt',
    nonce: '1',
    expiry: 1_700_000_000,
  };
  const domain = { name: 'Tributary', version: '1', chainId: 1 };
  const hashContribute = (message: Loose) => hashTypedData({ domain, types: CONTRIBUTE_TYPES, primaryType: 'Contribute', message });

  it.each<[string, Loose, string]>([
    ['2^64 in a uint64', { expiry: 2n ** 64n }, 'message.expiry: 18446744073709551616 does not fit uint64 (largest is 2^64-1)'],
    ['a negative uint', { size: -1 }, 'message.size: -1 is negative and does not fit uint64'],
    ['a fraction', { size: 1.5 }, 'message.size: 1.5 is not an integer (uint64)'],
    ['an unsafe number', { nonce: 2 ** 60 }, 'message.nonce: 1152921504606847000 is beyond 2^53 and may have lost precision'],
    ['a hex string where a decimal is expected', { nonce: '0x10' }, 'message.nonce: "0x10" is not a decimal integer (uint256)'],
    ['2^256', { nonce: (2n ** 256n).toString() }, 'does not fit uint256'],
    ['a boolean for an integer', { size: true }, 'message.size: expected an integer for uint64 (bigint, number or decimal string), got boolean'],
    ['31 bytes in a bytes32', { contentHash: '0x' + '11'.repeat(31) }, 'message.contentHash: 31 bytes given, bytes32 takes exactly 32'],
    ['odd hex in a bytes32', { contentHash: '0x' + '1'.repeat(63) }, 'message.contentHash: expected 0x-prefixed hex with an even number of digits'],
    ['a number for a string', { datanet: 7 }, 'message.datanet: expected a string, got number'],
    ['a lone surrogate', { fileName: 'a\ud800' }, 'message.fileName: string contains a lone UTF-16 surrogate'],
    ['a missing field', { expiry: undefined }, 'message.expiry: missing (struct Contribute requires it)'],
    ['an extra field', { extra: 1 }, 'message.extra: is not a field of struct Contribute'],
  ])('%s', (_name, change, message) => {
    const m: Loose = { ...base, ...change };
    for (const k of Object.keys(change)) if (change[k] === undefined) delete m[k];
    expect(() => hashContribute(m)).toThrow(TypedDataError);
    expect(() => hashContribute(m)).toThrow(message);
  });

  it('paths reach into nested structs and arrays', () => {
    const g = rng(3);
    const { ours } = split(g);
    const policy = ours.policy as Loose;
    const cases: Array<[Loose, string]> = [
      [{ ...ours, policy: { ...policy, approvers: [{ account: '0x' + '00'.repeat(20), weight: 256 }] } }, 'message.policy.approvers[0].weight: 256 does not fit uint8'],
      [{ ...ours, policy: { ...policy, tags: ['0x' + '00'.repeat(32)] } }, 'message.policy.tags: 1 elements given, bytes32[2] takes exactly 2'],
      [{ ...ours, policy: { ...policy, grid: [[1, -129]] } }, 'message.policy.grid[0][1]: -129 does not fit int8 (-2^7 to 2^7-1)'],
      [{ ...ours, recipients: ['0x' + '00'.repeat(20), '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'] }, 'message.recipients[1]: EIP-55 checksum mismatch'],
      [{ ...ours, recipients: 'nope' }, 'message.recipients: expected an array for address[], got string'],
      [{ ...ours, policy: [] }, 'message.policy: expected an object for struct Policy, got an array'],
      [{ ...ours, final: 'true' }, 'message.final: expected true or false for bool, got string'],
      [{ ...ours, memo: 'hello' }, 'message.memo: expected 0x-prefixed hex'],
    ];
    for (const [message, text] of cases) {
      expect(() => hashTypedData({ domain: {}, types: SPLIT_TYPES, primaryType: 'Split', message }), text).toThrow(text);
    }
  });

  it('does not take a field from Object.prototype', () => {
    const types = { T: [{ name: 'toString', type: 'string' }] };
    expect(() => hashTypedData({ domain: {}, types, primaryType: 'T', message: {} })).toThrow('message.toString: missing');
  });

  it('domain errors name the domain field', () => {
    const h = (d: unknown) => hashTypedData({ domain: d as TypedDataDomain, types: CONTRIBUTE_TYPES, primaryType: 'Contribute', message: base });
    expect(() => h({ chainId: -1 })).toThrow('domain.chainId: -1 is negative');
    expect(() => h({ verifyingContract: '0x12' })).toThrow('domain.verifyingContract: 2 hex digits, want 40 (address)');
    expect(() => h({ salt: '0x01' })).toThrow('domain.salt: 1 bytes given, bytes32 takes exactly 32');
    expect(() => h({ chain: 1 })).toThrow('domain.chain: is not an EIP712Domain field');
  });
});

describe('refused types', () => {
  const h = (types: unknown, primaryType = 'T', message: Loose = {}) =>
    hashTypedData({ domain: {}, types: types as TypedDataTypes, primaryType, message });

  it.each<[string, unknown, string, string]>([
    ['an unknown atomic type', { T: [{ name: 'a', type: 'uint65' }] }, 'T', 'types.T.a: unknown type "uint65"'],
    ['uint without a size', { T: [{ name: 'a', type: 'uint' }] }, 'T', 'types.T.a: unknown type "uint"'],
    ['bytes33', { T: [{ name: 'a', type: 'bytes33' }] }, 'T', 'unknown type "bytes33"'],
    ['a missing struct', { T: [{ name: 'p', type: 'Person[]' }] }, 'T', 'types.T.p: unknown type "Person[]"'],
    ['a malformed array', { T: [{ name: 'a', type: 'uint8[' }] }, 'T', 'types.T.a: malformed type "uint8["'],
    ['a duplicate field', { T: [{ name: 'a', type: 'bool' }, { name: 'a', type: 'bool' }] }, 'T', 'types.T.a: field is declared twice'],
    ['a field name with a comma', { T: [{ name: 'a,b', type: 'bool' }] }, 'T', 'types.T: field name "a,b" is not an identifier'],
    ['a struct that is not a list of fields', { T: [{ name: 'p', type: 'P' }], P: 5 }, 'T', 'types.P: must be an array of { name, type } fields'],
    ['an undefined primary type', { T: [] }, 'U', 'primaryType: type "U" is not defined in types'],
    ['an atomic primary type', { T: [] }, 'address', 'primaryType: address is an atomic type, not a struct'],
  ])('%s', (_name, types, primaryType, message) => {
    expect(() => h(types, primaryType)).toThrow(TypedDataError);
    expect(() => h(types, primaryType)).toThrow(message);
  });
});
