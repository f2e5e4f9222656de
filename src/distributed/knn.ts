/**
 * Distributed exact kNN and the cleaning decisions built on it. The contract is the engine's
 * (docs/ARCHITECTURE.md "kNN engine"): the exact top-k by float64 squared distance computed from
 * the Float32 coordinates, ties by the lower row index, self excluded by row id. Global row ids
 * are row indices of the concatenated table, so:
 *   points   a partition's rows as (global id, global class code, Float32 coordinates);
 *   knn      the queries against ONE partition: its exact top-(k+1) from the engine, the query
 *            itself dropped by id, distances recomputed in float64 from the Float32 coordinates
 *            exactly as the reference does (naive.ts): a partial top-k per query;
 *   merge    the partial lists of every partition sorted by (distance, global id), first k:
 *            the same list a single-machine search over the whole table returns.
 */
import { DataError } from '../core/errors.js';
import { packForKnn } from '../dataset/pack.js';
import { DatasetBuilder } from '../pipeline/collect.js';
import { eachRow } from '../pipeline/passes.js';
import { neighbourMode } from '../samplers/shared/neighbours.js';
import type { KnnBackend } from '../types.js';
import type { Blob } from './blob.js';
import type { DistPlan } from './plan.js';
import { openPlanned, type PartitionStep } from './steps.js';

export interface Points {
  readonly dim: number;
  readonly gids: Float64Array;
  readonly labels: Int32Array;
  readonly coords: Float32Array;
}

export interface Neighbours {
  readonly k: number;
  readonly queryGids: Float64Array;
  readonly queryLabels: Int32Array;
  /** m x k neighbour global ids (-1: none in this partition). */
  readonly gids: Float64Array;
  /** m x k squared distances (Infinity: none). */
  readonly d2: Float64Array;
  readonly labels: Int32Array;
}

export function pointsToBlob(p: Points): [Record<string, unknown>, Record<string, Float64Array | Float32Array | Int32Array>] {
  return [{ type: 'points', dim: p.dim }, { gids: p.gids, labels: p.labels, coords: p.coords }];
}

export function pointsFromBlob(b: Blob, file: string): Points {
  const { gids, labels, coords } = b.arrays;
  if (b.meta.type !== 'points' || !(gids instanceof Float64Array) || !(labels instanceof Int32Array) || !(coords instanceof Float32Array)) {
    throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} is not a points file; give a file 'rebalance dist points' wrote`);
  }
  return { dim: Number(b.meta.dim), gids, labels, coords };
}

export function neighboursToBlob(n: Neighbours): [Record<string, unknown>, Record<string, Float64Array | Float32Array | Int32Array>] {
  return [{ type: 'neighbours', k: n.k }, { queryGids: n.queryGids, queryLabels: n.queryLabels, gids: n.gids, d2: n.d2, labels: n.labels }];
}

export function neighboursFromBlob(b: Blob, file: string): Neighbours {
  const a = b.arrays;
  if (b.meta.type !== 'neighbours' || !(a.queryGids instanceof Float64Array) || !(a.gids instanceof Float64Array) || !(a.d2 instanceof Float64Array)) {
    throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} is not a neighbours file; give a file 'rebalance dist knn' or 'merge' wrote`);
  }
  return { k: Number(b.meta.k), queryGids: a.queryGids, queryLabels: a.queryLabels as Int32Array, gids: a.gids, d2: a.d2, labels: a.labels as Int32Array };
}

/** The points step: every kept row of the partition (features packed as the engine packs them). */
export async function partitionPoints(step: PartitionStep): Promise<Points> {
  const p = await openPlanned(step);
  try {
    const { source, profile, offset, toGlobal } = p;
    const builder = new DatasetBuilder(profile, () => true);
    await eachRow({ source, profile, signal: step.read?.signal }, (cells, r, code) => builder.add(cells, r, code));
    const data = builder.finish();
    const gids = new Float64Array(data.nRows);
    const labels = new Int32Array(data.nRows);
    for (let i = 0; i < data.nRows; i++) {
      gids[i] = offset + i;
      labels[i] = toGlobal[data.labels[i]];
    }
    return { dim: data.features.length, gids, labels, coords: packForKnn(data, 'none') };
  } finally {
    await p.source.close();
  }
}

