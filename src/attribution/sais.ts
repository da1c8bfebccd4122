// Suffix array construction by induced sorting (SA-IS: Nong, Zhang & Chan 2009), over token
// ids, for the Proof of Attribution index. It is the build-time hot path, so it works on typed
// arrays only and allocates nothing inside its hot loops. Two steps go beyond the paper, both
// for ties between equal LMS substrings: when only a few repeat, they are broken by comparing
// suffixes directly; when many do, the reduced string is sorted by prefix doubling, which on
// token text needs only a few rounds. Each runs under a linear work budget, and the SA-IS
// recursion remains for text that repeats long stretches. It must never depend on a sentinel
// in the caller's text (the end of text is a virtual symbol smaller than all others), never
// recurse deeper than the SA-IS levels themselves (logarithmic), and never read outside [0, n).
export type TokenText = Uint16Array | Uint32Array;

/** Text as seen by one level: the caller's ids at the top, Int32 names in the recursion. */
type LevelText = Uint16Array | Uint32Array | Int32Array;

/** Reports progress to the caller; `total` is an estimate of the work, fixed at the start. */
interface Progress {
  done: number;
  total: number;
  report: ((done: number, total: number) => void) | undefined;
}

/**
 * The suffix array of `text`: the start positions of all suffixes in lexicographic order (a
 * shorter suffix that is a prefix of a longer one sorts first). Ids must lie in
 * [0, alphabetSize); a RangeError says which bound was broken.
 */
export function suffixArray(
  text: TokenText,
  alphabetSize: number,
  onProgress?: (done: number, total: number) => void,
): Int32Array {
  const n = text.length;
  if (!Number.isInteger(alphabetSize) || alphabetSize < 1 || alphabetSize > 0xffffffff) {
    throw new RangeError(`alphabetSize must be an integer in [1, 2^32-1], got ${alphabetSize}`);
  }
  if (n > 0x7fffffff) {
    throw new RangeError(`text of ${n} tokens is too long: suffix positions are Int32, at most 2^31-1 tokens`);
  }
  const SA = new Int32Array(n);
  // The levels below the top add up to less than the top (each is at most half the one above).
  const progress: Progress = { done: 0, total: 2 * n, report: onProgress };
  if (n === 0) {
    onProgress?.(0, 0);
    return SA;
  }
  let T: LevelText = text;
  let K = alphabetSize;
  if (K > n) {
    // Bucket arrays are sized by the alphabet: rank the symbols that occur so memory stays O(n).
    // (This also brings every id below 2^31, which the branch-free type tests rely on.)
    const ranked = rankSymbols(text, alphabetSize);
    T = ranked.text;
    K = ranked.alphabetSize;
  }
  sortLevel(T, SA, n, K, progress);
  onProgress?.(progress.total, progress.total);
  return SA;
}

/** Replaces each id by its rank among the distinct ids of `text`; checks ids against `alphabetSize`. */
function rankSymbols(text: TokenText, alphabetSize: number): { text: Int32Array; alphabetSize: number } {
  const n = text.length;
  const sorted = Uint32Array.from(text);
  sorted.sort();
  if (sorted[n - 1] >= alphabetSize) {
    throw new RangeError(`token id ${sorted[n - 1]} is outside the alphabet [0, ${alphabetSize})`);
  }
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i];
  const ranked = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = text[i];
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < c) lo = mid + 1;
      else hi = mid;
    }
    ranked[i] = lo;
  }
  return { text: ranked, alphabetSize: distinct };
}

function tick(progress: Progress, amount: number): void {
  progress.done += amount;
  if (progress.report !== undefined) progress.report(Math.min(progress.done, progress.total), progress.total);
}

/** Start (`end` false) or one past the end (`end` true) of each symbol's bucket. */
function bucketBounds(C: Int32Array, B: Int32Array, K: number, end: boolean): void {
  let sum = 0;
  if (end) {
    for (let c = 0; c < K; c++) {
      sum += C[c];
      B[c] = sum;
    }
  } else {
    for (let c = 0; c < K; c++) {
      B[c] = sum;
      sum += C[c];
    }
  }
}

