// Exact k-nearest-neighbour kernels for rebalance's `cpu` backend (compiled by scripts/build-wasm.mjs
// with SIMD and shared memory). No allocation: JavaScript lays out every region in the imported
// memory and passes byte offsets.
//
// Contract: for each query, the k indexed rows with the smallest (d, index), where d is the float64
// sum, in feature order, of squared float64 differences of the float32 coordinates. Reported
// distances are f32(sqrt(d)).
//
// Brute force runs two stages on data centred by a float32 vector c (q' = q - c, r' = r - c, both
// rounded to float32). A float32 SIMD pass (register tiles of 4 queries x 8 reference rows: the
// reference rows transposed into blocks of two f32x4 lanes per feature, 8 accumulators) computes
// s = |r'|^2 - 2 q'.r', which estimates d - |q'|^2, with an error below e = G (|q'| + |r'|)^2 +
// slack: G = 2 (dim + 8) 2^-24 covers the float32 dot product (dim u |q'||r'|), the roundings of
// |r'|^2 and of s, the centring roundings (about 2u (|q'| + |r'|)^2) and the float64 rounding of d,
// twice over; `slack` covers subnormal underflow.
// Per query it keeps every row with s - e <= U, U being the k-th smallest s + e seen so far: at
// least k rows have d - |q'|^2 <= U, so every row of the true top-k (ties included) is kept, and a
// float64 re-rank of the survivors gives the exact answer. A query whose survivors do not fit its
// buffer (masses of near-ties) is redone by an exact float64 scan.

/** Queries per register tile. */
const TILE: i32 = 4;

// ---------------------------------------------------------------- exact float64 helpers

// @ts-ignore: decorator
@inline
export function exactD2(a: usize, b: usize, dim: i32): f64 {
  let s: f64 = 0;
  for (let j = 0; j < dim; j++) {
    const t = <f64>load<f32>(a + (<usize>j << 2)) - <f64>load<f32>(b + (<usize>j << 2));
    s += t * t;
  }
  return s;
}

// @ts-ignore: decorator
@inline
function before(d1: f64, i1: i32, d2: f64, i2: i32): bool {
  return d1 < d2 || (d1 == d2 && i1 < i2);
}

/** Max-heap on (d, idx) of capacity k: sift the root down after replacing it. */
function heapSiftDown(hd: usize, hi: usize, size: i32): void {
  let p = 0;
  const d = load<f64>(hd);
  const x = load<i32>(hi);
  for (;;) {
    let c = 2 * p + 1;
    if (c >= size) break;
    let cd = load<f64>(hd + (<usize>c << 3));
    let ci = load<i32>(hi + (<usize>c << 2));
    if (c + 1 < size) {
      const rd = load<f64>(hd + (<usize>(c + 1) << 3));
      const ri = load<i32>(hi + (<usize>(c + 1) << 2));
      if (before(cd, ci, rd, ri)) { c = c + 1; cd = rd; ci = ri; }
    }
    if (!before(d, x, cd, ci)) break;
    store<f64>(hd + (<usize>p << 3), cd);
    store<i32>(hi + (<usize>p << 2), ci);
    p = c;
  }
  store<f64>(hd + (<usize>p << 3), d);
  store<i32>(hi + (<usize>p << 2), x);
}

function heapPush(hd: usize, hi: usize, size: i32, d: f64, x: i32): void {
  let c = size;
  while (c > 0) {
    const p = (c - 1) >> 1;
    const pd = load<f64>(hd + (<usize>p << 3));
    const pi = load<i32>(hi + (<usize>p << 2));
    if (!before(pd, pi, d, x)) break;
    store<f64>(hd + (<usize>c << 3), pd);
    store<i32>(hi + (<usize>c << 2), pi);
    c = p;
  }
  store<f64>(hd + (<usize>c << 3), d);
  store<i32>(hi + (<usize>c << 2), x);
}

/** Offers (d, x) to a bounded max-heap; returns the new size. */
// @ts-ignore: decorator
@inline
export function heapOffer(hd: usize, hi: usize, size: i32, k: i32, d: f64, x: i32): i32 {
  if (size < k) {
    heapPush(hd, hi, size, d, x);
    return size + 1;
  }
  if (before(d, x, load<f64>(hd), load<i32>(hi))) {
    store<f64>(hd, d);
    store<i32>(hi, x);
    heapSiftDown(hd, hi, size);
  }
  return size;
}

