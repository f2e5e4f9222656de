/**
 * The nearmiss route (plan.ts): near-miss on partitions, equal to a single-machine run of the
 * concatenated table as a multiset of rows. A row's score (the sum of exact float64 distances to
 * some of its nearest minority rows, samplers/near-miss.ts) depends only on the row and the
 * minority rows, so once the minority is gathered (global order = the single machine's order of
 * the minority rows) every partition scores its rows with the single machine's own kernel
 * (neighbourSums: same neighbours, same order, same sum, bit for bit):
 *   gather     each partition's minority rows (map; on CSV usually kept by count --gather);
 *   score      (map) per cut class, the candidates the global choice needs: the `count` best
 *              (score, gid) pairs of the partition, or the `count` worst when fewer are dropped
 *              than kept. Version 3 shortlists over the whole table: the score step also runs the
 *              minority rows against the partition's rows of the class (partialKnn, self kept: a
 *              plain query; nNeighborsVer3 each, exact d2 and ids) and sends those partial lists
 *              with the scores of every row on them (at most minority x nNeighborsVer3);
 *   threshold  (reduce) the kept ids (best) or dropped ids (worst) per class; version 3 first
 *              merges the partial lists (mergeNeighbours: by d2, then id) into the shortlist;
 *   select     (map) a cut-class row stays iff the choice keeps it; other rows pass through.
 * Order: versions 1 and 2 keep the smallest sums, version 3 the largest; equal sums keep the
 * lower global id first (the single machine's stable sort by row = global id order).
 */
import { DataError, UsageError } from '../core/errors.js';
import { takeRows } from '../dataset/make.js';
import { packForKnn } from '../dataset/pack.js';
import { scanTable } from '../dataset/scan.js';
import { DatasetBuilder } from '../pipeline/collect.js';
import { datasetFromValues } from '../pipeline/read-table.js';
import { eachRow } from '../pipeline/passes.js';
import { neighbourSums } from '../samplers/near-miss.js';
import { ExactDistance } from '../samplers/shared/neighbours.js';
import type { Dataset, KnnBackend } from '../types.js';
import { mergeNeighbours, partialKnn, type Neighbours, type Points } from './knn.js';
import { concatSources } from './partition.js';
import type { DistPlan, NearMissSpec } from './plan.js';
import { openPlanned, type PartitionStep } from './partition.js';

/** Which end of the order a class's candidates come from. */
export type NearMissSide = 'best' | 'worst';

/** Version 3: the partial top-nNeighborsVer3 of every minority row (position q) in this partition's rows of a class. */
export interface PartialShortlist {
  readonly k: number;
  /** minority x k global ids (-1: fewer rows here). */
  readonly gids: readonly number[];
  /** minority x k squared distances (0 where gid is -1). */
  readonly d2: readonly number[];
}

export interface NearMissScores {
  readonly kind: 'rebalance-dist-nearmiss-scores';
  /** Per cut class: the side, how many pairs the reduce needs, and this partition's [score, gid] pairs (+ version 3's lists). */
  readonly classes: Readonly<Record<string, { readonly side: NearMissSide; readonly count: number; readonly pairs: readonly (readonly [number, number])[]; readonly near?: PartialShortlist }>>;
}

export interface NearMissChoice {
  readonly kind: 'rebalance-dist-nearmiss-choice';
  /** Per cut class: the kept global ids, or the dropped ones (ascending). */
  readonly classes: Readonly<Record<string, { readonly keep?: readonly number[]; readonly drop?: readonly number[] }>>;
}

export function nearMissSpec(plan: DistPlan): NearMissSpec {
  const s = plan.nearMiss;
  if (plan.route !== 'nearmiss' || !s) throw new DataError('REBALANCE_PLAN_MISMATCH', `the plan is for ${plan.method}, not near-miss; pass the plan of 'rebalance dist plan -m near-miss'`);
  return s;
}

/** a before b in the keeping order: v1/v2 smaller sums first, v3 larger first; ties by the lower global id. */
export function compareCandidates(version: number, a: readonly [number, number], b: readonly [number, number]): number {
  if (a[0] !== b[0]) return (version === 3 ? a[0] > b[0] : a[0] < b[0]) ? -1 : 1;
  return a[1] - b[1];
}