/**
 * Sorts the suffixes of T[0..n) into SA[0..n), which must hold zeros. T's symbols are in
 * [0, K), K < 2^31. Suffix i is S-type when it is smaller than suffix i+1, L-type when larger;
 * the last suffix is L (it is larger than the virtual empty suffix after it), and an LMS
 * position is an S right after an L.
 *
 * The induction passes need no type array: an entry in SA is stored negated (~j) exactly when
 * its predecessor j-1 is to be induced by the S pass, and non-negative when the L pass induces
 * j-1 (or when nothing is to be induced from it). The type of j-1 follows from T[j-1], T[j]
 * and the type of j, which is known where j is written.
 *
 * Each hot loop lives in its own small function, so that V8 optimises it on its own as soon
 * as it runs, rather than recompiling this whole function once per loop.
 */
function sortLevel(T: LevelText, SA: Int32Array, n: number, K: number, progress: Progress): void {
  if (n === 1) {
    if (T[0] >= K) throw new RangeError(`token id ${T[0]} is outside the alphabet [0, ${K})`);
    SA[0] = 0;
    tick(progress, 1);
    return;
  }
  const C = new Int32Array(K);
  const B = new Int32Array(K);

  // Stage 1: sort the LMS substrings, placing the LMS positions in text order at bucket ends.
  const lmsBits = new Int32Array((n >>> 5) + 1);
  const m = findLms(T, C, n, lmsBits);
  checkCounts(T, C, n, K);
  bucketBounds(C, B, K, true);
  placeLms(T, SA, B, lmsBits);
  // With a small alphabet, remember how many LMS positions each bucket holds (tail minus
  // pointer), so that stage 3 can place the sorted ones without reading T at random.
  const lmsEnd = K <= n >> 3 ? B.slice() : undefined;
  if (m > 0) {
    induceL(T, SA, C, B, n, K, true);
    induceS(T, SA, C, B, n, K, true);
  }
  tick(progress, n >> 2);

  if (m > 0) {
    // Stage 2: the LMS positions, sorted by LMS substring, move to SA[0..m).
    compactLms(SA, n);
    const names = nameLmsSubstrings(T, SA, n, m, lmsBits);
    tick(progress, n >> 3);
    // Equal LMS substrings (ties) are ordered by the suffixes that follow them. When they are
    // few, compare those suffixes directly; else, or when that turns out costly, sort the
    // reduced string (one name per LMS substring).
    let sorted = names === m;
    if (!sorted && (m - names) * 4 <= m) sorted = sortTiesDirectly(T, SA, n, m, n);
    if (!sorted) sortReducedSuffixes(SA, n, m, lmsBits, progress);
    tick(progress, n >> 3);
    // Stage 3: the sorted LMS suffixes go to their bucket ends, in order.
    SA.fill(0, m, n);
    if (lmsEnd !== undefined) placeSortedLmsByCounts(SA, C, lmsEnd, n, m, K);
    else placeSortedLms(T, SA, C, B, m, K);
  } else {
    tick(progress, n >> 2);
  }
  induceL(T, SA, C, B, n, K, false);
  induceS(T, SA, C, B, n, K, false);
  tick(progress, n >> 1);
}

/** Reports an id at or beyond K, found by its missing count (a typed array drops it). */
function checkCounts(T: LevelText, C: Int32Array, n: number, K: number): void {
  let sum = 0;
  for (let c = 0; c < K; c++) sum += C[c];
  if (sum !== n) {
    let i = 0;
    while (T[i] >= 0 && T[i] < K) i++;
    throw new RangeError(`token id ${T[i]} at position ${i} is outside the alphabet [0, ${K})`);
  }
}

/**
 * Sets the bit of each LMS position in `lmsBits` (bit p & 31 of word p >>> 5), and returns
 * their number. Types are computed without branches, the text being read in order.
 */
