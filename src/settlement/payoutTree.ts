// The epoch payout tree: the threaded builder of whole trees in the payout format
// (payoutFormat.ts: leaf encoding, errors, proof verifier), built so that its root, its
// proofs and its layout agree byte for byte with OpenZeppelin's
// `StandardMerkleTree.of(values, ["address", "uint256"])`, and therefore with
// `MerkleProof.verify` in the PayoutDistributor contract. It is a fast builder of that
// published format (the library takes ~16 s for 100k leaves). It must never change the
// format (leaf encoding, double hashing, sorted pairs, leaf order, array layout): every
// claim already published on-chain depends on it.
//
// The layout, as the library defines it and the tests check against it:
//   layout = a complete binary tree in one array of 2n−1 hashes, node i's children at
//            2i+1 and 2i+2, root at 0; the leaves fill positions n−1 … 2n−2, the
//            smallest leaf hash last (leaves sorted ascending, placed from the end).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { keccak256 } from '../protocol/keccak.ts';
import {
  checkAccount,
  checkAmount,
  DuplicatePayoutAccountError,
  EmptyPayoutTreeError,
  encodeLeaf,
  type PayoutLeaf,
  PayoutTreeError,
  UnknownPayoutAccountError,
  writeLowerAddress,
  writeUint256,
} from './payoutFormat.ts';

export interface BuildPayoutTreeOptions {
  /**
   * Threads that hash, this one included. Keccak through the native add-on costs ~1.5–2 µs
   * a call here, nearly all of it call overhead (three native calls and a new Buffer), so
   * a million-leaf tree (3 million hashes) wants more than one core. A worker takes ~0.3 s
   * to start (it loads TypeScript through tsx), hence the threshold. Default: every core
   * (at most 8) from PARALLEL_MIN_LEAVES leaves up, else 1. Any value gives the same tree.
   */
  threads?: number;
  /** Leaves or nodes a thread takes at a time. Smaller only to exercise the threads in tests. */
  chunk?: number;
  /**
   * Wait (up to 10 s) until every worker has started before hashing. Off by default,
   * because this thread does not need them to start: it hashes meanwhile, and late
   * workers simply find less to do. Tests use it to make sure the workers take part.
   */
  awaitWorkers?: boolean;
}

/** How a build went: where the time was spent, and whether the workers took part. */
export interface PayoutTreeBuildStats {
  leaves: number;
  threads: number;
  /** Workers that hashed at least one chunk (0 when the build ran on one thread). */
  workersJoined: number;
  /**
   * Wall-clock phases on the calling thread. With workers, leaf hashing starts during
   * encodeMs and accountSortMs; leafHashMs is what is left of it afterwards.
   */
  encodeMs: number;
  /** Ordering the accounts for the duplicate check and for look-ups. */
  accountSortMs: number;
  leafHashMs: number;
  /** Ordering the leaf hashes and placing them in the tree. */
  leafSortMs: number;
  nodeHashMs: number;
  totalMs: number;
}

/** From this many leaves up, a build uses worker threads unless told otherwise. */
export const PARALLEL_MIN_LEAVES = 200_000;
const MAX_DEFAULT_THREADS = 8;
const DEFAULT_CHUNK = 2048;

export class PayoutTreeWorkerError extends PayoutTreeError {
  override readonly name = 'PayoutTreeWorkerError';
}

// ---------------------------------------------------------------------------------------
// Hashing kernels, shared by this thread and the workers. They trust their inputs.

/** leaf[i] = keccak256(keccak256(enc[i])) for i in [from, to); enc holds 64 bytes a leaf. */
function hashLeafRange(enc: Buffer, out: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    keccak256(keccak256(enc.subarray(i * 64, i * 64 + 64))).copy(out, i * 32);
  }
}