/** Sorts (d, idx) pairs ascending in place (insertion sort: small arrays only). */
function sortPairs(sd: usize, si: usize, count: i32): void {
  for (let a = 1; a < count; a++) {
    const d = load<f64>(sd + (<usize>a << 3));
    const x = load<i32>(si + (<usize>a << 2));
    let b = a - 1;
    while (b >= 0) {
      const bd = load<f64>(sd + (<usize>b << 3));
      const bi = load<i32>(si + (<usize>b << 2));
      if (!before(d, x, bd, bi)) break;
      store<f64>(sd + (<usize>(b + 1) << 3), bd);
      store<i32>(si + (<usize>(b + 1) << 2), bi);
      b--;
    }
    store<f64>(sd + (<usize>(b + 1) << 3), d);
    store<i32>(si + (<usize>(b + 1) << 2), x);
  }
}

/** Writes a heap of k entries to the output row, sorted by (d, idx). */
export function emitHeap(hd: usize, hi: usize, k: i32, outIdx: usize, outDist: usize, q: i32): void {
  sortPairs(hd, hi, k);
  const base = <usize>q * <usize>k;
  for (let t = 0; t < k; t++) {
    store<i32>(outIdx + ((base + <usize>t) << 2), load<i32>(hi + (<usize>t << 2)));
    store<f32>(outDist + ((base + <usize>t) << 2), <f32>Math.sqrt(load<f64>(hd + (<usize>t << 3))));
  }
}

/** Exact float64 scan of every indexed row for query q (row pointer qp). */
function exactScan(
  pts: usize, n: i32, dim: i32, qp: usize, self: i32, k: i32,
  hd: usize, hi: usize, outIdx: usize, outDist: usize, q: i32,
): void {
  let size = 0;
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < n; i++) {
    if (i == self) continue;
    const d = exactD2(qp, pts + <usize>i * rowBytes, dim);
    size = heapOffer(hd, hi, size, k, d, i);
  }
  emitHeap(hd, hi, k, outIdx, outDist, q);
}

/**
 * Exact float64 scan for queries [qb, qe): the fallback when coordinates are too large for the
 * float32 pass (its squares could overflow).
 * Scratch: k f64 + k i32.
 */
export function exactRange(
  pts: usize, n: i32, dim: i32, qs: usize, qb: i32, qe: i32, selfMode: i32, k: i32,
  scratch: usize, outIdx: usize, outDist: usize,
): void {
  const hd = scratch;
  const hi = scratch + (<usize>k << 3);
  const rowBytes = <usize>dim << 2;
  for (let q = qb; q < qe; q++) {
    exactScan(pts, n, dim, qs + <usize>q * rowBytes, selfMode ? q : -1, k, hd, hi, outIdx, outDist, q);
  }
}

// ---------------------------------------------------------------- brute force

/** Bytes of scratch bruteRange needs for capacity `cap` and dimension `dim`. */
export function bruteScratchBytes(dim: i32, cap: i32): i32 {
  return TILE * dim * 4 // transposed centred query tile
    + TILE * cap * 12 // candidate s, e, index
    + TILE * 20 // thresholds, counts, overflow flags, self ids, |q'| bounds
    + 32 // lane spill
    + 16 // g, slack
    + cap * 12 // re-rank pairs (f64 + i32)
    + cap * 4 // selection copy
    + 64;
}

/** Returns the r-th smallest (0-based) of `count` f32 values at p, reordering them (quickselect). */
function selectF32(p: usize, count: i32, r: i32): f32 {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const pivot = load<f32>(p + (<usize>((lo + hi) >> 1) << 2));
    let a = lo;
    let b = hi;
    while (a <= b) {
      while (load<f32>(p + (<usize>a << 2)) < pivot) a++;
      while (load<f32>(p + (<usize>b << 2)) > pivot) b--;
      if (a <= b) {
        const t = load<f32>(p + (<usize>a << 2));
        store<f32>(p + (<usize>a << 2), load<f32>(p + (<usize>b << 2)));
        store<f32>(p + (<usize>b << 2), t);
        a++;
        b--;
      }
    }
    if (r <= b) hi = b;
    else if (r >= a) lo = a;
    else break;
  }
  return load<f32>(p + (<usize>r << 2));
}

