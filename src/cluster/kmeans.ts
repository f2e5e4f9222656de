/**
 * Seeded k-means (k-means++ seeding, Lloyd iterations) in float64.
 *
 * Used by KMeans-SMOTE (clusters to synthesize in) and cluster-centroids (prototypes).
 * Deterministic given `rng`: each restart draws from `rng.fork('kmeans/init/' + r)`, so the
 * result depends only on the seed path, the points and the options.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** Options of {@link kmeans}; defaults follow scikit-learn's KMeans (Lloyd) where it matters. */
export interface KMeansOptions {
  /** Lloyd iterations per restart (default 300). */
  readonly maxIter?: number;
  /**
   * Convergence tolerance, relative as in scikit-learn: iterations stop when the summed squared
   * centroid shift is <= tol * mean per-feature variance of the points (default 1e-4).
   */
  readonly tol?: number;
  /** Restarts with independent seedings; the lowest inertia wins, first on ties (default 3). */
  readonly nInit?: number;
  /**
   * Stops the clustering, which then rejects with the signal's reason. The work pauses for the
   * event loop every PAUSE_MS (between iterations), so a signal raised there (Ctrl-C) is heard.
   */
  readonly signal?: AbortSignal;
}

/** Longest the clustering computes before it lets the event loop turn. */
const PAUSE_MS = 100;

/** The fitted clustering. */
export interface KMeansResult {
  /** k x dim row-major centroids. */
  readonly centroids: Float64Array;
  /** Cluster of each point, in [0, k). */
  readonly labels: Int32Array;
  /** Sum of squared distances of the points to their centroid. */
  readonly inertia: number;
}

/**
 * Clusters `points` (row-major n x dim) into `k` clusters.
 *
 * Seeding is greedy k-means++ (2 + floor(ln k) candidate draws per centre, the candidate that
 * lowers the potential most is kept), as scikit-learn does. Lloyd iterations reassign points to
 * the nearest centroid (ties to the lower cluster index) and recompute means; a cluster left empty
 * is moved to the point farthest from its centroid, so every cluster keeps at least one point
 * when there are at least k distinct points.
 *
 * @throws DataError REBALANCE_KMEANS_K when k < 1 or k exceeds the number of points.
 */
export async function kmeans(
  points: Float32Array | Float64Array,
  dim: number,
  k: number,
  rng: Rng,
  opts: KMeansOptions = {},
): Promise<KMeansResult> {
  if (!(dim >= 1) || !Number.isInteger(dim) || points.length % dim !== 0) {
    throw new RangeError(`kmeans: points.length (${points.length}) must be a multiple of dim (${dim})`);
  }
  const n = points.length / dim;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new DataError(
      'REBALANCE_KMEANS_K',
      `k-means needs 1 <= clusters <= rows, got ${k} clusters for ${n} rows; ask for fewer clusters`,
    );
  }
  const maxIter = opts.maxIter ?? 300;
  const nInit = Math.max(1, opts.nInit ?? 3);
  const tol = scaledTol(points, n, dim, opts.tol ?? 1e-4);

  const x = points instanceof Float64Array ? points : Float64Array.from(points);
  const ws: Workspace = {
    centroids: new Float64Array(k * dim),
    next: new Float64Array(k * dim),
    labels: new Int32Array(n),
    prev: new Int32Array(n),
    d2: new Float64Array(n),
    counts: new Int32Array(k),
    cand: new Float64Array(n),
    best: new Float64Array(n),
  };
  let paused = performance.now();
  const pause = async (): Promise<void> => {
    if (performance.now() - paused < PAUSE_MS) return;
    await new Promise((resolve) => setImmediate(resolve));
    opts.signal?.throwIfAborted();
    paused = performance.now();
  };
  opts.signal?.throwIfAborted();
  let best: KMeansResult | null = null;
  for (let r = 0; r < nInit; r++) {
    const sub = rng.fork(`kmeans/init/${r}`);
    await seedPlusPlus(x, n, dim, k, sub, ws, pause);
    const inertia = await lloyd(x, n, dim, k, maxIter, tol, ws, pause);
    if (best === null || inertia < best.inertia) {
      best = { centroids: ws.centroids.slice(), labels: ws.labels.slice(), inertia };
    }
  }
  return best!;
}

interface Workspace {
  centroids: Float64Array;
  next: Float64Array;
  labels: Int32Array;
  /** Labels of the previous iteration. */
  prev: Int32Array;
  /** Squared distance of each point to its assigned / closest centre. */
  d2: Float64Array;
  counts: Int32Array;
  cand: Float64Array;
  best: Float64Array;
}