/** Which rows of the query files are queries: by global class code, or by global id. */
export interface QueryFilter {
  readonly classes?: ReadonlySet<number>;
  readonly ids?: ReadonlySet<number>;
}

/** The query rows of some points files, in file order. */
export function selectQueries(files: readonly Points[], filter: QueryFilter): Points {
  const dim = files[0]?.dim ?? 0;
  const keep: [Points, number][] = [];
  for (const f of files) {
    if (f.dim !== dim) throw new DataError('REBALANCE_PLAN_MISMATCH', `points files of ${f.dim} and ${dim} features; use points files of one plan`);
    for (let i = 0; i < f.gids.length; i++) {
      if (filter.classes && !filter.classes.has(f.labels[i])) continue;
      if (filter.ids && !filter.ids.has(f.gids[i])) continue;
      keep.push([f, i]);
    }
  }
  const gids = new Float64Array(keep.length);
  const labels = new Int32Array(keep.length);
  const coords = new Float32Array(keep.length * dim);
  keep.forEach(([f, i], q) => {
    gids[q] = f.gids[i];
    labels[q] = f.labels[i];
    coords.set(f.coords.subarray(i * dim, (i + 1) * dim), q * dim);
  });
  return { dim, gids, labels, coords };
}

/** Exact float64 squared distance from Float32 coordinates, in the reference's operation order. */
function d2Of(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const diff = a[ai * dim + j] - b[bi * dim + j];
    s += diff * diff;
  }
  return s;
}

/** Queries per engine call (bounds the k x queries result arrays). */
const QUERY_BLOCK = 65536;

/** The knn step: the partial top-k of every query within one partition's points. */
export async function partialKnn(queries: Points, against: Points, k: number, backend: KnnBackend): Promise<Neighbours> {
  const m = queries.gids.length;
  const dim = queries.dim;
  const n = against.gids.length;
  const out: Neighbours = { k, queryGids: queries.gids, queryLabels: queries.labels, gids: new Float64Array(m * k).fill(-1), d2: new Float64Array(m * k).fill(Infinity), labels: new Int32Array(m * k).fill(-1) };
  if (m === 0 || n === 0) return out;
  if (against.dim !== dim) throw new DataError('REBALANCE_PLAN_MISMATCH', `points files of ${against.dim} and ${dim} features; use points files of one plan`);
  const kk = Math.min(k + 1, n);
  const index = await backend.build(against.coords, dim);
  try {
    for (let first = 0; first < m; first += QUERY_BLOCK) {
      const count = Math.min(QUERY_BLOCK, m - first);
      const res = await index.query(queries.coords.subarray(first * dim, (first + count) * dim), kk);
      for (let i = 0; i < count; i++) {
        const q = first + i;
        let t = 0;
        for (let c = 0; c < kk && t < k; c++) {
          const idx = res.indices[i * kk + c];
          const gid = against.gids[idx];
          if (gid === queries.gids[q]) continue;
          out.gids[q * k + t] = gid;
          out.d2[q * k + t] = d2Of(queries.coords, q, against.coords, idx, dim);
          out.labels[q * k + t] = against.labels[idx];
          t++;
        }
      }
    }
  } finally {
    index.dispose();
  }
  return out;
}

/**
 * The merge step: partial lists of the same queries (one per partition or group of partitions)
 * -> the global top-k. `complete`: these are all partitions, so fewer than k neighbours is an
 * error (a partial merge inside a knn step keeps the gaps).
 */