// Per-worker state of the current tile (set by bruteRange, read by the helpers below).
let gCap: i32 = 0;
let gK: i32 = 0;
let gN: i32 = 0;
let gCandS: usize = 0; // f32[TILE * cap] estimates s
let gCandE: usize = 0; // f32[TILE * cap] error bounds e
let gCandI: usize = 0; // i32[TILE * cap]
let gThr: usize = 0; // f32[TILE]
let gCnt: usize = 0; // i32[TILE]
let gOver: usize = 0; // i32[TILE]
let gSelf: usize = 0; // i32[TILE]
let gQn: usize = 0; // f32[TILE] upper bounds of |q'|
let gLane: usize = 0; // f32[8]: s lanes then e lanes
let gSel: usize = 0; // f32[cap]
let gConst: usize = 0; // f32[2]: g, slack

/** Shrinks query t's candidates to those whose lower bound is within its k-th upper bound. */
function compact(t: i32): void {
  const cnt = load<i32>(gCnt + (<usize>t << 2));
  const off = <usize>(t * gCap) << 2;
  const cs = gCandS + off;
  const ce = gCandE + off;
  const ci = gCandI + off;
  for (let a = 0; a < cnt; a++) {
    const o = <usize>a << 2;
    store<f32>(gSel + o, load<f32>(cs + o) + load<f32>(ce + o));
  }
  const thr = selectF32(gSel, cnt, gK - 1);
  let w = 0;
  for (let a = 0; a < cnt; a++) {
    const o = <usize>a << 2;
    const sv = load<f32>(cs + o);
    const ev = load<f32>(ce + o);
    if (sv - ev <= thr) {
      const ow = <usize>w << 2;
      store<f32>(cs + ow, sv);
      store<f32>(ce + ow, ev);
      store<i32>(ci + ow, load<i32>(ci + o));
      w++;
    }
  }
  store<i32>(gCnt + (<usize>t << 2), w);
  if (w > (gCap + gK) >> 1) {
    // Too many near-ties to make progress: redo this query exactly, stop collecting.
    store<i32>(gOver + (<usize>t << 2), 1);
    store<f32>(gThr + (<usize>t << 2), -Infinity);
  } else {
    store<f32>(gThr + (<usize>t << 2), thr);
  }
}

/** Offers rows base..base+3 to query t (slow path: at least one lane passed its threshold). */
function offerLanes(t: i32, s: v128, e: v128, base: i32): void {
  v128.store(gLane, s);
  v128.store(gLane, e, 16);
  const self = load<i32>(gSelf + (<usize>t << 2));
  for (let l = 0; l < 4; l++) {
    const idx = base + l;
    if (idx >= gN || idx == self) continue;
    const sv = load<f32>(gLane + (<usize>l << 2));
    const ev = load<f32>(gLane + (<usize>l << 2), 16);
    if (!(sv - ev <= load<f32>(gThr + (<usize>t << 2)))) continue;
    let cnt = load<i32>(gCnt + (<usize>t << 2));
    if (cnt == gCap) {
      compact(t);
      if (load<i32>(gOver + (<usize>t << 2))) return;
      if (!(sv - ev <= load<f32>(gThr + (<usize>t << 2)))) continue;
      cnt = load<i32>(gCnt + (<usize>t << 2));
    }
    const o = <usize>(t * gCap + cnt) << 2;
    store<f32>(gCandS + o, sv);
    store<f32>(gCandE + o, ev);
    store<i32>(gCandI + o, idx);
    store<i32>(gCnt + (<usize>t << 2), cnt + 1);
  }
}

// @ts-ignore: decorator
@inline
function laneBounds(acc: v128, nr: v128, nn: v128, t: i32, base: i32): void {
  const s = f32x4.sub(nr, f32x4.add(acc, acc));
  const h = f32x4.add(nn, v128.load32_splat(gQn + (<usize>t << 2)));
  const e = f32x4.add(f32x4.mul(f32x4.mul(h, h), v128.load32_splat(gConst)), v128.load32_splat(gConst, 4));
  if (v128.any_true(f32x4.le(f32x4.sub(s, e), v128.load32_splat(gThr + (<usize>t << 2))))) offerLanes(t, s, e, base);
}

/**
 * Brute-force exact kNN for queries [qb, qe).
 * pts: row-major f32 n x dim (original values); qs: row-major f32 queries (original values);
 * centre: dim f32; blocks: ceil(n/8) blocks of (dim + 2) x 8 f32: lane l of block b holds row
 * 8b+l centred (feature j at (b*(dim+2) + j)*8 + l), then |r'|^2, then an upper bound of |r'|
 * (padded lanes: 0, +Infinity, 0). selfMode: exclude row q from query q. cap: candidate capacity
 * per query (> k). g, slack: the error bound (see top).
 */
