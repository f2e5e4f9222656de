/**
 * Exact float64 re-ranking of GPU candidates, with a proof check and a per-query exact fallback.
 *
 * The kernel ranks by a float32 distance f; the contract ranks by the float64 sum D of squared
 * float64 differences (what naive.ts computes). For a float32 sum of squares (non-negative terms
 * in any order, with or without fused multiply-adds) |f - D| <= gamma(dim + 2) * D plus an
 * absolute term for float32 underflow (flushed subnormals); centering and the expansion
 * |q|^2 + |r|^2 - 2 q.r add a per-query absolute `slack` (expansionSlack). Every row the kernel
 * did not keep has f >= fLast (the largest kept float32 distance), hence
 * D >= (fLast - abs - slack) / (1 + rel). So if the k-th exact distance E_k among the candidates
 * satisfies E_k * (1 + rel) + abs + slack < fLast, no outside row can reach the top k (not even
 * on a tie) and the candidates' exact top k is the true top k. Otherwise (ties or near-ties at the cut, empty slots) the query is scanned
 * exactly on the CPU. Results are therefore identical to naive.ts, never approximations.
 */
import type { KnnResult } from '../../types.js';

/** Output arrays and scratch reused across queries (allocated once per search). */
export interface RerankTarget {
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

/** One batch of kernel candidates (row-major count x kc) to re-rank. */
export interface CandidateBatch {
  readonly kc: number;
  readonly count: number;
  readonly dist: Float32Array;
  readonly idx: Uint32Array;
  /** Row in `queries` (and in the output) of the batch's first query. */
  readonly firstRow: number;
  /** True when the queries are the indexed points themselves (self excluded by row id). */
  readonly self: boolean;
}

/**
 * Receives a query whose candidates were not proven complete, with `bound`: a float32 distance
 * that every true top-k row's kernel distance is at most (Infinity when none is known).
 */
export type UnprovenHandler = (row: number, bound: number) => void;

/**
 * The re-rank functions, built by one self-contained function (it uses nothing from this
 * module's scope, not even imports) so worker threads can build the same functions from its
 * source text (rerank-pool.ts). The exports below are this module's instance.
 */
export function rerankKit() {
  /** kernels.ts NO_INDEX: an empty candidate slot (a test checks the two agree). */
  const NONE = 0xffffffff;
  const U32 = 2 ** -24;
  /** Smallest normal float32: the most a flushed subnormal term can lose. */
  const FLT_MIN = 2 ** -126;

  /** Relative and absolute bounds on |f32 kernel distance - f64 exact distance|, with a 2x margin. */
  function distanceErrorBound(dim: number): { rel: number; abs: number } {
    const n = dim + 2;
    const gamma = (n * U32) / (1 - n * U32);
    return { rel: 2 * gamma + 1e-12, abs: 4 * (dim + 1) * FLT_MIN };
  }

  /**
   * Per-query absolute slack for rows stored centered with their squared norm (search.ts
   * prepareRows) and ranked by the expansion |q|^2 + |r|^2 - 2 q.r (kernels.ts): with
   * M = |q'| + max |r'| over centered rows, the float32 expansion is within (2 gamma(dim + 4) + 3u) M^2
   * of the exact distance between the stored float32 coordinates (dim + 1 fused products including
   * the norm slot, the stored norms rounded once, the final subtraction), and those coordinates
   * (rounded after centering) move the distance by at most 3u M^2. Returned with a 2x margin, one
   * value per row of `norms` (the queries' float64 squared centered norms), written to `out`.
   */
  function expansionSlack(dim: number, norms: Float64Array, maxNorm: number, out: Float64Array = new Float64Array(norms.length)): Float64Array {
    const n = dim + 4;
    const gamma = (n * U32) / (1 - n * U32);
    const c = 2 * (2 * gamma + 6 * U32) + 1e-12;
    const rMax = Math.sqrt(maxNorm);
    for (let i = 0; i < norms.length; i++) {
      const m = Math.sqrt(norms[i]) + rMax;
      out[i] = c * m * m;
    }
    return out;
  }

  /** Float64 squared distance between query row `qRow` of `queries` and point row `pRow`. */
  function exactSquaredDistance(points: Float32Array, pRow: number, queries: Float32Array, qRow: number, dim: number): number {
    const po = pRow * dim;
    const qo = qRow * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const diff = queries[qo + j] - points[po + j];
      s += diff * diff;
    }
    return s;
  }