export function mergeNeighbours(parts: readonly Neighbours[], complete = true): Neighbours {
  if (parts.length === 0) throw new DataError('REBALANCE_NO_INPUT', 'no partial neighbour files given; pass the files the knn step wrote');
  const { k, queryGids, queryLabels } = parts[0];
  const m = queryGids.length;
  for (const p of parts) {
    if (p.k !== k || p.queryGids.length !== m || p.queryGids.some((g, i) => g !== queryGids[i])) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', 'the partial neighbour files answer different queries; merge the knn results of one query set against every partition');
    }
  }
  const out: Neighbours = { k, queryGids, queryLabels, gids: new Float64Array(m * k), d2: new Float64Array(m * k), labels: new Int32Array(m * k) };
  const cand: number[] = [];
  for (let q = 0; q < m; q++) {
    cand.length = 0;
    for (let p = 0; p < parts.length; p++) {
      for (let t = 0; t < k; t++) if (parts[p].gids[q * k + t] >= 0) cand.push(p * k + t);
    }
    if (cand.length < k && complete) {
      throw new DataError('REBALANCE_TOO_FEW_ROWS', `row ${queryGids[q]} has ${cand.length} neighbours in all partitions, ${k} are needed; use fewer neighbours or more data`);
    }
    const at = (c: number): Neighbours => parts[Math.floor(c / k)];
    const pos = (c: number): number => q * k + (c % k);
    cand.sort((a, b) => at(a).d2[pos(a)] - at(b).d2[pos(b)] || at(a).gids[pos(a)] - at(b).gids[pos(b)]);
    for (let t = 0; t < k; t++) {
      const c = cand[t];
      if (c === undefined) {
        out.gids[q * k + t] = -1;
        out.d2[q * k + t] = Infinity;
        out.labels[q * k + t] = -1;
        continue;
      }
      out.gids[q * k + t] = at(c).gids[pos(c)];
      out.d2[q * k + t] = at(c).d2[pos(c)];
      out.labels[q * k + t] = at(c).labels[pos(c)];
    }
  }
  return out;
}

/**
 * Tomek links need the nearest neighbour of both members of a link; the first round queries the
 * classes outside the largest one (every link has such a member). The partners step lists the
 * neighbours of another class that were not queried: the second round queries those.
 */
export function tomekPartners(plan: DistPlan, lists: readonly Neighbours[]): number[] {
  const queried = new Set(plan.clean?.queryClasses.map((n) => plan.classNames.indexOf(n)));
  const ids = new Set<number>();
  for (const nn of lists) {
    for (let q = 0; q < nn.queryGids.length; q++) {
      const g = nn.gids[q * nn.k];
      const l = nn.labels[q * nn.k];
      if (l !== nn.queryLabels[q] && !queried.has(l)) ids.add(g);
    }
  }
  return [...ids].sort((a, b) => a - b);
}

/** The clean step: the global ids the method removes, ascending, from the merged neighbour lists. */
export function cleanDecision(plan: DistPlan, lists: readonly Neighbours[]): number[] {
  const spec = plan.clean;
  if (!spec) throw new DataError('REBALANCE_PLAN_MISMATCH', `the plan is for ${plan.method}, not a cleaning method; run the clean step with a tomek-links or enn plan`);
  const mask = new Uint8Array(plan.classNames.length);
  for (const n of spec.cleanClasses) mask[plan.classNames.indexOf(n)] = 1;
  const removed = new Set<number>();
  if (spec.method === 'enn') {
    const votes = new Int32Array(plan.classNames.length);
    const idx = Int32Array.from({ length: spec.k }, (_, t) => t);
    for (const nn of lists) {
      const k = nn.k;
      for (let q = 0; q < nn.queryGids.length; q++) {
        const own = nn.queryLabels[q];
        if (!mask[own]) continue;
        const labels = nn.labels.subarray(q * k, (q + 1) * k);
        let keep = true;
        if (spec.variant === 'all') {
          for (let t = 0; t < k; t++) if (labels[t] !== own) keep = false;
        } else if (neighbourMode(labels, idx, 0, k, spec.tie, votes) !== own) keep = false;
        if (!keep) removed.add(nn.queryGids[q]);
      }
    }
  } else {
    const nearest = new Map<number, { label: number; nn: number; nnLabel: number }>();
    for (const nn of lists) for (let q = 0; q < nn.queryGids.length; q++) nearest.set(nn.queryGids[q], { label: nn.queryLabels[q], nn: nn.gids[q * nn.k], nnLabel: nn.labels[q * nn.k] });
    for (const [p, e] of nearest) {
      if (e.nnLabel === e.label) continue;
      const back = nearest.get(e.nn);
      if (!back) throw new DataError('REBALANCE_PLAN_MISMATCH', `row ${e.nn} (the nearest neighbour of row ${p}) has no neighbour list; pass the merged lists of both query rounds (see 'rebalance dist partners')`);
      if (back.nn !== p) continue;
      if (mask[e.label]) removed.add(p);
      if (mask[e.nnLabel]) removed.add(e.nn);
    }
  }
  return [...removed].sort((a, b) => a - b);
}
