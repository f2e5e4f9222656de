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
import { packFeatures, packForKnn, type Scaler } from '../dataset/pack.js';
import { DatasetBuilder } from '../pipeline/collect.js';
import { eachRow } from '../pipeline/passes.js';
import { isDanger } from '../samplers/borderline-smote.js';
import { shouldStopCounts } from '../samplers/renn.js';
import { notMinorityOfCounts } from '../samplers/shared/classes.js';
import { neighbourMode } from '../samplers/shared/neighbours.js';
import type { KnnBackend } from '../types.js';
import type { Blob } from './blob.js';
import type { CleanSpec, DistPlan } from './plan.js';
import { openPlanned, type PartitionStep } from './partition.js';

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
export async function partitionPoints(step: PartitionStep, scaler?: Scaler): Promise<Points> {
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
    // --scale: the whole table's scaler (scale.ts), applied as packForKnn applies its own.
    return { dim: data.features.length, gids, labels, coords: scaler ? packFeatures(data, undefined, undefined, scaler) : packForKnn(data, 'none') };
  } finally {
    await p.source.close();
  }
}

/** Which rows of the query files are queries: by global class code, or by global id. */
export interface QueryFilter {
  readonly classes?: ReadonlySet<number>;
  readonly ids?: ReadonlySet<number>;
  /** Rows gone in earlier rounds (renn, all-knn): neither queries nor neighbours. */
  readonly exclude?: ReadonlySet<number>;
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
      if (filter.exclude && filter.exclude.has(f.gids[i])) continue;
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

/**
 * The knn step: the partial top-k of every query within one partition's points. `keepSelf`: a
 * plain query (near-miss: a row in both sets is its own neighbour at distance 0, as the single
 * machine's queryNeighbors), else the query itself is dropped by id.
 */
export async function partialKnn(queries: Points, against: Points, k: number, backend: KnnBackend, keepSelf = false): Promise<Neighbours> {
  const m = queries.gids.length;
  const dim = queries.dim;
  const n = against.gids.length;
  const out: Neighbours = { k, queryGids: queries.gids, queryLabels: queries.labels, gids: new Float64Array(m * k).fill(-1), d2: new Float64Array(m * k).fill(Infinity), labels: new Int32Array(m * k).fill(-1) };
  if (m === 0 || n === 0) return out;
  if (against.dim !== dim) throw new DataError('REBALANCE_PLAN_MISMATCH', `points files of ${against.dim} and ${dim} features; use points files of one plan`);
  const kk = Math.min(keepSelf ? k : k + 1, n);
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
          if (!keepSelf && gid === queries.gids[q]) continue;
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
 * borderline-2's search (knn --danger): each query against the rows of `against` outside its own
 * class (single machine: the danger rows of a class queried against every row of the other
 * classes), one class of queries at a time; the lists come back in query order.
 */
export async function partialKnnOtherClass(queries: Points, against: Points, k: number, backend: KnnBackend): Promise<Neighbours> {
  const m = queries.gids.length;
  const out: Neighbours = { k, queryGids: queries.gids, queryLabels: queries.labels, gids: new Float64Array(m * k).fill(-1), d2: new Float64Array(m * k).fill(Infinity), labels: new Int32Array(m * k).fill(-1) };
  for (const c of [...new Set(queries.labels)].sort((a, b) => a - b)) {
    const pos: number[] = [];
    for (let q = 0; q < m; q++) if (queries.labels[q] === c) pos.push(q);
    const ids = new Set(pos.map((q) => queries.gids[q]));
    const sub = selectQueries([queries], { ids });
    const others = new Set<number>();
    for (const l of against.labels) if (l !== c) others.add(l);
    const part = await partialKnn(sub, selectQueries([against], { classes: others }), k, backend);
    pos.forEach((q, i) => {
      out.gids.set(part.gids.subarray(i * k, (i + 1) * k), q * k);
      out.d2.set(part.d2.subarray(i * k, (i + 1) * k), q * k);
      out.labels.set(part.labels.subarray(i * k, (i + 1) * k), q * k);
    });
  }
  return out;
}

/**
 * borderline-2: the global ids of the rows in danger (imblearn `_in_danger_noise`: m/2 <= rows of
 * other classes among the m nearest < m) from the merged lists of the synth search, ascending.
 */
export function dangerIds(plan: DistPlan, nn: Neighbours): number[] {
  const spec = plan.neighbours;
  if (!spec?.other) throw new DataError('REBALANCE_PLAN_MISMATCH', `--danger is for borderline-smote --variant borderline-2 (or --first borderline-smote with it), not this ${plan.method} plan; drop it`);
  if (nn.k !== spec.k) throw new DataError('REBALANCE_PLAN_MISMATCH', `--danger: lists of ${nn.k} neighbours, the plan's m is ${spec.k}; pass the merged lists of the synth search (knn --synth)`);
  const ids: number[] = [];
  for (let q = 0; q < nn.queryGids.length; q++) {
    let other = 0;
    for (let t = 0; t < nn.k; t++) if (nn.labels[q * nn.k + t] !== nn.queryLabels[q]) other++;
    if (isDanger(other, nn.k)) ids.push(nn.queryGids[q]);
  }
  return ids.sort((a, b) => a - b);
}

/** borderline-2: the global ids the merged lists of the danger rows name (the rows gather --fetch writes), ascending. */
export function fetchIds(nn: Neighbours): number[] {
  const ids = new Set<number>();
  for (const g of nn.gids) if (g >= 0) ids.add(g);
  return [...ids].sort((a, b) => a - b);
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

/**
 * The state between the rounds of renn / all-knn (and the clean step's file for every method:
 * `removed` is what select drops). `next` says the k and the query classes of the next round.
 */
export interface RoundState {
  readonly kind: 'rebalance-dist-removed';
  /** Global ids removed so far, ascending. */
  readonly removed: readonly number[];
  /** Rounds done. */
  readonly round?: number;
  /** Rows per class (global codes) that are left. */
  readonly counts?: readonly number[];
  readonly done?: boolean;
  readonly next?: { readonly k: number; readonly queryClasses: readonly string[] };
}

export function checkRoundState(value: unknown, file: string): RoundState {
  const v = value as Partial<RoundState>;
  if (!v || v.kind !== 'rebalance-dist-removed' || !Array.isArray(v.removed)) throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} is not a removed-rows file; give the file 'rebalance dist clean' wrote`);
  return v as RoundState;
}

function cleanSpec(plan: DistPlan): CleanSpec {
  const s = plan.clean;
  if (!s) throw new DataError('REBALANCE_PLAN_MISMATCH', `the plan is for ${plan.method}, not a cleaning method; run the clean step with the plan of a cleaning method (tomek-links, enn, renn, all-knn, neighbourhood-cleaning-rule, smote-tomek, smote-enn)`);
  return s;
}

/** The k and query classes of a knn step: the plan's first round, or the round state's next one. */
export function roundQuery(plan: DistPlan, state: RoundState | null, forSynth = false): { k: number; queryClasses: readonly string[] } {
  if (forSynth) {
    if (!plan.neighbours) throw new DataError('REBALANCE_PLAN_MISMATCH', `--synth: ${plan.method} needs no neighbours before the synth step; drop --synth`);
    return plan.neighbours;
  }
  if (state) {
    if (!state.next) throw new DataError('REBALANCE_BAD_DIST_FILE', `--round: the state file is not from a renn / all-knn clean step of this plan; give the file 'rebalance dist clean --round' wrote`);
    return state.next;
  }
  const s = plan.clean ?? plan.neighbours;
  if (!s) throw new DataError('REBALANCE_PLAN_MISMATCH', `the plan is for ${plan.method}, which needs no neighbour search here; use the plan of a method that does`);
  return s;
}

/** ENN's verdict on the queries of the lists: the ids of the rows of masked classes it removes. */
function ennRemoved(lists: readonly Neighbours[], mask: Uint8Array, variant: 'all' | 'mode', tie: 'lowest' | 'first', nClasses: number, k: number, removed: Set<number>): void {
  const votes = new Int32Array(nClasses);
  const idx = Int32Array.from({ length: k }, (_, t) => t);
  for (const nn of lists) {
    if (nn.k !== k) throw new DataError('REBALANCE_PLAN_MISMATCH', `neighbour lists of ${nn.k} neighbours, this round needs ${k}; pass the merged lists of this round`);
    for (let q = 0; q < nn.queryGids.length; q++) {
      const own = nn.queryLabels[q];
      if (!mask[own]) continue;
      const labels = nn.labels.subarray(q * k, (q + 1) * k);
      let keep = true;
      if (variant === 'all') {
        for (let t = 0; t < k; t++) if (labels[t] !== own) keep = false;
      } else if (neighbourMode(labels, idx, 0, k, tie, votes) !== own) keep = false;
      if (!keep) removed.add(nn.queryGids[q]);
    }
  }
}

/**
 * The clean step of renn / all-knn: one ENN round on the merged lists of the rows left, then the
 * stopping tests of samplers/renn.ts (no row removed (renn), maxIter or kMax rounds, a class
 * below the original minority or gone) and the next round's k and query classes.
 */
export function roundDecision(plan: DistPlan, lists: readonly Neighbours[], prev: RoundState | null): RoundState {
  const s = cleanSpec(plan);
  const r = s.rounds;
  if (!r) throw new DataError('REBALANCE_PLAN_MISMATCH', `--round is for renn and all-knn, not ${plan.method}; drop it`);
  if (prev?.done) throw new DataError('REBALANCE_PLAN_MISMATCH', 'the round state says the rounds are done; pass it to select --removed');
  const nC = plan.classNames.length;
  const q = roundQuery(plan, prev);
  const mask = new Uint8Array(nC);
  for (const n of q.queryClasses) mask[plan.classNames.indexOf(n)] = 1;
  const fresh = new Set<number>();
  ennRemoved(lists, mask, s.variant, s.tie, nC, q.k, fresh);
  const counts = [...(prev?.counts ?? plan.counts)];
  for (const nn of lists) for (let i = 0; i < nn.queryGids.length; i++) if (fresh.has(nn.queryGids[i])) counts[nn.queryLabels[i]]--;
  const removed = [...(prev?.removed ?? []), ...fresh].sort((a, b) => a - b);
  const round = (prev?.round ?? 0) + 1;
  const minority = plan.classNames.indexOf(s.minority ?? '');
  const stop = shouldStopCounts(counts, plan.counts, minority, r.allowMinority);
  const done = plan.method === 'all-knn' ? stop || q.k >= r.kMax : fresh.size === 0 || stop || round >= r.maxIter;
  const nextMask = r.reresolve ? notMinorityOfCounts(counts) : null;
  const queryClasses = nextMask ? plan.classNames.filter((_, c) => nextMask[c]) : s.cleanClasses;
  return { kind: 'rebalance-dist-removed', removed, round, counts, done, next: { k: plan.method === 'all-knn' ? q.k + 1 : q.k, queryClasses } };
}

/** The clean step: the global ids the method removes, ascending, from the merged neighbour lists. */
export function cleanDecision(plan: DistPlan, lists: readonly Neighbours[]): number[] {
  const spec = cleanSpec(plan);
  if (spec.rounds) throw new DataError('REBALANCE_PLAN_MISMATCH', `${plan.method} cleans in rounds; run the clean step with --round (the previous round's state, none for the first)`);
  const mask = new Uint8Array(plan.classNames.length);
  for (const n of spec.cleanClasses) mask[plan.classNames.indexOf(n)] = 1;
  const removed = new Set<number>();
  if (spec.method === 'neighbourhood-cleaning-rule') {
    // samplers/neighbourhood-cleaning-rule.ts ncrKeep: ENN 'mode' on the cleaned classes, then the
    // neighbours of misclassified minority rows in classes holding more than threshold x all rows.
    const nC = plan.classNames.length;
    ennRemoved(lists, mask, 'mode', spec.tie, nC, spec.k, removed);
    const minority = plan.classNames.indexOf(spec.minority ?? '');
    const under = plan.counts.map((n, c) => mask[c] === 1 && n > plan.totalRows * (spec.threshold ?? 0.5));
    const votes = new Int32Array(nC);
    const k = spec.k;
    const idx = Int32Array.from({ length: k }, (_, t) => t);
    for (const nn of lists) {
      for (let q = 0; q < nn.queryGids.length; q++) {
        if (nn.queryLabels[q] !== minority) continue;
        const labels = nn.labels.subarray(q * k, (q + 1) * k);
        const agrees = spec.variant === 'all' ? labels.every((l) => l === minority) : neighbourMode(labels, idx, 0, k, spec.tie, votes) === minority;
        if (agrees) continue;
        for (let t = 0; t < k; t++) if (under[labels[t]]) removed.add(nn.gids[q * k + t]);
      }
    }
    return [...removed].sort((a, b) => a - b);
  }
  if (spec.method === 'enn') {
    ennRemoved(lists, mask, spec.variant, spec.tie, plan.classNames.length, spec.k, removed);
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
