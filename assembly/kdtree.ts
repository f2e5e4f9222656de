// Exact kd-tree search (float64 distances, no float32 pass) for low-dimensional data.
// The tree is built in JavaScript (src/neighbors/kdtree.ts) as flat arrays:
//   kpts   row-major f32 points in leaf order; perm: original row index of each leaf-order row
//   nodes  6 x i32 per node: start, end, left (-1 for a leaf), right, split feature, split value bits
//   bounds 2 x dim f32 per node: the exact min then max of its points per feature
// A node is skipped when its box distance lb > the current k-th (d, idx) distance. lb is summed in
// feature order from gaps no larger than the point differences, and float64 rounding is monotone,
// so lb <= d for every point inside: pruning never drops a true neighbour, ties included.
import { exactD2, heapOffer, emitHeap } from './knn';

const STACK: i32 = 256;

/** Bytes of scratch kdRange needs. */
export function kdScratchBytes(k: i32): i32 {
  return k * 12 + STACK * 4 + 64;
}

// @ts-ignore: decorator
@inline
function boxD2(qp: usize, lo: usize, hi: usize, dim: i32): f64 {
  let s: f64 = 0;
  for (let j = 0; j < dim; j++) {
    const o = <usize>j << 2;
    const q = <f64>load<f32>(qp + o);
    const a = <f64>load<f32>(lo + o);
    if (q < a) {
      const t = a - q;
      s += t * t;
    } else {
      const b = <f64>load<f32>(hi + o);
      if (q > b) {
        const t = q - b;
        s += t * t;
      }
    }
  }
  return s;
}

/** Exact kNN of queries [qb, qe) by kd-tree search; same result layout as bruteRange. */
export function kdRange(
  kpts: usize, perm: usize, nodes: usize, bounds: usize, n: i32, dim: i32,
  qs: usize, qb: i32, qe: i32, selfMode: i32, k: i32,
  scratch: usize, outIdx: usize, outDist: usize,
): void {
  const hd = scratch;
  const hi = hd + (<usize>k << 3);
  const stack = hi + (<usize>k << 2);
  const rowBytes = <usize>dim << 2;
  const boundBytes = <usize>dim << 3;
  for (let q = qb; q < qe; q++) {
    const qp = qs + <usize>q * rowBytes;
    const self = selfMode ? q : -1;
    let size = 0;
    let sp = 1;
    store<i32>(stack, 0);
    while (sp > 0) {
      sp--;
      const node = load<i32>(stack + (<usize>sp << 2));
      const np = nodes + <usize>node * 24;
      if (size == k) {
        const lo = bounds + <usize>node * boundBytes;
        if (boxD2(qp, lo, lo + rowBytes, dim) > load<f64>(hd)) continue;
      }
      const left = load<i32>(np, 8);
      if (left < 0) {
        const end = load<i32>(np, 4);
        for (let p = load<i32>(np, 0); p < end; p++) {
          const idx = load<i32>(perm + (<usize>p << 2));
          if (idx == self) continue;
          const d = exactD2(qp, kpts + <usize>p * rowBytes, dim);
          size = heapOffer(hd, hi, size, k, d, idx);
        }
      } else {
        const right = load<i32>(np, 12);
        const f = load<i32>(np, 16);
        const v = load<f32>(np, 20);
        const sptr = stack + (<usize>sp << 2);
        if (load<f32>(qp + (<usize>f << 2)) < v) {
          store<i32>(sptr, right);
          store<i32>(sptr, left, 4);
        } else {
          store<i32>(sptr, left);
          store<i32>(sptr, right, 4);
        }
        sp += 2;
      }
    }
    emitHeap(hd, hi, k, outIdx, outDist, q);
  }
}