function findLms(T: LevelText, C: Int32Array, n: number, lmsBits: Int32Array): number {
  let m = 0;
  let cNext = T[n - 1];
  C[cNext]++;
  let sNext = 0; // the last suffix is L
  let word = 0;
  for (let i = n - 2; i >= 0; i--) {
    const c = T[i];
    C[c]++;
    // S when smaller than the next symbol, or equal to it and the next is S (ids < 2^31).
    const s = ((c - cNext) >>> 31) | ((((c ^ cNext) - 1) >>> 31) & sNext);
    const lms = sNext & (s ^ 1); // i + 1 is S, i is L
    const p = i + 1;
    word |= lms << (p & 31);
    if ((p & 31) === 0) {
      lmsBits[p >>> 5] = word;
      word = 0;
    }
    m += lms;
    sNext = s;
    cNext = c;
  }
  lmsBits[0] |= word;
  return m;
}

/**
 * Puts each LMS position at the end of its bucket, in text order (B holds the bucket ends and
 * is moved down).
 */
function placeLms(T: LevelText, SA: Int32Array, B: Int32Array, lmsBits: Int32Array): void {
  for (let w = lmsBits.length - 1; w >= 0; w--) {
    let word = lmsBits[w];
    while (word !== 0) {
      const b = 31 - Math.clz32(word);
      word ^= 1 << b;
      const p = w * 32 + b;
      SA[--B[T[p]]] = p;
    }
  }
}

/** The first LMS position after p, or n when there is none. */
function nextLms(lmsBits: Int32Array, p: number, n: number): number {
  const q = p + 1;
  let w = q >>> 5;
  let word = lmsBits[w] & (-1 << (q & 31));
  while (word === 0) {
    if (++w >= lmsBits.length) return n;
    word = lmsBits[w];
  }
  return w * 32 + (31 - Math.clz32(word & -word));
}

/** The number of bits set in the 32-bit word x. */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** After stage 1 only LMS positions are left (positive); move them, in order, to the front. */
function compactLms(SA: Int32Array, n: number): void {
  let w = 0;
  for (let i = 0; i < n; i++) {
    const j = SA[i];
    if (j > 0) SA[w++] = j;
  }
}

/** Moves the sorted LMS positions SA[0..m) to their bucket ends, dropping tie marks (~p). */
function placeSortedLms(T: LevelText, SA: Int32Array, C: Int32Array, B: Int32Array, m: number, K: number): void {
  bucketBounds(C, B, K, true);
  for (let i = m - 1; i >= 0; i--) {
    const v = SA[i];
    const p = v ^ (v >> 31);
    SA[i] = 0;
    SA[--B[T[p]]] = p;
  }
}

/** As placeSortedLms, but takes the bucket of each from the LMS counts: no reads of T. */
function placeSortedLmsByCounts(SA: Int32Array, C: Int32Array, lmsEnd: Int32Array, n: number, m: number, K: number): void {
  let tail = n;
  let i = m - 1;
  for (let c = K - 1; c >= 0 && i >= 0; c--) {
    const stop = i - (tail - lmsEnd[c]);
    for (let t = tail; i > stop; i--) {
      const v = SA[i];
      SA[i] = 0;
      SA[--t] = v ^ (v >> 31);
    }
    tail -= C[c];
  }
}

/**
 * Compares each LMS substring in SA[0..m) (sorted) with the one before it. An entry equal to
 * its predecessor is marked by storing it negated (~p). Returns the number of distinct ones.
 * An LMS substring runs from its LMS position to the next one, both included; the last one
 * runs into the sentinel and so equals no other. Lengths come from `lmsBits`, so that unequal
 * lengths cost no text read.
 */