export function bruteRange(
  pts: usize, blocks: usize, centre: usize, n: i32, dim: i32, qs: usize, qb: i32, qe: i32,
  selfMode: i32, k: i32, cap: i32, g: f64, slack: f64, scratch: usize, outIdx: usize, outDist: usize,
): void {
  gCap = cap; gK = k; gN = n;
  const tile = scratch;
  gCandS = tile + <usize>(TILE * dim * 4);
  gCandE = gCandS + <usize>(TILE * cap * 4);
  gCandI = gCandE + <usize>(TILE * cap * 4);
  gThr = gCandI + <usize>(TILE * cap * 4);
  gCnt = gThr + <usize>(TILE * 4);
  gOver = gCnt + <usize>(TILE * 4);
  gSelf = gOver + <usize>(TILE * 4);
  gQn = gSelf + <usize>(TILE * 4);
  gLane = gQn + <usize>(TILE * 4);
  gConst = gLane + 32;
  const pairD = gConst + 16;
  const pairI = pairD + (<usize>cap << 3);
  gSel = pairI + (<usize>cap << 2);
  store<f32>(gConst, <f32>g);
  store<f32>(gConst, <f32>slack, 4);

  const rowBytes = <usize>dim << 2;
  const dimBytes = <usize>dim << 5;
  const blockBytes = dimBytes + 64;
  const nb = (n + 7) >> 3;
  for (let q0 = qb; q0 < qe; q0 += TILE) {
    const nt = min(TILE, qe - q0);
    // Centred, transposed tile: feature j of tile query t at tile + (j*TILE + t)*4; missing queries
    // repeat the last one (and collect nothing).
    for (let t = 0; t < TILE; t++) {
      const src = qs + <usize>(q0 + min(t, nt - 1)) * rowBytes;
      let norm: f64 = 0;
      for (let j = 0; j < dim; j++) {
        const v = load<f32>(src + (<usize>j << 2)) - load<f32>(centre + (<usize>j << 2));
        norm += <f64>v * <f64>v;
        store<f32>(tile + (<usize>(j * TILE + t) << 2), v);
      }
      store<f32>(gQn + (<usize>t << 2), <f32>(Math.sqrt(norm) * (1 + 1.0 / 1048576.0)));
      store<f32>(gThr + (<usize>t << 2), t < nt ? Infinity : -Infinity);
      store<i32>(gCnt + (<usize>t << 2), 0);
      store<i32>(gOver + (<usize>t << 2), t < nt ? 0 : 1);
      store<i32>(gSelf + (<usize>t << 2), selfMode ? q0 + t : -1);
    }
    for (let b = 0; b < nb; b++) {
      const bp = blocks + <usize>b * blockBytes;
      let a0 = f32x4.splat(0);
      let a1 = a0; let a2 = a0; let a3 = a0; let a4 = a0; let a5 = a0; let a6 = a0; let a7 = a0;
      let tp = tile;
      const end = bp + dimBytes;
      for (let rp = bp; rp < end; rp += 32) {
        const r = v128.load(rp);
        const r2 = v128.load(rp, 16);
        let x = v128.load32_splat(tp, 0);
        a0 = f32x4.add(a0, f32x4.mul(x, r)); a4 = f32x4.add(a4, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 4);
        a1 = f32x4.add(a1, f32x4.mul(x, r)); a5 = f32x4.add(a5, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 8);
        a2 = f32x4.add(a2, f32x4.mul(x, r)); a6 = f32x4.add(a6, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 12);
        a3 = f32x4.add(a3, f32x4.mul(x, r)); a7 = f32x4.add(a7, f32x4.mul(x, r2));
        tp += 16;
      }
      const base = b << 3;
      let nr = v128.load(end);
      let nn = v128.load(end, 32);
      laneBounds(a0, nr, nn, 0, base);
      laneBounds(a1, nr, nn, 1, base);
      laneBounds(a2, nr, nn, 2, base);
      laneBounds(a3, nr, nn, 3, base);
      nr = v128.load(end, 16);
      nn = v128.load(end, 48);
      laneBounds(a4, nr, nn, 0, base + 4);
      laneBounds(a5, nr, nn, 1, base + 4);
      laneBounds(a6, nr, nn, 2, base + 4);
      laneBounds(a7, nr, nn, 3, base + 4);
    }
    // Exact re-rank of each query's survivors (or an exact scan after an overflow).
    for (let t = 0; t < nt; t++) {
      const q = q0 + t;
      const qp = qs + <usize>q * rowBytes;
      const self = selfMode ? q : -1;
      if (load<i32>(gOver + (<usize>t << 2))) {
        exactScan(pts, n, dim, qp, self, k, pairD, pairI, outIdx, outDist, q);
        continue;
      }
      compact(t);
      const cnt = load<i32>(gCnt + (<usize>t << 2));
      const ci = gCandI + (<usize>(t * gCap) << 2);
      for (let a = 0; a < cnt; a++) {
        const idx = load<i32>(ci + (<usize>a << 2));
        store<f64>(pairD + (<usize>a << 3), exactD2(qp, pts + <usize>idx * rowBytes, dim));
        store<i32>(pairI + (<usize>a << 2), idx);
      }
      sortPairs(pairD, pairI, cnt);
      const base = <usize>q * <usize>k;
      for (let a = 0; a < k; a++) {
        store<i32>(outIdx + ((base + <usize>a) << 2), load<i32>(pairI + (<usize>a << 2)));
        store<f32>(outDist + ((base + <usize>a) << 2), <f32>Math.sqrt(load<f64>(pairD + (<usize>a << 3))));
      }
    }
  }
}