/** Pairs needed per class: the kept ones when they are no more than the dropped (always for v3), else the dropped. */
export function sideOf(version: number, keep: number, n: number): { side: NearMissSide; count: number } {
  if (version === 3) return { side: 'best', count: keep };
  if (keep <= n - keep) return { side: 'best', count: Math.min(keep, n) };
  return { side: 'worst', count: Math.max(0, n - keep) };
}

export interface ScoreStep extends PartitionStep {
  /** The gather step's files (the minority rows of every partition), in partition order. */
  readonly minority: readonly string[];
  readonly knn: () => Promise<KnnBackend>;
  readonly log?: (m: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * The gathered minority rows as a Dataset (global order), checked against the plan. The files of
 * count --gather may hold other small classes too: only the minority's rows are taken.
 */
async function minorityRows(step: ScoreStep, spec: NearMissSpec): Promise<Dataset> {
  const plan = step.plan;
  const source = await concatSources(step.minority, step.read);
  try {
    const profile = await scanTable(source, { ...step.scan, label: step.scan?.label ?? plan.label, signal: step.signal });
    const want = plan.counts[plan.classNames.indexOf(spec.minority)];
    const have = profile.classNames.indexOf(spec.minority);
    if (have < 0 || profile.counts[have] !== want) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `--minority: the gathered files hold ${have < 0 ? 0 : profile.counts[have]} rows of the minority class '${spec.minority}', the plan counted ${want}; pass the gather output of every partition, in partition order`);
    }
    const builder = new DatasetBuilder(profile, (code) => code === have);
    await eachRow({ source, profile, signal: step.signal }, (cells, r, code) => builder.add(cells, r, code));
    return builder.finish();
  } finally {
    await source.close();
  }
}

/** The rows of `data` (a partition's kept rows, in order) whose class `accept`s, their global ids pushed to `gids`. */
function keepRows(data: Dataset, accept: readonly boolean[], offset: number, gids: number[]): Dataset {
  const rows: number[] = [];
  for (let i = 0; i < data.nRows; i++) {
    if (!accept[data.labels[i]]) continue;
    rows.push(i);
    gids.push(offset + i);
  }
  return takeRows(data, rows);
}

