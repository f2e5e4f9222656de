/**
 * Builds a kd-tree over row-major Float32 points as flat arrays, the layout the WebAssembly search
 * (assembly/kdtree.ts) reads. Exactness does not depend on the splits, only on the node boxes
 * being the true per-feature min/max of their points (see the search's pruning argument).
 */

/** Int32 fields per node in `nodes`: start, end, left (-1 = leaf), right, split feature, split value bits. */
export const KD_NODE_INTS = 6;

export interface KdTree {
  /** Original row index of each leaf-order row. */
  readonly perm: Int32Array;
  /** Points in leaf order, row-major n x dim. */
  readonly points: Float32Array;
  /** KD_NODE_INTS int32 per node; node 0 is the root. */
  readonly nodes: Int32Array;
  /** Per node: dim minima then dim maxima. */
  readonly bounds: Float32Array;
  readonly nodeCount: number;
}

/**
 * Builds the tree: each node splits its widest feature at the median (by quickselect on the
 * permutation) until at most `leafSize` points remain or all its points coincide.
 */
export function buildKdTree(points: Float32Array, dim: number, leafSize = 16): KdTree {
  const n = points.length / dim;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const maxNodes = Math.max(1, 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 1);
  const nodes = new Int32Array(maxNodes * KD_NODE_INTS);
  const bounds = new Float32Array(maxNodes * 2 * dim);
  const f32 = new Float32Array(1);
  const f32Bits = new Int32Array(f32.buffer);
  let count = 0;

  const stack: number[] = [];
  const make = (start: number, end: number): number => {
    const id = count++;
    nodes[id * KD_NODE_INTS] = start;
    nodes[id * KD_NODE_INTS + 1] = end;
    nodes[id * KD_NODE_INTS + 2] = -1;
    nodes[id * KD_NODE_INTS + 3] = -1;
    stack.push(id);
    return id;
  };
  make(0, n);
  while (stack.length > 0) {
    const id = stack.pop()!;
    const start = nodes[id * KD_NODE_INTS];
    const end = nodes[id * KD_NODE_INTS + 1];
    const lo = id * 2 * dim;
    const hi = lo + dim;
    for (let j = 0; j < dim; j++) {
      bounds[lo + j] = Infinity;
      bounds[hi + j] = -Infinity;
    }
    for (let p = start; p < end; p++) {
      const row = perm[p] * dim;
      for (let j = 0; j < dim; j++) {
        const v = points[row + j];
        if (v < bounds[lo + j]) bounds[lo + j] = v;
        if (v > bounds[hi + j]) bounds[hi + j] = v;
      }
    }
    if (end - start <= leafSize) continue;
    let f = 0;
    let spread = -1;
    for (let j = 0; j < dim; j++) {
      const s = bounds[hi + j] - bounds[lo + j];
      if (s > spread) {
        spread = s;
        f = j;
      }
    }
    if (!(spread > 0)) continue; // all points coincide: one leaf
    const mid = (start + end) >> 1;
    selectByFeature(points, dim, perm, start, end - 1, mid, f);
    f32[0] = points[perm[mid] * dim + f];
    nodes[id * KD_NODE_INTS + 4] = f;
    nodes[id * KD_NODE_INTS + 5] = f32Bits[0];
    nodes[id * KD_NODE_INTS + 2] = make(start, mid);
    nodes[id * KD_NODE_INTS + 3] = make(mid, end);
  }

  const sorted = new Float32Array(n * dim);
  for (let p = 0; p < n; p++) sorted.set(points.subarray(perm[p] * dim, perm[p] * dim + dim), p * dim);
  return {
    perm,
    points: sorted,
    nodes: nodes.slice(0, count * KD_NODE_INTS),
    bounds: bounds.slice(0, count * 2 * dim),
    nodeCount: count,
  };
}

/** Reorders perm[lo..hi] so perm[r] holds the row with the r-th smallest feature f (Hoare quickselect). */
function selectByFeature(points: Float32Array, dim: number, perm: Int32Array, lo: number, hi: number, r: number, f: number): void {
  while (lo < hi) {
    const pivot = points[perm[(lo + hi) >> 1] * dim + f];
    let a = lo;
    let b = hi;
    while (a <= b) {
      while (points[perm[a] * dim + f] < pivot) a++;
      while (points[perm[b] * dim + f] > pivot) b--;
      if (a <= b) {
        const t = perm[a];
        perm[a] = perm[b];
        perm[b] = t;
        a++;
        b--;
      }
    }
    if (r <= b) hi = b;
    else if (r >= a) lo = a;
    else return;
  }
}