function nameLmsSubstrings(T: LevelText, SA: Int32Array, n: number, m: number, lmsBits: Int32Array): number {
  let names = 0;
  let prev = -1;
  let prevLen = -1;
  let touched = 0;
  for (let x = 0; x < m; x++) {
    // Read the text at the next entries in a tight loop of its own, so that their cache
    // misses overlap instead of waiting one by one behind the comparisons below.
    if ((x & 63) === 0) {
      const end = x + 64 < m ? x + 64 : m;
      for (let y = x; y < end; y++) touched |= T[SA[y]];
    }
    const p = SA[x];
    let len = -1; // not known: only needed when the first two symbols agree
    let same = false;
    // An LMS position is S, and the last position is L, so p + 1 < n.
    if (prev >= 0 && T[p] === T[prev] && T[p + 1] === T[prev + 1]) {
      if (prevLen < 0) prevLen = lmsSubstringLength(lmsBits, prev, n);
      len = lmsSubstringLength(lmsBits, p, n);
      same = len === prevLen && len !== 0;
      for (let d = 2; same && d < len; d++) same = T[p + d] === T[prev + d];
    }
    if (same) SA[x] = ~p;
    else names++;
    prev = p;
    prevLen = len;
  }
  SINK[0] ^= touched;
  return names;
}

/** Where values read only to warm the cache go, so that the compiler keeps the reads. */
const SINK = new Int32Array(1);

/** The length of the LMS substring at p, both ends included; 0 for the last one. */
function lmsSubstringLength(lmsBits: Int32Array, p: number, n: number): number {
  const q = nextLms(lmsBits, p, n);
  return q === n ? 0 : q - p + 1;
}

/**
 * Orders each run of tied LMS positions in SA[0..m) by comparing their suffixes in T, keeping
 * the tie marks. Gives up (returns false, runs still permutations) once more than `budget`
 * symbols have been compared, which keeps the whole construction linear.
 */
function sortTiesDirectly(T: LevelText, SA: Int32Array, n: number, m: number, budget: number): boolean {
  let spent = 0;
  const compare = (a: number, b: number): number => {
    if (spent > budget) return 0;
    let d = 0;
    while (a + d < n && b + d < n) {
      const x = T[a + d];
      const y = T[b + d];
      if (x !== y) {
        spent += d + 1;
        return x - y;
      }
      d++;
    }
    spent += d + 1;
    return a + d === n ? -1 : 1; // the suffix that ends first is the smaller
  };
  let x = 0;
  while (x < m) {
    let end = x + 1;
    while (end < m && SA[end] < 0) end++;
    const size = end - x;
    if (size === 2) {
      const a = SA[x];
      const b = ~SA[x + 1];
      if (compare(a, b) > 0) {
        SA[x] = b;
        SA[x + 1] = ~a;
      }
    } else if (size > 2) {
      for (let y = x + 1; y < end; y++) SA[y] = ~SA[y];
      const run = SA.subarray(x, end);
      if (size <= 16) {
        for (let y = 1; y < size; y++) {
          const v = run[y];
          let z = y - 1;
          while (z >= 0 && compare(run[z], v) > 0) {
            run[z + 1] = run[z];
            z--;
          }
          run[z + 1] = v;
        }
      } else {
        run.sort(compare);
      }
      for (let y = x + 1; y < end; y++) SA[y] = ~SA[y];
    }
    if (spent > budget) return false;
    x = end;
  }
  return true;
}

/**
 * Sorts the LMS suffixes through the reduced string R (one name per LMS position, in text
 * order; its suffixes sort as the LMS suffixes do), and leaves the LMS positions in SA[0..m) in
 * suffix order. SA[0..m) comes in sorted by LMS substring, ties marked (~p).
 *
 * On token text R's suffixes differ within a few names, and prefix doubling sorts them faster
 * than recursion. When R repeats long stretches, doubling would take many rounds: it is not
 * tried when few LMS substrings are unique (a sign of such text), and it gives up after a
 * linear amount of work. Recursion then sorts R, which keeps the whole construction linear.
 */
