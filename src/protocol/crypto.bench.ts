// Throughput of the signature path every user action takes (EIP-712 digest, signer
// recovery) and of canonical JSON, next to the anchors they are measured against.
// Run: `npx tsx src/protocol/crypto.bench.ts`. A plain script on one thread; it must
// never be imported by production code (it pulls in viem as the comparison).
import { pathToFileURL } from 'node:url';
import { recoverTypedDataAddress } from 'viem';
import { canonicalize } from './canonical.ts';
import { type TypedDataTypes, hashTypedData, typedDataHasher } from './eip712.ts';
import { keccak256 } from './keccak.ts';
import { randomPrivateKey, recoverAddress, signDigest } from './secp256k1.ts';

export interface CryptoBenchFigures {
  /** hashTypedData with a fresh `types` object per call, as the protocol builds it. */
  hashTypedDataPerSec: number;
  /** typedDataHasher: domain separator and struct plan prepared once. */
  preparedHashPerSec: number;
  recoverAddressPerSec: number;
  /** hashTypedData + recoverAddress: one action's whole signature check. */
  verifyActionPerSec: number;
  viemRecoverTypedDataAddressPerSec: number;
  keccak256Of200BytesPerSec: number;
  canonicalizePerSec: number;
  canonicalBytes: number;
}

/** Anchors from ARCHITECTURE.md, per core, measured on this kind of machine. */
export const ANCHORS = {
  viemVerifyPerSec: 500,
  nativeRecoverPerSec: 16_000,
  nativeKeccakPerSec: 270_000,
  targetVerifyPerSec2Cores: 2_000,
};

const contributeFields = [
  { name: 'datanet', type: 'string' },
  { name: 'contentHash', type: 'bytes32' },
  { name: 'size', type: 'uint64' },
  { name: 'fileName', type: 'string' },
  { name: 'nonce', type: 'uint256' },
  { name: 'expiry', type: 'uint64' },
];
const domain = { name: 'Tributary', version: '1', chainId: 31337 };

function message(i: number) {
  return {
    datanet: 'wikipedia-fr',
    contentHash: '0x' + i.toString(16).padStart(64, '0'),
    size: 1_048_576 + i,
    fileName: `articles/part-${i}.jsonl`,
    nonce: (123456789012345678901234567890n + BigInt(i)).toString(),
    expiry: 1_760_000_000 + i,
  };
}

/** Calls `fn` repeatedly for about `seconds` (after a short warm-up) and returns calls per second. */
async function rate(seconds: number, fn: (i: number) => unknown | Promise<unknown>, isAsync = false): Promise<number> {
  const warm = performance.now() + Math.min(200, seconds * 200);
  let i = 0;
  while (performance.now() < warm) {
    if (isAsync) await fn(i++);
    else fn(i++);
  }
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  // Check the clock every 64 calls so that reading it costs nothing measurable.
  while (true) {
    for (let k = 0; k < 64; k++, n++) {
      if (isAsync) await fn(i++);
      else fn(i++);
    }
    const now = performance.now();
    if (now >= end) return (n * 1000) / (now - start);
  }
}

export async function runCryptoBench(options: { seconds?: number } = {}): Promise<CryptoBenchFigures> {
  const seconds = options.seconds ?? 1;
  const key = randomPrivateKey();
  const POOL = 256;
  const messages = Array.from({ length: POOL }, (_, i) => message(i));
  const typesFor = (): TypedDataTypes => ({ Contribute: contributeFields.map((f) => ({ ...f })) });
  const digests = messages.map((m) => hashTypedData({ domain, types: typesFor(), primaryType: 'Contribute', message: m }));
  const signatures = digests.map((d) => signDigest(key, d));
  const hasher = typedDataHasher({ domain, types: typesFor(), primaryType: 'Contribute' });

  const hashTypedDataPerSec = await rate(seconds, (i) =>
    hashTypedData({ domain, types: typesFor(), primaryType: 'Contribute', message: messages[i % POOL] }),
  );
  const preparedHashPerSec = await rate(seconds, (i) => hasher(messages[i % POOL]));
  const recoverAddressPerSec = await rate(seconds, (i) => recoverAddress(digests[i % POOL], signatures[i % POOL]));
  const verifyActionPerSec = await rate(seconds, (i) => {
    const d = hashTypedData({ domain, types: typesFor(), primaryType: 'Contribute', message: messages[i % POOL] });
    return recoverAddress(d, signatures[i % POOL]);
  });
  const viemRecoverTypedDataAddressPerSec = await rate(
    seconds,
    (i) =>
      recoverTypedDataAddress({
        domain,
        types: { Contribute: contributeFields },
        primaryType: 'Contribute',
        message: { ...messages[i % POOL], nonce: BigInt(messages[i % POOL].nonce), size: BigInt(messages[i % POOL].size), expiry: BigInt(messages[i % POOL].expiry) },
        signature: signatures[i % POOL] as `0x${string}`,
      }),
    true,
  );
  const block = Buffer.alloc(200, 0xab);
  const keccak256Of200BytesPerSec = await rate(seconds, () => keccak256(block));

  // A sequenced action as it enters a log entry (~300 bytes canonical), less the signature.
  const entry = {
    index: 123456,
    time: 1_760_000_123_456,
    action: { type: 'Contribute', ...message(7) },
    signer: '0x' + 'ab'.repeat(20),
  };
  const canonicalBytes = Buffer.byteLength(canonicalize(entry), 'utf8');
  const canonicalizePerSec = await rate(seconds, () => canonicalize(entry));

  return {
    hashTypedDataPerSec,
    preparedHashPerSec,
    recoverAddressPerSec,
    verifyActionPerSec,
    viemRecoverTypedDataAddressPerSec,
    keccak256Of200BytesPerSec,
    canonicalizePerSec,
    canonicalBytes,
  };
}

function print(f: CryptoBenchFigures): void {
  const n = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);
  const rows: Array<[string, number, string]> = [
    ['hashTypedData (Contribute)', f.hashTypedDataPerSec, ''],
    ['typedDataHasher (prepared)', f.preparedHashPerSec, ''],
    ['recoverAddress (native)', f.recoverAddressPerSec, `anchor: native secp256k1 ~${ANCHORS.nativeRecoverPerSec.toLocaleString('en-US')}/s`],
    ['hash + recover (one action)', f.verifyActionPerSec, `target: ${ANCHORS.targetVerifyPerSec2Cores.toLocaleString('en-US')}/s on 2 cores over HTTP`],
    ['viem recoverTypedDataAddress', f.viemRecoverTypedDataAddressPerSec, `anchor: viem/noble ~${ANCHORS.viemVerifyPerSec}/s`],
    ['keccak256 (200 bytes)', f.keccak256Of200BytesPerSec, `anchor: native keccak ~${ANCHORS.nativeKeccakPerSec.toLocaleString('en-US')}/s`],
    [`canonicalize (${f.canonicalBytes}-byte entry)`, f.canonicalizePerSec, ''],
  ];
  console.log('crypto, one thread, calls per second');
  for (const [name, value, anchor] of rows) console.log(`  ${name.padEnd(32)} ${n(value)}/s   ${anchor}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  print(await runCryptoBench());
}