function scaledTol(x: Float32Array | Float64Array, n: number, dim: number, tol: number): number {
  if (tol === 0) return 0;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * dim + j];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const t = x[i * dim + j] - mean;
      v += t * t;
    }
    total += v / n;
  }
  return (total / dim) * tol;
}

function sqDist(x: Float64Array, i: number, c: Float64Array, ci: number, dim: number): number {
  let s = 0;
  const a = i * dim;
  const b = ci * dim;
  for (let j = 0; j < dim; j++) {
    const t = x[a + j] - c[b + j];
    s += t * t;
  }
  return s;
}

/** Draws an index with probability proportional to w (uniform when all weights are 0). */
function drawWeighted(w: Float64Array, total: number, rng: Rng): number {
  const n = w.length;
  if (!(total > 0)) return rng.nextInt(n);
  const u = rng.nextFloat() * total;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    acc += w[i];
    if (u < acc) return i;
  }
  // Rounding left u at the top: the last point with weight.
  for (let i = n - 1; i >= 0; i--) if (w[i] > 0) return i;
  return n - 1;
}

async function seedPlusPlus(x: Float64Array, n: number, dim: number, k: number, rng: Rng, ws: Workspace, pause: () => Promise<void>): Promise<void> {
  const { centroids, d2, cand, best } = ws;
  const trials = 2 + Math.floor(Math.log(k));
  const first = rng.nextInt(n);
  centroids.set(x.subarray(first * dim, first * dim + dim), 0);
  let pot = 0;
  for (let i = 0; i < n; i++) {
    d2[i] = sqDist(x, i, centroids, 0, dim);
    pot += d2[i];
  }
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity;
    let bestIdx = -1;
    for (let t = 0; t < trials; t++) {
      const idx = drawWeighted(d2, pot, rng);
      let p = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < dim; j++) {
          const diff = x[i * dim + j] - x[idx * dim + j];
          s += diff * diff;
        }
        const m = s < d2[i] ? s : d2[i];
        cand[i] = m;
        p += m;
      }
      if (p < bestPot) {
        bestPot = p;
        bestIdx = idx;
        best.set(cand);
      }
    }
    centroids.set(x.subarray(bestIdx * dim, bestIdx * dim + dim), c * dim);
    d2.set(best);
    pot = bestPot;
    await pause();
  }
}

/** Assigns every point to its nearest centroid; returns the inertia. */
function assign(x: Float64Array, n: number, dim: number, k: number, ws: Workspace): number {
  const { centroids, labels, d2 } = ws;
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let bd = Infinity;
    let bc = 0;
    for (let c = 0; c < k; c++) {
      const s = sqDist(x, i, centroids, c, dim);
      if (s < bd) {
        bd = s;
        bc = c;
      }
    }
    labels[i] = bc;
    d2[i] = bd;
    inertia += bd;
  }
  return inertia;
}

async function lloyd(
  x: Float64Array, n: number, dim: number, k: number, maxIter: number, tol: number, ws: Workspace, pause: () => Promise<void>,
): Promise<number> {
  const { centroids, next, labels, prev, d2, counts } = ws;
  assign(x, n, dim, k, ws);
  for (let it = 0; it < maxIter; it++) {
    next.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c]++;
      const a = i * dim;
      const b = c * dim;
      for (let j = 0; j < dim; j++) next[b + j] += x[a + j];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // Relocate the empty cluster to the point currently farthest from its centre.
        let far = 0;
        for (let i = 1; i < n; i++) if (d2[i] > d2[far]) far = i;
        next.set(x.subarray(far * dim, far * dim + dim), c * dim);
        d2[far] = 0;
        continue;
      }
      const inv = 1 / counts[c];
      for (let j = 0; j < dim; j++) next[c * dim + j] *= inv;
    }
    let shift = 0;
    for (let t = 0; t < k * dim; t++) {
      const diff = next[t] - centroids[t];
      shift += diff * diff;
    }
    centroids.set(next);
    prev.set(labels);
    assign(x, n, dim, k, ws);
    let same = true;
    for (let i = 0; i < n; i++) {
      if (prev[i] !== labels[i]) {
        same = false;
        break;
      }
    }
    if (same || shift <= tol) break;
    await pause();
  }
  return assign(x, n, dim, k, ws);
}