function sortReducedSuffixes(SA: Int32Array, n: number, m: number, lmsBits: Int32Array, progress: Progress): void {
  toReducedIndices(SA, m, lmsBits);
  // R goes to SA[m..2m), first as ranks: for each suffix i of R, the index in SA[0..m) of the
  // first of its group of equals.
  const rank = SA.subarray(m, 2 * m);
  let where: Int32Array | undefined;
  if (countUnique(SA, m) * 8 >= m) {
    // Where each suffix of R is in SA[0..m), negated (~x) once it is alone in its group.
    where = 3 * m <= n ? SA.subarray(2 * m, 3 * m) : new Int32Array(m);
    const keys = new Int32Array(m);
    const unsorted = rankGroups(SA, rank, where, keys, m);
    if (!refineByDoubling(SA, rank, where, keys, m, unsorted, 20 * m)) {
      // Ranks to dense names.
      let names = 0;
      for (let x = 0; x < m; x++) if (SA[x] >= 0) keys[x] = names++;
      for (let i = 0; i < m; i++) rank[i] = keys[rank[i]];
      where = undefined;
      recurse(SA, n, m, names, progress);
    }
  } else {
    recurse(SA, n, m, nameGroups(SA, rank, m), progress);
  }
  if (where === undefined) {
    where = SA.subarray(m, 2 * m);
    for (let x = 0; x < m; x++) where[SA[x]] = x;
  } else {
    tick(progress, m);
  }
  // Back from indices into R to text positions: the i-th LMS position goes where i is.
  let i = 0;
  for (let w = 0; w < lmsBits.length; w++) {
    let word = lmsBits[w];
    while (word !== 0) {
      const x = where[i++];
      SA[x ^ (x >> 31)] = w * 32 + (31 - Math.clz32(word & -word));
      word &= word - 1;
    }
  }
}

/** Sorts the suffixes of R, in SA[m..2m) with `names` names, into SA[0..m) by SA-IS. */
function recurse(SA: Int32Array, n: number, m: number, names: number, progress: Progress): void {
  SA.copyWithin(n - m, m, 2 * m);
  SA.fill(0, 0, m);
  sortLevel(SA.subarray(n - m, n), SA, m, names, progress);
}

/** The number of entries of SA[0..m) alone in their group (see nameLmsSubstrings). */
function countUnique(SA: Int32Array, m: number): number {
  let unique = 0;
  for (let x = 0; x < m; x++) unique += (SA[x] >= 0 && (x + 1 === m || SA[x + 1] >= 0)) ? 1 : 0;
  return unique;
}

/** names[i] = the group of suffix i of R, numbered from 0 in order; returns their number. */
function nameGroups(SA: Int32Array, names: Int32Array, m: number): number {
  let name = -1;
  for (let x = 0; x < m; x++) {
    const v = SA[x];
    if (v >= 0) name++;
    names[v ^ (v >> 31)] = name;
  }
  return name + 1;
}

/**
 * Fills rank[i] and where[i] (see sortReducedSuffixes) and marks the entries alone in their
 * group as sorted runs in keys (see refineByDoubling). Returns the number of the others.
 */
function rankGroups(SA: Int32Array, rank: Int32Array, where: Int32Array, keys: Int32Array, m: number): number {
  let unsorted = 0;
  let g = 0;
  for (let x = 0; x < m; x++) {
    const v = SA[x];
    const i = v ^ (v >> 31);
    if (v >= 0) g = x;
    rank[i] = g;
    where[i] = v < 0 || (x + 1 < m && SA[x + 1] < 0) ? x : ~x;
  }
  for (let x = 0; x < m; ) {
    let end = x + 1;
    while (end < m && SA[end] < 0) end++;
    if (end === x + 1) keys[x] = -3;
    else unsorted += end - x;
    x = end;
  }
  return unsorted;
}

/** Replaces each LMS position p in SA[0..m) by its index among the LMS positions (tie marks kept). */
function toReducedIndices(SA: Int32Array, m: number, lmsBits: Int32Array): void {
  const before = new Int32Array(lmsBits.length);
  let count = 0;
  for (let w = 0; w < lmsBits.length; w++) {
    before[w] = count;
    count += popcount(lmsBits[w]);
  }
  for (let x = 0; x < m; x++) {
    const v = SA[x];
    const p = v ^ (v >> 31);
    const i = before[p >>> 5] + popcount(lmsBits[p >>> 5] & ~(-1 << (p & 31)));
    SA[x] = i ^ (v >> 31);
  }
}