/** The score step of one partition (see the module comment). */
export async function scorePartition(step: ScoreStep): Promise<NearMissScores> {
  const plan = step.plan;
  const spec = nearMissSpec(plan);
  const min = await minorityRows(step, spec);
  // A CSV partition of number columns is read once: the counting pass keeps the values (as readTable).
  const p = await openPlanned({ ...step, scan: { ...step.scan, collectValues: true } });
  let part: Dataset;
  const gids: number[] = [];
  const cutNames = new Set(spec.classes.map((c) => c.class));
  try {
    const accept = p.profile.classNames.map((n) => cutNames.has(n));
    const direct = datasetFromValues(p.profile);
    if (direct) part = keepRows(direct, accept, p.offset, gids);
    else {
      const builder = new DatasetBuilder(p.profile, (code) => accept[code]);
      let j = 0;
      await eachRow({ source: p.source, profile: p.profile, signal: step.signal }, (cells, r, code) => {
        const gid = p.offset + j++;
        if (!accept[code]) return;
        gids.push(gid);
        builder.add(cells, r, code);
      });
      part = builder.finish();
    }
  } finally {
    await p.source.close();
  }
  if (part.featureNames.join('\u0000') !== min.featureNames.join('\u0000')) {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `the gathered minority rows have other features than ${step.input}; gather from the partitions of this plan`);
  }
  // One Dataset: the minority rows (positions 0..M-1, global order), then this partition's cut rows.
  const M = min.nRows;
  const data: Dataset = {
    ...part,
    nRows: M + part.nRows,
    features: part.features.map((f, c) => {
      const col = new Float64Array(M + part.nRows);
      col.set(min.features[c], 0);
      col.set(f, M);
      return col;
    }),
    labels: new Int32Array(M + part.nRows),
    rowIds: undefined,
  };
  const minority = Int32Array.from({ length: M }, (_, i) => i);
  const dist = new ExactDistance(data, 'none');
  const knn = await step.knn();
  const classes: Record<string, { side: NearMissSide; count: number; pairs: [number, number][]; near?: PartialShortlist }> = {};
  // Version 3's queries: the minority rows as points (packed as the points step packs them), ids = positions.
  const minPoints: Points | null = spec.version === 3 ? { dim: data.features.length, gids: Float64Array.from(minority), labels: new Int32Array(M), coords: packForKnn(data, 'none', minority) } : null;
  try {
    for (const c of spec.classes) {
      const local = part.classNames.indexOf(c.class);
      const code = plan.classNames.indexOf(c.class);
      let rows: number[] = [];
      for (let i = 0; i < part.nRows; i++) if (part.labels[i] === local) rows.push(M + i);
      const s = sideOf(spec.version, c.keep, plan.counts[code]);
      let near: PartialShortlist | undefined;
      if (minPoints) {
        // The minority rows' nearest rows of this class here; only rows on those lists can be shortlisted.
        const idx = Int32Array.from(rows);
        const against: Points = { dim: minPoints.dim, gids: Float64Array.from(rows, (r) => gids[r - M]), labels: new Int32Array(rows.length).fill(code), coords: packForKnn(data, 'none', idx) };
        const nn = await partialKnn(minPoints, against, spec.kVer3, knn, true);
        const on = new Set<number>();
        const d2: number[] = [];
        nn.gids.forEach((g, t) => {
          if (g >= 0) on.add(g);
          d2.push(g >= 0 ? nn.d2[t] : 0);
        });
        near = { k: spec.kVer3, gids: Array.from(nn.gids), d2 };
        rows = rows.filter((r) => on.has(gids[r - M]));
      }
      if (s.count === 0 || rows.length === 0) {
        classes[c.class] = { ...s, pairs: [], ...(near ? { near } : {}) };
        continue;
      }
      const q = Int32Array.from(rows);
      const sums = await neighbourSums(data, minority, q, spec.version === 2 ? M : spec.k, spec.k, dist, { knn, scale: 'none', log: step.log ?? (() => undefined), signal: step.signal });
      const pairs = rows.map((r, i): [number, number] => [sums[i], gids[r - M]]);
      pairs.sort((a, b) => compareCandidates(spec.version, a, b));
      // Version 3 sends every row on its lists: which of them the whole table shortlists is the reduce's to say.
      classes[c.class] = near ? { ...s, pairs, near } : { ...s, pairs: s.side === 'best' ? pairs.slice(0, s.count) : pairs.slice(Math.max(0, pairs.length - s.count)) };
    }
  } finally {
    await knn.dispose();
  }
  return { kind: 'rebalance-dist-nearmiss-scores', classes };
}

/**
 * The threshold reduce: every partition's candidates -> the kept (or dropped) ids per class.
 * Version 3 with fewer shortlisted rows than planned keeps them all, with the single machine's notice.
 */