// ---------------------------------------------------------------- symmetric self-query

// Self-queries compute each unordered pair {i < j} once, in the tile holding i, and offer it to
// both rows: s_i = |r'_j|^2 - 2 q'.r' estimates d - |r'_i|^2 and s_j = |r'_i|^2 - 2 q'.r' estimates
// d - |r'_j|^2, with the same bound e. Each worker keeps candidates for every row (its "state");
// a worker's buffer for row i holds every row it saw with s - e <= U_w, where U_w >= the global U,
// so the union over workers still contains the true top-k, which symFinish re-ranks exactly.

/** Bytes of one worker's state for n rows (nb = ceil(n/8) blocks) and capacity cap. */
export function symStateBytes(n: i32, cap: i32, dim: i32): i32 {
  const nPad = ((n + 7) >> 3) << 3;
  return n * cap * 12 + nPad * 12 + TILE * dim * 4 + TILE * 8 + 48 + 16 + cap * 4 + 64;
}

/** Offers candidate idx (estimate sv, bound ev) to row `row` of the current state. */
function offerRow(row: i32, sv: f32, ev: f32, idx: i32): void {
  if (!(sv - ev <= load<f32>(gThr + (<usize>row << 2)))) return;
  let cnt = load<i32>(gCnt + (<usize>row << 2));
  if (cnt == gCap) {
    compact(row);
    if (load<i32>(gOver + (<usize>row << 2))) return;
    if (!(sv - ev <= load<f32>(gThr + (<usize>row << 2)))) return;
    cnt = load<i32>(gCnt + (<usize>row << 2));
  }
  const o = <usize>(row * gCap + cnt) << 2;
  store<f32>(gCandS + o, sv);
  store<f32>(gCandE + o, ev);
  store<i32>(gCandI + o, idx);
  store<i32>(gCnt + (<usize>row << 2), cnt + 1);
}

/** Slow path of one (tile query, 4 rows) pair of lane groups; mq/mr: lanes passing each side. */
function offerPair(i: i32, sq: v128, sr: v128, e: v128, base: i32, mq: i32, mr: i32): void {
  v128.store(gLane, sq);
  v128.store(gLane, sr, 16);
  v128.store(gLane, e, 32);
  for (let l = 0; l < 4; l++) {
    if (!(((mq | mr) >> l) & 1)) continue;
    const j = base + l;
    if (j <= i || j >= gN) continue;
    const o = <usize>l << 2;
    const ev = load<f32>(gLane + o, 32);
    if ((mq >> l) & 1) offerRow(i, load<f32>(gLane + o), ev, j);
    if ((mr >> l) & 1) offerRow(j, load<f32>(gLane + o, 16), ev, i);
  }
}