  /**
   * Exact top-k of one query by a full float64 scan (ties by lower index, `selfIndex` skipped),
   * written to row `outRow` of `out`. The fallback when candidates cannot be proven complete.
   */
  function exactScanQuery(
    points: Float32Array,
    dim: number,
    queries: Float32Array,
    qRow: number,
    selfIndex: number,
    out: RerankTarget,
    outRow: number,
    scratchD: Float64Array,
  ): void {
    const k = out.k;
    const n = points.length / dim;
    const ci = new Int32Array(k);
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (i === selfIndex) continue;
      const d = exactSquaredDistance(points, i, queries, qRow, dim);
      // Rows arrive in ascending index, so an equal distance never displaces a kept row.
      if (count === k && !(d < scratchD[k - 1])) continue;
      insertAt(scratchD, ci, count < k ? count++ : k - 1, d, i);
    }
    writeTopK(out, outRow, scratchD, ci);
  }

  /**
   * The float32 kernel-distance bound for rows that can be in the top k, given E_k (the k-th exact
   * distance among rows already seen): f <= D (1 + rel) + abs + slack <= E_k (1 + rel) + abs + slack,
   * with a 2x margin, rounded up. `slack`: the query's extra absolute error (expansionSlack).
   */
  function collectBound(ek: number, dim: number, slack = 0): number {
    const { rel, abs } = distanceErrorBound(dim);
    const b = ek * (1 + 2 * rel) + 2 * abs + 2 * slack;
    const f = Math.fround(b);
    if (f >= b) return f;
    // Next float32 above f (f is finite, non-negative here).
    const buf = new Float32Array([f]);
    new Uint32Array(buf.buffer)[0] += 1;
    return buf[0];
  }

  /**
   * Puts (d, i) into the list cd/ci, sorted by (distance, index), at slot `pos` or below: entries
   * from the insertion point to pos - 1 move up one slot (what was in `pos` is dropped).
   */
  function insertAt(cd: Float64Array, ci: Int32Array, pos: number, d: number, i: number): void {
    while (pos > 0 && (cd[pos - 1] > d || (cd[pos - 1] === d && ci[pos - 1] > i))) {
      cd[pos] = cd[pos - 1];
      ci[pos] = ci[pos - 1];
      pos--;
    }
    cd[pos] = d;
    ci[pos] = i;
  }

  /** Writes the first out.k entries of cd/ci as row `row` of `out` (distances square-rooted). */
  function writeTopK(out: RerankTarget, row: number, cd: Float64Array, ci: Int32Array): void {
    const base = row * out.k;
    for (let t = 0; t < out.k; t++) {
      out.indices[base + t] = ci[t];
      out.distances[base + t] = Math.sqrt(cd[t]);
    }
  }

  /**
   * Re-ranks one batch exactly into `out`. Queries whose candidates cannot be proven to hold the
   * true top k go to `unproven` when given (with a collectBound), else are scanned exactly here.
   * `slack[row]`, when given, is an absolute error of the kernel distances of query `row` on top of
   * distanceErrorBound (expansionSlack). Returns how many queries were not proven.
   */
  function rerankBatch(
    points: Float32Array,
    dim: number,
    queries: Float32Array,
    batch: CandidateBatch,
    out: RerankTarget,
    unproven?: UnprovenHandler,
    slack?: Float64Array,
  ): number {
    const k = out.k;
    const { kc, count, dist, idx, firstRow, self } = batch;
    const n = points.length / dim;
    const available = self ? n - 1 : n;
    const need = Math.min(kc, available);
    const { rel, abs } = distanceErrorBound(dim);
    const cd = new Float64Array(kc);
    const ci = new Int32Array(kc);
    const scratch = new Float64Array(k);
    let fallbacks = 0;
    for (let b = 0; b < count; b++) {
      const row = firstRow + b;
      const selfIndex = self ? row : -1;
      const o = b * kc;
      const extra = slack ? slack[row] : 0;
      let valid = 0;
      while (valid < kc && idx[o + valid] !== NONE) valid++;
      // Exact distances of the candidates, insertion-sorted by (distance, index), when they are
      // at least k real rows other than the query itself. Candidates arrive in float32 order, so
      // once one has f > E_k (1 + rel) + abs + slack, it and every later one have exact D > E_k: they can
      // neither enter the top k nor tie with it, and the top k is proven (the same test as below).
      let ranked = valid >= k;
      let pruned = false;
      for (let t = 0; ranked && t < valid; t++) {
        if (t >= k && cd[k - 1] * (1 + rel) + abs + extra < dist[o + t]) {
          pruned = true;
          break;
        }
        const i = idx[o + t];
        if (i >= n || i === selfIndex) {
          ranked = false;
          break;
        }
        insertAt(cd, ci, t, exactSquaredDistance(points, i, queries, row, dim), i);
      }
      // Complete when every available row is a candidate; else prove nothing outside can enter.
      let ok = ranked && valid >= need;
      if (ok && !pruned && valid < available) ok = cd[k - 1] * (1 + rel) + abs + extra < dist[o + valid - 1];
      if (!ok) {
        fallbacks++;
        if (unproven) unproven(row, ranked ? collectBound(cd[k - 1], dim, extra) : Infinity);
        else exactScanQuery(points, dim, queries, row, selfIndex, out, row, scratch);
        continue;
      }
      writeTopK(out, row, cd, ci);
    }
    return fallbacks;
  }

  /**
   * Writes the exact top k of query `row` from an explicit candidate list (every row whose kernel
   * distance is within the collect bound, so a superset of the true top k), ties by index.
   * Returns false, writing nothing, when the list holds fewer than k rows, an out-of-range row or
   * `selfIndex` (a device fault): the caller then scans exactly.
   */
  function rerankList(
    points: Float32Array,
    dim: number,
    queries: Float32Array,
    row: number,
    selfIndex: number,
    list: Uint32Array,
    out: RerankTarget,
    cd: Float64Array,
    ci: Int32Array,
  ): boolean {
    const k = out.k;
    const n = points.length / dim;
    if (list.length < k) return false;
    let count = 0;
    for (let t = 0; t < list.length; t++) {
      const i = list[t];
      if (i >= n || i === selfIndex) return false;
      const d = exactSquaredDistance(points, i, queries, row, dim);
      if (count === k && !(d < cd[k - 1] || (d === cd[k - 1] && i < ci[k - 1]))) continue;
      insertAt(cd, ci, count < k ? count++ : k - 1, d, i);
    }
    writeTopK(out, row, cd, ci);
    return true;
  }

  return { distanceErrorBound, expansionSlack, exactSquaredDistance, exactScanQuery, collectBound, rerankBatch, rerankList };
}

/** What rerankKit builds. */
export type RerankKit = ReturnType<typeof rerankKit>;

export const { distanceErrorBound, expansionSlack, exactSquaredDistance, exactScanQuery, collectBound, rerankBatch, rerankList } = rerankKit();

/** An empty n x k result to fill. */
export function allocateResult(rows: number, k: number): KnnResult {
  return { k, indices: new Int32Array(rows * k), distances: new Float32Array(rows * k) };
}