/** node[i] = keccak256(sorted(node[2i+1], node[2i+2])) for i in [from, to). */
function hashNodeRange(nodes: Buffer, scratch: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const l = (2 * i + 1) * 32;
    const r = l + 32;
    // Siblings sit side by side, so when they are already in order the 64 bytes to hash
    // are in place; a 4-byte compare settles the order almost always without a native call.
    const a = nodes.readUInt32BE(l);
    const b = nodes.readUInt32BE(r);
    const inOrder = a !== b ? a < b : compareBytes(nodes, l, r, 32) <= 0;
    let h: Buffer;
    if (inOrder) h = keccak256(nodes.subarray(l, l + 64));
    else {
      nodes.copy(scratch, 0, r, r + 32);
      nodes.copy(scratch, 32, l, l + 32);
      h = keccak256(scratch);
    }
    h.copy(nodes, i * 32);
  }
}

/** Internal-node levels, deepest first, as [from, to) ranges of the array layout. */
function internalLevels(n: number): Array<[number, number]> {
  const levels: Array<[number, number]> = [];
  if (n < 2) return levels;
  // Nodes 0 … n−2 are internal; depth d holds array indices 2^d−1 … 2^(d+1)−2.
  const deepest = Math.floor(Math.log2(n - 1));
  for (let d = deepest; d >= 0; d--) levels.push([2 ** d - 1, Math.min(2 ** (d + 1) - 1, n - 1)]);
  return levels;
}

// ---------------------------------------------------------------------------------------
// Worker threads. They share the encoded leaves and the node array (SharedArrayBuffers)
// and take chunks from atomic counters, so a build stays synchronous: this thread hashes
// too and blocks on Atomics.wait only until the last chunk is in. Nothing travels by
// message, so a blocked event loop does not matter.

// Control words (Int32Array over a SharedArrayBuffer).
const GEN = 0; // what the workers should do now: IDLE, LEAVES, EXIT or a level number
const LEAF_NEXT = 1;
const LEAF_DONE = 2;
const READY = 3;
const JOINED = 4;
const ERROR = 5;
const BOOT_FAILED = 6;
const ENCODED = 7; // leaves 0 … ENCODED−1 are encoded and may be hashed
const LEVEL_BASE = 8; // level d: next at LEVEL_BASE + 2d, done at LEVEL_BASE + 2d + 1
const CTL_WORDS = LEVEL_BASE + 2 * 34;
// After the words: a failed worker's error text (UTF-8), for the error this thread throws.
const CTL_BYTES = CTL_WORDS * 4 + 1024;
const IDLE = -1;
const LEAVES = -2;
const EXIT = -3;

interface WorkerShared {
  ctl: SharedArrayBuffer;
  enc: SharedArrayBuffer;
  leaves: SharedArrayBuffer;
  nodes: SharedArrayBuffer;
  n: number;
  chunk: number;
}

/**
 * Takes chunks of [from, to) from the counter at `next` until none is left; returns how
 * many it took, or −1 when the build ended (EXIT) while it waited for input.
 */
function takeChunks(ctl: Int32Array, next: number, done: number, from: number, to: number, chunk: number, work: (s: number, e: number) => void, inputReady?: number): number {
  let taken = 0;
  for (;;) {
    const s = from + Atomics.add(ctl, next, chunk);
    if (s >= to) return taken;
    const e = Math.min(s + chunk, to);
    // Leaf chunks may run ahead of the encoding on the main thread: wait for it.
    if (inputReady !== undefined) {
      for (let have = Atomics.load(ctl, inputReady); have < e; have = Atomics.load(ctl, inputReady)) {
        if (Atomics.load(ctl, GEN) === EXIT) return -1;
        Atomics.wait(ctl, inputReady, have);
      }
    }
    work(s, e);
    taken++;
    Atomics.add(ctl, done, e - s);
    Atomics.notify(ctl, done);
  }
}

/**
 * Entry point of a payout-tree worker thread (called by the boot code in `startWorkers`).
 * Not for other callers: it serves one build and returns when that build ends.
 */