// @ts-ignore: decorator
@inline
function symBounds(acc: v128, nr: v128, nn: v128, t: i32, i: i32, base: i32): void {
  const two = f32x4.add(acc, acc);
  const sq = f32x4.sub(nr, two);
  const sr = f32x4.sub(v128.load32_splat(gNq + (<usize>t << 2)), two);
  const h = f32x4.add(nn, v128.load32_splat(gQn + (<usize>t << 2)));
  const e = f32x4.add(f32x4.mul(f32x4.mul(h, h), v128.load32_splat(gConst)), v128.load32_splat(gConst, 4));
  const mq = f32x4.le(f32x4.sub(sq, e), v128.load32_splat(gThr + (<usize>i << 2)));
  const mr = f32x4.le(f32x4.sub(sr, e), v128.load(gThr + (<usize>base << 2)));
  if (v128.any_true(v128.or(mq, mr))) offerPair(i, sq, sr, e, base, i32x4.bitmask(mq), i32x4.bitmask(mr));
}

let gNq: usize = 0; // f32[TILE] |q'|^2 of the tile rows

/** Points the candidate globals at a worker state for n rows. */
function bindState(state: usize, n: i32, cap: i32, k: i32): usize {
  const nPad = ((n + 7) >> 3) << 3;
  gCap = cap; gK = k; gN = n;
  gCandS = state;
  gCandE = gCandS + <usize>n * <usize>cap * 4;
  gCandI = gCandE + <usize>n * <usize>cap * 4;
  gCnt = gCandI + <usize>n * <usize>cap * 4;
  gThr = gCnt + (<usize>nPad << 2);
  gOver = gThr + (<usize>nPad << 2);
  return gOver + (<usize>nPad << 2);
}

/**
 * Symmetric brute-force pass over query tiles [tb, te) (rows 4tb .. 4te) into the calling
 * worker's state (initialised by the caller: counts 0, overflow 0, thresholds +Infinity for rows
 * < n and -Infinity for padding up to a multiple of 8). Layouts as in bruteRange.
 */
export function symRange(
  blocks: usize, centre: usize, n: i32, dim: i32, pts: usize, tb: i32, te: i32, k: i32, cap: i32,
  g: f64, slack: f64, state: usize,
): void {
  const tile = bindState(state, n, cap, k);
  gQn = tile + <usize>(TILE * dim * 4);
  gNq = gQn + <usize>(TILE * 4);
  gLane = gNq + <usize>(TILE * 4);
  gConst = gLane + 48;
  gSel = gConst + 16;
  store<f32>(gConst, <f32>g);
  store<f32>(gConst, <f32>slack, 4);
  const rowBytes = <usize>dim << 2;
  const dimBytes = <usize>dim << 5;
  const blockBytes = dimBytes + 64;
  const nb = (n + 7) >> 3;
  for (let tq = tb; tq < te; tq++) {
    const q0 = tq * TILE;
    if (q0 >= n) break;
    for (let t = 0; t < TILE; t++) {
      const src = pts + <usize>min(q0 + t, n - 1) * rowBytes;
      let norm: f64 = 0;
      for (let j = 0; j < dim; j++) {
        const v = load<f32>(src + (<usize>j << 2)) - load<f32>(centre + (<usize>j << 2));
        norm += <f64>v * <f64>v;
        store<f32>(tile + (<usize>(j * TILE + t) << 2), v);
      }
      store<f32>(gQn + (<usize>t << 2), <f32>(Math.sqrt(norm) * (1 + 1.0 / 1048576.0)));
      store<f32>(gNq + (<usize>t << 2), <f32>norm);
    }
    // Rows past n in the tile use row n-1's values; offerPair drops them (j <= i or i >= n).
    const i0 = q0;
    const i1 = min(q0 + 1, n - 1);
    const i2 = min(q0 + 2, n - 1);
    const i3 = min(q0 + 3, n - 1);
    for (let b = q0 >> 3; b < nb; b++) {
      const bp = blocks + <usize>b * blockBytes;
      let a0 = f32x4.splat(0);
      let a1 = a0; let a2 = a0; let a3 = a0; let a4 = a0; let a5 = a0; let a6 = a0; let a7 = a0;
      let tp = tile;
      const end = bp + dimBytes;
      for (let rp = bp; rp < end; rp += 32) {
        const r = v128.load(rp);
        const r2 = v128.load(rp, 16);
        let x = v128.load32_splat(tp, 0);
        a0 = f32x4.add(a0, f32x4.mul(x, r)); a4 = f32x4.add(a4, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 4);
        a1 = f32x4.add(a1, f32x4.mul(x, r)); a5 = f32x4.add(a5, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 8);
        a2 = f32x4.add(a2, f32x4.mul(x, r)); a6 = f32x4.add(a6, f32x4.mul(x, r2));
        x = v128.load32_splat(tp, 12);
        a3 = f32x4.add(a3, f32x4.mul(x, r)); a7 = f32x4.add(a7, f32x4.mul(x, r2));
        tp += 16;
      }
      const base = b << 3;
      let nr = v128.load(end);
      let nn = v128.load(end, 32);
      symBounds(a0, nr, nn, 0, i0, base);
      symBounds(a1, nr, nn, 1, i1 == i0 ? n : i1, base);
      symBounds(a2, nr, nn, 2, i2 == i1 ? n : i2, base);
      symBounds(a3, nr, nn, 3, i3 == i2 ? n : i3, base);
      nr = v128.load(end, 16);
      nn = v128.load(end, 48);
      symBounds(a4, nr, nn, 0, i0, base + 4);
      symBounds(a5, nr, nn, 1, i1 == i0 ? n : i1, base + 4);
      symBounds(a6, nr, nn, 2, i2 == i1 ? n : i2, base + 4);
      symBounds(a7, nr, nn, 3, i3 == i2 ? n : i3, base + 4);
    }
  }
}

