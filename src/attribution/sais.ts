// Suffix array construction by induced sorting (SA-IS: Nong, Zhang & Chan 2009), over token
// ids, for the Proof of Attribution index. It is the build-time hot path, so it works on typed
// arrays only and allocates nothing inside its loops. One step goes beyond the paper: when
// only a few LMS substrings repeat, their ties are broken by comparing suffixes directly under
// a linear work budget, instead of recursing (most of the time on token text; the recursion
// remains for repetitive text). It must never depend on a sentinel in the caller's text (the
// end of text is a virtual symbol smaller than all others), never recurse deeper than the
// SA-IS levels themselves (logarithmic), and never read outside [0, n).
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
 * Sorts the suffixes of T[0..n) into SA[0..n). T's symbols are in [0, K), K < 2^31. Suffix i
 * is S-type when it is smaller than suffix i+1, L-type when larger; the last suffix is L (it is
 * larger than the virtual empty suffix after it), and an LMS position is an S right after an L.
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
  countSymbols(T, C, n, K);

  // Stage 1: sort the LMS substrings, placing the LMS positions in text order at bucket ends.
  SA.fill(0, 0, n);
  bucketBounds(C, B, K, true);
  let lmsLength: Uint8Array | undefined = new Uint8Array((n >> 1) + 1);
  const m = placeLms(T, SA, B, n, lmsLength);
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
    const names = nameLmsSubstrings(T, SA, n, m, lmsLength);
    lmsLength = undefined; // free before the recursion allocates its own
    tick(progress, n >> 3);
    // Equal LMS substrings (ties) are ordered by the suffixes that follow them. When they are
    // few, compare those suffixes directly; else, or when that turns out costly, recurse.
    let sorted = names === m;
    if (!sorted && (m - names) * 4 <= m) sorted = sortTiesDirectly(T, SA, n, m, n);
    if (!sorted) reduceAndRecurse(T, SA, n, m, names, progress);
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

/** Symbol counts; an id at or beyond K is reported (a typed array would drop its count). */
function countSymbols(T: LevelText, C: Int32Array, n: number, K: number): void {
  for (let i = 0; i < n; i++) C[T[i]]++;
  let sum = 0;
  for (let c = 0; c < K; c++) sum += C[c];
  if (sum !== n) {
    let i = 0;
    while (T[i] >= 0 && T[i] < K) i++;
    throw new RangeError(`token id ${T[i]} at position ${i} is outside the alphabet [0, ${K})`);
  }
}

/**
 * Puts each LMS position at the end of its bucket (B holds the bucket ends and is moved down),
 * and records its LMS substring's length by p >> 1 (LMS positions are at least 2 apart): 0 for
 * the last one, which runs into the sentinel and so equals no other; 255 for 255 or more.
 * Returns the number of LMS positions.
 */
function placeLms(T: LevelText, SA: Int32Array, B: Int32Array, n: number, lmsLength: Uint8Array): number {
  let m = 0;
  let cNext = T[n - 1];
  let nextS = false;
  let nextLms = n;
  for (let i = n - 2; i >= 0; i--) {
    const c = T[i];
    const isS: boolean = c < cNext || (c === cNext && nextS);
    if (nextS && !isS) {
      const p = i + 1;
      SA[--B[cNext]] = p;
      const len = nextLms - p + 1;
      lmsLength[p >> 1] = nextLms === n ? 0 : len < 255 ? len : 255;
      nextLms = p;
      m++;
    }
    nextS = isS;
    cNext = c;
  }
  return m;
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
 * Lengths come from `lmsLength` (see sortLevel), so that unequal lengths cost no text read.
 */
function nameLmsSubstrings(T: LevelText, SA: Int32Array, n: number, m: number, lmsLength: Uint8Array): number {
  let names = 0;
  let prev = 0;
  let prevLen = -1;
  for (let x = 0; x < m; x++) {
    const p = SA[x];
    let len = lmsLength[p >> 1];
    if (len === 255) len = lmsSubstringLength(T, n, p);
    let same = len === prevLen && len !== 0;
    if (same) {
      for (let d = 0; d < len; d++) {
        if (T[p + d] !== T[prev + d]) {
          same = false;
          break;
        }
      }
    }
    if (same) SA[x] = ~p;
    else names++;
    prev = p;
    prevLen = len;
  }
  return names;
}

/**
 * The length of the LMS substring at p, found by scanning forward: up a non-decreasing run,
 * down a non-increasing one, and back to the start of the last run of equal symbols before
 * the rise. 0 when it runs into the sentinel.
 */
function lmsSubstringLength(T: LevelText, n: number, p: number): number {
  let i = p + 1;
  while (i < n && T[i] >= T[i - 1]) i++;
  while (i < n && T[i] <= T[i - 1]) i++;
  if (i >= n) return 0;
  let q = i - 1;
  while (T[q - 1] === T[q]) q--;
  return q - p + 1;
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
 * Builds the reduced string (one name per LMS substring, in text order), sorts its suffixes
 * by recursion, and leaves the LMS positions in SA[0..m) in suffix order.
 */
function reduceAndRecurse(T: LevelText, SA: Int32Array, n: number, m: number, names: number, progress: Progress): void {
  // Names + 1 go to SA[m + (p >> 1)] (LMS positions are at least 2 apart; 0 marks a hole),
  // then are gathered, in text order, into the tail SA[n-m..n): that is the reduced string.
  SA.fill(0, m, n);
  writeNames(SA, m);
  gatherNames(SA, n, m);
  sortLevel(SA.subarray(n - m, n), SA, m, names, progress);
  // Map the reduced suffix array back to LMS positions (reusing the tail for them).
  listLms(T, SA, n);
  const base = n - m;
  for (let i = 0; i < m; i++) SA[i] = SA[base + SA[i]];
}

/** Name + 1 of each LMS position p (sorted in SA[0..m), ties marked ~p) to SA[m + (p >> 1)]. */
function writeNames(SA: Int32Array, m: number): void {
  let name = 0;
  for (let x = 0; x < m; x++) {
    const v = SA[x];
    if (v >= 0) name++;
    SA[m + ((v ^ (v >> 31)) >> 1)] = name;
  }
}

/** Moves the names from SA[m..n) (0 = hole), in order, to SA[n-m..n), as names from 0. */
function gatherNames(SA: Int32Array, n: number, m: number): void {
  let w = n;
  for (let i = n - 1; i >= m; i--) {
    const v = SA[i];
    if (v !== 0) SA[--w] = v - 1;
  }
}

/** Writes the LMS positions of T, in text order, to the tail of SA. */
function listLms(T: LevelText, SA: Int32Array, n: number): void {
  let cNext = T[n - 1];
  let nextS = false;
  let w = n;
  for (let i = n - 2; i >= 0; i--) {
    const c = T[i];
    const isS: boolean = c < cNext || (c === cNext && nextS);
    if (nextS && !isS) SA[--w] = i + 1;
    nextS = isS;
    cNext = c;
  }
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