export function runPayoutTreeWorker(shared: WorkerShared): void {
  const ctl = new Int32Array(shared.ctl);
  const enc = Buffer.from(shared.enc);
  const leaves = Buffer.from(shared.leaves);
  const nodes = Buffer.from(shared.nodes);
  const scratch = Buffer.alloc(64);
  const levels = internalLevels(shared.n);
  let joined = false;
  let seen = IDLE;
  Atomics.add(ctl, READY, 1);
  Atomics.notify(ctl, READY);
  try {
    for (;;) {
      const g = Atomics.load(ctl, GEN);
      if (g === EXIT) return;
      if (g === seen) {
        Atomics.wait(ctl, GEN, g);
        continue;
      }
      seen = g;
      let taken = 0;
      if (g === LEAVES) {
        taken = takeChunks(ctl, LEAF_NEXT, LEAF_DONE, 0, shared.n, shared.chunk, (s, e) => hashLeafRange(enc, leaves, s, e), ENCODED);
      } else if (g >= 0) {
        const [from, to] = levels[levels.length - 1 - g];
        taken = takeChunks(ctl, LEVEL_BASE + 2 * g, LEVEL_BASE + 2 * g + 1, from, to, shared.chunk, (s, e) => hashNodeRange(nodes, scratch, s, e));
      }
      if (taken < 0) return;
      if (taken > 0 && !joined) {
        joined = true;
        Atomics.add(ctl, JOINED, 1);
      }
    }
  } catch (e) {
    Buffer.from(shared.ctl).write(String((e as Error)?.stack ?? e), CTL_WORDS * 4, CTL_BYTES - CTL_WORDS * 4 - 1, 'utf8');
    Atomics.store(ctl, ERROR, 1);
    for (let w = 0; w < CTL_WORDS; w++) Atomics.notify(ctl, w);
    throw e;
  }
}