/** Scratch bytes symFinish needs for `workers` states of capacity cap. */
export function symFinishScratchBytes(workers: i32, cap: i32, k: i32): i32 {
  return workers * cap * 28 + k * 12 + 64; // s, e, index, selection, pairs (f64 + i32)
}

/**
 * Merges the candidates of `workers` states (each symStateBytes apart from `states`) for rows
 * [rb, re), re-ranks them exactly (or scans exactly when any worker overflowed) and writes the
 * k nearest of each row.
 */
export function symFinish(
  pts: usize, n: i32, dim: i32, rb: i32, re: i32, k: i32, cap: i32, states: usize, stateBytes: i32,
  workers: i32, scratch: usize, outIdx: usize, outDist: usize,
): void {
  const m = workers * cap;
  const ms = scratch; // f32[m] s
  const me = ms + (<usize>m << 2); // f32[m] e
  const mi = me + (<usize>m << 2); // i32[m]
  const sel = mi + (<usize>m << 2); // f32[m]
  const pd = sel + (<usize>m << 2); // f64[m]
  const pi = pd + (<usize>m << 3); // i32[m]
  const rowBytes = <usize>dim << 2;
  for (let i = rb; i < re; i++) {
    let total = 0;
    let over = false;
    for (let w = 0; w < workers; w++) {
      bindState(states + <usize>w * <usize>stateBytes, n, cap, k);
      if (load<i32>(gOver + (<usize>i << 2))) { over = true; break; }
      const cnt = load<i32>(gCnt + (<usize>i << 2));
      const off = <usize>(i * cap) << 2;
      memory.copy(ms + (<usize>total << 2), gCandS + off, <usize>cnt << 2);
      memory.copy(me + (<usize>total << 2), gCandE + off, <usize>cnt << 2);
      memory.copy(mi + (<usize>total << 2), gCandI + off, <usize>cnt << 2);
      total += cnt;
    }
    const qp = pts + <usize>i * rowBytes;
    if (over || total < k) {
      exactScan(pts, n, dim, qp, i, k, pd, pi, outIdx, outDist, i);
      continue;
    }
    for (let a = 0; a < total; a++) {
      const o = <usize>a << 2;
      store<f32>(sel + o, load<f32>(ms + o) + load<f32>(me + o));
    }
    const thr = selectF32(sel, total, k - 1);
    let w = 0;
    for (let a = 0; a < total; a++) {
      const o = <usize>a << 2;
      if (load<f32>(ms + o) - load<f32>(me + o) <= thr) {
        const idx = load<i32>(mi + o);
        store<f64>(pd + (<usize>w << 3), exactD2(qp, pts + <usize>idx * rowBytes, dim));
        store<i32>(pi + (<usize>w << 2), idx);
        w++;
      }
    }
    sortPairs(pd, pi, w);
    const base = <usize>i * <usize>k;
    for (let a = 0; a < k; a++) {
      store<i32>(outIdx + ((base + <usize>a) << 2), load<i32>(pi + (<usize>a << 2)));
      store<f32>(outDist + ((base + <usize>a) << 2), <f32>Math.sqrt(load<f64>(pd + (<usize>a << 3))));
    }
  }
}