/**
 * Prefix doubling (Manber & Myers, skipping sorted groups as Larsson & Sadakane do) over the
 * suffixes of R: SA[0..m) holds indices into R sorted by their first h names, each group of
 * equals marked as in nameLmsSubstrings, with `rank` and `where` as in sortReducedSuffixes.
 * Each round sorts every group by the rank of the suffix h further on, which sorts by 2h
 * names. `keys` is scratch, aligned with SA: a group's sort keys, or -2 - length at the head of
 * a run of sorted entries, which later rounds skip. Gives up (returns false, groups and ranks
 * still consistent) once `budget` units of work are spent.
 */
function refineByDoubling(
  SA: Int32Array,
  rank: Int32Array,
  where: Int32Array,
  keys: Int32Array,
  m: number,
  unsorted: number,
  budget: number,
): boolean {
  let spent = 0;
  for (let h = 1; unsorted > 0; h *= 2) {
    // This round's keys, all read before any rank changes. Scattering them in the order of R
    // (reads in order, writes at random) is faster than gathering them, unless few are left.
    if (unsorted * 4 >= m) {
      scatterKeys(rank, where, keys, m, h);
      spent += m;
    } else {
      gatherKeys(SA, rank, keys, m, h);
      spent += 4 * unsorted;
    }
    unsorted = 0;
    for (let x = 0; x < m; ) {
      if (keys[x] <= -2) {
        x = skipSorted(keys, x, m);
        continue;
      }
      let end = x + 1;
      while (end < m && SA[end] < 0) end++;
      for (let y = x + 1; y < end; y++) SA[y] = ~SA[y];
      spent += sortPairs(keys, SA, x, end, budget - spent);
      if (spent > budget) {
        for (let y = x + 1; y < end; y++) SA[y] = ~SA[y];
        return false;
      }
      unsorted += splitGroup(SA, rank, where, keys, x, end);
      x = end;
    }
  }
  return true;
}

/** keys[x] = rank of the suffix h after the one at x, for every x in a group of more than one. */
function scatterKeys(rank: Int32Array, where: Int32Array, keys: Int32Array, m: number, h: number): void {
  for (let i = 0; i < m - h; i++) {
    const x = where[i];
    if (x >= 0) keys[x] = rank[i + h];
  }
  for (let i = m - h > 0 ? m - h : 0; i < m; i++) {
    const x = where[i];
    if (x >= 0) keys[x] = -1; // the suffix ends within h names: it sorts first
  }
}

/** As scatterKeys, walking the groups in SA instead. */
function gatherKeys(SA: Int32Array, rank: Int32Array, keys: Int32Array, m: number, h: number): void {
  for (let x = 0; x < m; ) {
    if (keys[x] <= -2) {
      x = skipSorted(keys, x, m);
      continue;
    }
    let end = x + 1;
    while (end < m && SA[end] < 0) end++;
    for (let y = x; y < end; y++) {
      const v = SA[y];
      const j = (v ^ (v >> 31)) + h;
      keys[y] = j < m ? rank[j] : -1;
    }
    x = end;
  }
}

/** The end of the run of sorted entries at x, merging it with the runs right after it. */
function skipSorted(keys: Int32Array, x: number, m: number): number {
  let end = x - 2 - keys[x];
  while (end < m && keys[end] <= -2) end -= 2 + keys[end];
  keys[x] = -2 - (end - x);
  return end;
}

/**
 * After SA[x..end) (unmarked) has been sorted by keys: marks the new groups, gives their
 * entries their new ranks and places, and marks the groups of one as sorted runs. Returns the
 * number of entries still in groups of more than one.
 */
function splitGroup(SA: Int32Array, rank: Int32Array, where: Int32Array, keys: Int32Array, x: number, end: number): number {
  let unsorted = 0;
  let start = x;
  let prevKey = keys[x];
  for (let y = x; y < end; y++) {
    const k = keys[y];
    const i = SA[y];
    if (k !== prevKey) start = y;
    prevKey = k;
    // The first new group keeps the old rank.
    if (start !== x) rank[i] = start;
    const alone = start === y && (y + 1 === end || keys[y + 1] !== k);
    if (start !== y) SA[y] = ~i;
    where[i] = alone ? ~y : y;
    if (alone) keys[y] = -3;
    else unsorted++;
  }
  return unsorted;
}