/** The boot code: plain CommonJS, because a worker does not inherit this thread's TypeScript loader. */
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
  const m = await import(workerData.moduleUrl);
  m.runPayoutTreeWorker(workerData.shared);
})().catch((e) => {
  // Failing to start costs only this worker's help; failing mid-chunk (ERROR) fails the build.
  const ctl = new Int32Array(workerData.shared.ctl);
  if (Atomics.load(ctl, ${ERROR}) === 0) { Atomics.add(ctl, ${BOOT_FAILED}, 1); Atomics.notify(ctl, ${READY}); }
  throw e;
});
`;

/** File URL of tsx's ESM register API, from tsx's own exports map. */
function tsxEsmApiUrl(from: string): string {
  // Its CommonJS twin cannot find its loader from an eval'd worker, so take the ESM entry.
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
}

function startWorkers(count: number, shared: WorkerShared): void {
  const moduleUrl = import.meta.url;
  // Under tsx or vitest this file is TypeScript; a worker has to register tsx itself.
  const tsxApi = moduleUrl.endsWith('.ts') ? tsxEsmApiUrl(moduleUrl) : undefined;
  for (let i = 0; i < count; i++) {
    const w = new Worker(BOOT, { eval: true, workerData: { tsxApi, moduleUrl, shared } });
    // A failed worker only takes no chunks; the ERROR word tells this thread if it failed mid-chunk.
    w.on('error', () => {});
    // The workers leave on EXIT; they must never keep the process alive meanwhile.
    w.unref();
  }
}

/** Blocks until ctl[word] reaches `target`, hashing nothing; throws if a worker failed. */
function waitFor(ctl: Int32Array, word: number, target: number): void {
  for (;;) {
    const v = Atomics.load(ctl, word);
    if (v >= target) return;
    if (Atomics.load(ctl, ERROR) !== 0) {
      const text = Buffer.from(ctl.buffer).toString('utf8', CTL_WORDS * 4).replace(/\0+$/, '');
      throw new PayoutTreeWorkerError(`a payout tree worker thread failed during the build: ${text}`);
    }
    Atomics.wait(ctl, word, v, 1000);
  }
}

/** Sign of buf[x, x+len) − buf[y, y+len), bytewise. */
function compareBytes(buf: Buffer, x: number, y: number, len: number): number {
  // Buffer#compare compares its source range (the last two arguments) with the target's.
  return buf.compare(buf, y, y + len, x, x + len);
}

/**
 * Indices 0 … n−1 of the records `buf[i·stride + off, +len)`, ordered by their 32-bit
 * big-endian word at `keyOff` within the record and then by all `len` bytes; stable.
 * A least-significant-digit radix sort on that word orders almost everything in two
 * linear passes; the records that share it are then ordered by their bytes.
 * Exported for its tests only: hashes share a key word too rarely to test that path.
 */
export function sortRecords(buf: Buffer, n: number, stride: number, off: number, len: number, keyOff: number): Uint32Array {
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = buf.readUInt32BE(i * stride + keyOff);
  const tmp = new Uint32Array(n);
  const out = new Uint32Array(n);
  const count = new Uint32Array(65536);
  for (let i = 0; i < n; i++) count[keys[i] & 0xffff]++;
  for (let b = 0, sum = 0; b < 65536; b++) [count[b], sum] = [sum, sum + count[b]];
  for (let i = 0; i < n; i++) tmp[count[keys[i] & 0xffff]++] = i;
  count.fill(0);
  for (let i = 0; i < n; i++) count[keys[i] >>> 16]++;
  for (let b = 0, sum = 0; b < 65536; b++) [count[b], sum] = [sum, sum + count[b]];
  for (let j = 0; j < n; j++) {
    const i = tmp[j];
    out[count[keys[i] >>> 16]++] = i;
  }
  const cmp = (a: number, b: number): number => compareBytes(buf, a * stride + off, b * stride + off, len) || a - b;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && keys[out[e]] === keys[out[s]]) e++;
    // Equal words are rare for hashes but common for chosen data (vanity or sequential
    // addresses), so a long run gets a proper sort rather than an insertion sort.
    if (e - s > 1) out.set(Array.from(out.subarray(s, e)).sort(cmp), s);
    s = e;
  }
  return out;
}

const hex = (b: Buffer, off: number): string => `0x${b.toString('hex', off, off + 32)}`;

/** A zero-filled buffer and a 32-bit view of the same memory, shared with workers when asked. */
function allocate(bytes: number, shared: boolean): { buf: Buffer; words: Uint32Array; sab?: SharedArrayBuffer } {
  const mem = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return { buf: Buffer.from(mem), words: new Uint32Array(mem), sab: shared ? (mem as SharedArrayBuffer) : undefined };
}

export class PayoutTree {
  /** Root of the tree, 0x lowercase hex: the value the PayoutDistributor stores. */
  readonly root: string;
  /** Number of leaves (accounts). */
  readonly size: number;
  readonly stats: PayoutTreeBuildStats;

  private constructor(
    // All 2n−1 node hashes in the library's array layout, 32 bytes each.
    private readonly nodes: Buffer,
    // The 64-byte ABI encoding of each leaf, in input order: it holds the accounts and
    // amounts, so no JavaScript string or bigint per leaf outlives the build.
    private readonly enc: Buffer,
    // Input indices ordered by account (see ACCOUNT_ORDER): the account → leaf index.
    private readonly byAccount: Uint32Array,
    // Input index → position of its leaf in `nodes`.
    private readonly positions: Uint32Array,
    stats: PayoutTreeBuildStats,
  ) {
    this.size = positions.length;
    this.root = hex(nodes, 0);
    this.stats = stats;
  }

  /**
   * Builds the tree of `leaves` (any order; the tree sorts them by hash as the library
   * does). Throws EmptyPayoutTreeError, PayoutAddressError, PayoutAmountError or
   * DuplicatePayoutAccountError (accounts compare case-insensitively).
   */
  static build(leaves: readonly PayoutLeaf[], options: BuildPayoutTreeOptions = {}): PayoutTree {
    const t0 = performance.now();
    const n = leaves.length;
    if (n === 0) throw new EmptyPayoutTreeError();
    const threads = Math.max(1, Math.floor(options.threads ?? (n >= PARALLEL_MIN_LEAVES ? Math.min(availableParallelism(), MAX_DEFAULT_THREADS) : 1)));
    const chunk = Math.max(1, Math.floor(options.chunk ?? DEFAULT_CHUNK));
    const parallel = threads > 1;

    // Zero-filled memory, which the ABI encoding relies on for its padding.
    const enc = allocate(n * 64, parallel);
    const leafHashes = allocate(n * 32, parallel);
    const nodes = allocate((2 * n - 1) * 32, parallel);
    const ctl = new Int32Array(new SharedArrayBuffer(CTL_BYTES));
    ctl[GEN] = IDLE;
    const shared: WorkerShared | undefined = parallel
      ? { ctl: ctl.buffer as SharedArrayBuffer, enc: enc.sab!, leaves: leafHashes.sab!, nodes: nodes.sab!, n, chunk }
      : undefined;
    // Start the workers first: their start-up overlaps the encoding below.
    if (shared) startWorkers(threads - 1, shared);

    try {
      if (shared && options.awaitWorkers) {
        const deadline = Date.now() + 10_000;
        while (Atomics.load(ctl, READY) + Atomics.load(ctl, BOOT_FAILED) < threads - 1 && Date.now() < deadline) {
          Atomics.wait(ctl, READY, Atomics.load(ctl, READY), 100);
        }
      }
      // The workers hash each chunk as soon as it is encoded, so the encoding, which only
      // this thread can do (the leaves are its objects), overlaps their hashing.
      if (shared) {
        Atomics.store(ctl, GEN, LEAVES);
        Atomics.notify(ctl, GEN);
      }
      for (let i = 0; i < n; i++) {
        const leaf = leaves[i] as PayoutLeaf | undefined;
        const account: unknown = leaf?.account;
        // Lowercase needs no checking beyond its shape; other spellings go through address.ts.
        if (typeof account !== 'string' || !writeLowerAddress(enc.buf, i * 64 + 12, account)) {
          writeLowerAddress(enc.buf, i * 64 + 12, checkAccount(account, i));
        }
        writeUint256(enc.buf, i * 64 + 32, checkAmount(leaf!.amount, i));
        if (shared && ((i + 1) % chunk === 0 || i + 1 === n)) {
          Atomics.store(ctl, ENCODED, i + 1);
          Atomics.notify(ctl, ENCODED);
        }
      }
      const t1 = performance.now();
      const byAccount = sortRecords(enc.buf, n, 64, ...ACCOUNT_ORDER);
      checkDistinctAccounts(enc.buf, byAccount);
      const t2 = performance.now();

      if (shared) {
        takeChunks(ctl, LEAF_NEXT, LEAF_DONE, 0, n, chunk, (s, e) => hashLeafRange(enc.buf, leafHashes.buf, s, e));
        waitFor(ctl, LEAF_DONE, n);
      } else hashLeafRange(enc.buf, leafHashes.buf, 0, n);
      const t3 = performance.now();

      const order = sortRecords(leafHashes.buf, n, 32, 0, 32, 0);
      const positions = new Uint32Array(n);
      const from = leafHashes.words;
      const to = nodes.words;
      // Ascending rank r goes to position 2n−2−r: the library fills its array from the end.
      for (let r = 0; r < n; r++) {
        const i = order[r];
        const pos = 2 * n - 2 - r;
        for (let k = 0; k < 8; k++) to[pos * 8 + k] = from[i * 8 + k];
        positions[i] = pos;
      }
      const t4 = performance.now();

      const scratch = Buffer.alloc(64);
      const levels = internalLevels(n);
      for (let k = 0; k < levels.length; k++) {
        const [from, to] = levels[k];
        const d = levels.length - 1 - k;
        // Small levels cost less than waking the workers.
        if (!shared || to - from < 2 * chunk) {
          hashNodeRange(nodes.buf, scratch, from, to);
          continue;
        }
        Atomics.store(ctl, GEN, d);
        Atomics.notify(ctl, GEN);
        takeChunks(ctl, LEVEL_BASE + 2 * d, LEVEL_BASE + 2 * d + 1, from, to, chunk, (s, e) => hashNodeRange(nodes.buf, scratch, s, e));
        waitFor(ctl, LEVEL_BASE + 2 * d + 1, to - from);
      }
      const t5 = performance.now();

      const stats: PayoutTreeBuildStats = {
        leaves: n,
        threads,
        workersJoined: Atomics.load(ctl, JOINED),
        encodeMs: t1 - t0,
        accountSortMs: t2 - t1,
        leafHashMs: t3 - t2,
        leafSortMs: t4 - t3,
        nodeHashMs: t5 - t4,
        totalMs: t5 - t0,
      };
      return new PayoutTree(nodes.buf, enc.buf, byAccount, positions, stats);
    } finally {
      Atomics.store(ctl, GEN, EXIT);
      Atomics.notify(ctl, GEN);
      // Workers waiting for leaves that will never be encoded (a bad leaf) wait here.
      Atomics.notify(ctl, ENCODED);
    }
  }

  /** True when the tree holds a leaf for `account` (any case). Throws PayoutAddressError. */
  has(account: string): boolean {
    return this.find(checkAccount(account, -1)) >= 0;
  }

  /** The cumulative amount in the leaf of `account`. Throws UnknownPayoutAccountError. */
  amount(account: string): bigint {
    const off = this.lookup(account) * 64;
    return BigInt(`0x${this.enc.toString('hex', off + 32, off + 64)}`);
  }

  /** The leaf hash of `account`, 0x hex, as `StandardMerkleTree.leafHash` gives it. */
  leafHash(account: string): string {
    return hex(this.nodes, this.positions[this.lookup(account)] * 32);
  }

  /** Sibling hashes from the leaf of `account` up to the root, as `getProof` gives them. O(log n). */
  proof(account: string): string[] {
    let pos = this.positions[this.lookup(account)];
    const proof: string[] = [];
    while (pos > 0) {
      proof.push(hex(this.nodes, (pos & 1 ? pos + 1 : pos - 1) * 32));
      pos = (pos - 1) >> 1;
    }
    return proof;
  }

  /** Every (account, amount) in input order, accounts lowercase. */
  *entries(): IterableIterator<PayoutLeaf> {
    for (let i = 0; i < this.size; i++) {
      const off = i * 64;
      yield { account: `0x${this.enc.toString('hex', off + 12, off + 32)}`, amount: BigInt(`0x${this.enc.toString('hex', off + 32, off + 64)}`) };
    }
  }

  private lookup(account: string): number {
    const normal = checkAccount(account, -1);
    const i = this.find(normal);
    if (i < 0) throw new UnknownPayoutAccountError(normal);
    return i;
  }

  /** Binary search of `byAccount` in ACCOUNT_ORDER: the input index of `account`, or −1. */
  private find(account: string): number {
    const probe = Buffer.alloc(64);
    encodeLeaf(probe, 0, account, 0n);
    const [off, len, keyOff] = ACCOUNT_ORDER;
    const key = probe.readUInt32BE(keyOff);
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const i = this.byAccount[mid];
      const k = this.enc.readUInt32BE(i * 64 + keyOff);
      // Sign of (stored − probe): Buffer#compare compares its source range with the target's.
      const c = k !== key ? (k < key ? -1 : 1) : this.enc.compare(probe, off, off + len, i * 64 + off, i * 64 + off + len);
      if (c === 0) return i;
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}

/**
 * How accounts are ordered for duplicate checks and look-ups, as [offset, length, key
 * word offset] within a leaf's encoding: by the address's last 4 bytes, then all 20.
 * The last bytes rather than the first, because vanity and small sequential addresses
 * share their leading bytes and would leave the radix sort nothing to sort on.
 */
const ACCOUNT_ORDER = [12, 20, 28] as const;

/** Throws DuplicatePayoutAccountError for the first leaf (in input order) whose account came before. */
function checkDistinctAccounts(enc: Buffer, byAccount: Uint32Array): void {
  const [off, len] = ACCOUNT_ORDER;
  let found: [number, number] | undefined;
  const keyOff = ACCOUNT_ORDER[2];
  for (let s = 0; s < byAccount.length; ) {
    let e = s + 1;
    // Equal accounts have equal key words; comparing those first spares a native call per leaf.
    while (
      e < byAccount.length &&
      enc.readUInt32BE(byAccount[s] * 64 + keyOff) === enc.readUInt32BE(byAccount[e] * 64 + keyOff) &&
      compareBytes(enc, byAccount[s] * 64 + off, byAccount[e] * 64 + off, len) === 0
    ) {
      e++;
    }
    // The sort is stable, so a run of equal accounts is in input order: its first two
    // indices are the first occurrence and the first repeat.
    if (e - s > 1 && (!found || byAccount[s + 1] < found[1])) found = [byAccount[s], byAccount[s + 1]];
    s = e;
  }
  if (found) throw new DuplicatePayoutAccountError(`0x${enc.toString('hex', found[0] * 64 + off, found[0] * 64 + off + len)}`, found[0], found[1]);
}

/** The leaf hash of `(account, amount)`: keccak256(keccak256(abi.encode(account, amount))). */