export function mergeNearMiss(plan: DistPlan, files: readonly NearMissScores[], log: (m: string) => void = () => undefined): NearMissChoice {
  const spec = nearMissSpec(plan);
  const classes: Record<string, { keep?: number[]; drop?: number[] }> = {};
  for (const c of spec.classes) {
    let side: NearMissSide | undefined;
    let count = 0;
    let all: [number, number][] = [];
    const lists: Neighbours[] = [];
    for (const f of files) {
      if (f?.kind !== 'rebalance-dist-nearmiss-scores') throw new DataError('REBALANCE_BAD_DIST_FILE', `a near-miss threshold needs the files of 'rebalance dist score'; give those of every partition`);
      const e = f.classes[c.class];
      if (!e) throw new DataError('REBALANCE_PLAN_MISMATCH', `a score file has no entry for class '${c.class}'; give the score files of this plan's partitions`);
      if (side !== undefined && (e.side !== side || e.count !== count)) throw new DataError('REBALANCE_PLAN_MISMATCH', `the score files disagree on class '${c.class}'; give the score files of one plan`);
      side = e.side;
      count = e.count;
      for (const pr of e.pairs) all.push([pr[0], pr[1]]);
      if (spec.version === 3) lists.push(partialOf(e.near, c.class));
    }
    if (side === undefined) throw new DataError('REBALANCE_NO_INPUT', 'no score files given; pass the files the score step wrote');
    if (spec.version === 3) {
      // The shortlist of the whole table: every minority row's nearest rows of the class, merged as the knn merge does.
      const merged = mergeNeighbours(lists);
      const short = new Set<number>(merged.gids);
      all = all.filter((pr) => short.has(pr[1]));
      if (count > 0 && all.length !== short.size) {
        throw new DataError('REBALANCE_PLAN_MISMATCH', `class '${c.class}': ${short.size} rows are shortlisted, the score files score ${all.length} of them; give the score files of every partition of this plan`);
      }
      count = Math.min(count, all.length);
    }
    all.sort((a, b) => compareCandidates(spec.version, a, b));
    if (spec.version === 3 && all.length < c.keep) {
      log(`near-miss: version 3 shortlisted ${all.length} rows of class '${c.class}', fewer than the ${c.keep} planned; all of them are kept`);
    }
    if (all.length < count) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `class '${c.class}': the score files hold ${all.length} candidates, the plan needs ${count}; give the score files of every partition of this plan`);
    }
    const ids = (side === 'best' ? all.slice(0, count) : all.slice(all.length - count)).map((pr) => pr[1]).sort((a, b) => a - b);
    classes[c.class] = side === 'best' ? { keep: ids } : { drop: ids };
  }
  return { kind: 'rebalance-dist-nearmiss-choice', classes };
}

/** A score file's version 3 lists as the knn step's partial neighbours (queries: minority positions). */
function partialOf(near: PartialShortlist | undefined, name: string): Neighbours {
  if (!near || near.gids.length !== near.d2.length || near.gids.length % Math.max(1, near.k) !== 0) {
    throw new DataError('REBALANCE_BAD_DIST_FILE', `a version 3 score file has no shortlist lists for class '${name}'; give the files of 'rebalance dist score' for this plan`);
  }
  const m = near.gids.length / near.k;
  const gids = Float64Array.from(near.gids);
  return {
    k: near.k,
    queryGids: Float64Array.from({ length: m }, (_, q) => q),
    queryLabels: new Int32Array(m),
    gids,
    d2: Float64Array.from(near.d2, (d, i) => (gids[i] < 0 ? Infinity : d)),
    labels: new Int32Array(gids.length),
  };
}

/** The select rule of a near-miss plan: how often (0 or 1) the row of global class `code` and id `gid` is written. */
export function nearMissTimes(plan: DistPlan, choice: NearMissChoice | null | undefined): { times: (code: number, gid: number) => number; losesRows: (offset: number, rows: number, classes: Readonly<Record<string, number>>) => boolean } {
  const spec = nearMissSpec(plan);
  if (!choice || choice.kind !== 'rebalance-dist-nearmiss-choice') {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `the near-miss plan needs the chosen rows: pass --thresholds with the file the threshold step wrote from the score files`);
  }
  const rules = plan.classNames.map(() => null as { keep: boolean; ids: Set<number> } | null);
  for (const c of spec.classes) {
    const e = choice.classes[c.class];
    if (!e || (!e.keep && !e.drop)) throw new DataError('REBALANCE_PLAN_MISMATCH', `--thresholds has no choice for class '${c.class}'; pass the threshold file of this plan`);
    rules[plan.classNames.indexOf(c.class)] = e.keep ? { keep: true, ids: new Set(e.keep) } : { keep: false, ids: new Set(e.drop) };
  }
  return {
    times: (code, gid) => {
      const r = rules[code];
      return !r || r.ids.has(gid) === r.keep ? 1 : 0;
    },
    losesRows: (offset, rows, counts) =>
      rules.some((r, code) => {
        if (!r) return false;
        let inside = 0;
        for (const g of r.ids) if (g >= offset && g < offset + rows) inside++;
        return r.keep ? inside !== (counts[plan.classNames[code]] ?? 0) : inside > 0;
      }),
  };
}