/**
 * Sorts the pairs (keys[y], SA[y]) for y in [from, to) by key: insertion sort when few, else
 * quicksort with three-way partitions. Returns the work done, and stops early (leaving a
 * permutation) once it exceeds `allowed`.
 */
function sortPairs(keys: Int32Array, SA: Int32Array, from: number, to: number, allowed: number): number {
  let work = 0;
  while (to - from > 16) {
    if (work > allowed) return work;
    work += to - from;
    // Median of three as pivot.
    const mid = from + ((to - from) >> 1);
    const a = keys[from];
    const b = keys[mid];
    const c = keys[to - 1];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Three-way partition: [from, lt) < pivot, [lt, gt) = pivot, [gt, to) > pivot.
    let lt = from;
    let gt = to;
    let y = from;
    while (y < gt) {
      const k = keys[y];
      if (k < pivot) {
        swapPairs(keys, SA, y++, lt++);
      } else if (k > pivot) {
        swapPairs(keys, SA, y, --gt);
      } else {
        y++;
      }
    }
    // Recurse on the smaller side, loop on the larger, so that the stack stays logarithmic.
    if (lt - from < to - gt) {
      work += sortPairs(keys, SA, from, lt, allowed - work);
      from = gt;
    } else {
      work += sortPairs(keys, SA, gt, to, allowed - work);
      to = lt;
    }
  }
  for (let y = from + 1; y < to; y++) {
    const k = keys[y];
    const v = SA[y];
    let z = y - 1;
    while (z >= from && keys[z] > k) {
      keys[z + 1] = keys[z];
      SA[z + 1] = SA[z];
      z--;
    }
    keys[z + 1] = k;
    SA[z + 1] = v;
    work += y - z;
  }
  return work;
}

function swapPairs(keys: Int32Array, SA: Int32Array, a: number, b: number): void {
  const k = keys[a];
  keys[a] = keys[b];
  keys[b] = k;
  const v = SA[a];
  SA[a] = SA[b];
  SA[b] = v;
}

/**
 * Left-to-right pass: each entry j > 0 (its predecessor is L) puts j-1 at the head of its
 * bucket. In stage 1 (`clear`) consumed entries are zeroed so that only LMS positions survive.
 */
function induceL(T: LevelText, SA: Int32Array, C: Int32Array, B: Int32Array, n: number, K: number, clear: boolean): void {
  bucketBounds(C, B, K, false);
  // The virtual sentinel comes first and induces the last suffix, which is L.
  {
    const k = n - 1;
    const c = T[k];
    SA[B[c]++] = k > 0 && T[k - 1] < c ? ~k : k;
  }
  for (let i = 0; i < n; i++) {
    const j = SA[i];
    if (j > 0) {
      if (clear) SA[i] = 0;
      const k = j - 1;
      const c = T[k];
      // k is L, so k-1 is L when T[k-1] >= T[k]; when it is S (sign bit set by the
      // subtraction, ids being below 2^31) the S pass must start from k.
      SA[B[c]++] = k > 0 ? k ^ ((T[k - 1] - c) >> 31) : 0;
    }
  }
}

/**
 * Right-to-left pass: each negated entry ~j puts j-1 (S-type) at the tail of its bucket, and
 * is restored (or zeroed in stage 1, where S entries left non-negative are the LMS positions).
 */
function induceS(T: LevelText, SA: Int32Array, C: Int32Array, B: Int32Array, n: number, K: number, clear: boolean): void {
  bucketBounds(C, B, K, true);
  for (let i = n - 1; i >= 0; i--) {
    const j = SA[i];
    if (j < 0) {
      const k = ~j;
      SA[i] = clear ? 0 : k;
      const p = k - 1;
      const c = T[p];
      // p is S, so p-1 is S when T[p-1] <= T[p], and p must then induce it in turn.
      SA[--B[c]] = p > 0 ? p ^ ((T[p - 1] - c - 1) >> 31) : 0;
    }
  }
}
