/**
 * The random route. Each row's key is a seeded hash of its class and global row id (hash.ts);
 * class c keeps (random-under) or copies once more (random-over) exactly the m rows with the
 * smallest (key, id) pairs: a uniform random m-subset of the class, the same however the rows are
 * split. Finding the m-th pair needs one small exchange: every partition ranks its rows (the
 * min(m, n - m) extreme pairs per class: the m smallest, or the n - m largest when that is fewer),
 * one reduce turns them into a threshold per class, and every partition then selects alone.
 */
import { DataError } from '../core/errors.js';
import type { TableProfile } from '../dataset/scan.js';
import { classKeyer, compareKeyed } from './hash.js';
import type { DistPlan, RandomPick } from './plan.js';

export type Side = 'low' | 'high';

/** Which end of the (key, id) order a class ranks, and how many pairs it needs. */
export function sideOf(p: RandomPick): { side: Side; count: number } | null {
  if (p.m <= 0 || p.m >= p.n) return null;
  return p.m <= p.n - p.m ? { side: 'low', count: p.m } : { side: 'high', count: p.n - p.m };
}

export interface PartitionRanks {
  readonly kind: 'rebalance-dist-ranks';
  /** Per class: [key, gid] pairs, ascending. */
  readonly classes: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

export interface Thresholds {
  readonly kind: 'rebalance-dist-thresholds';
  readonly classes: Readonly<Record<string, { readonly side: Side; readonly key: number; readonly gid: number }>>;
}

/** Global class code of each kept row of a partition, in order (dropped rows skipped). */
export function keptGlobalCodes(profile: TableProfile, toGlobal: Int32Array): Int32Array {
  const out = new Int32Array(profile.nRows);
  let j = 0;
  for (const code of profile.labels) if (code >= 0) out[j++] = toGlobal[code];
  return out;
}

/** The rank step of one partition: its extreme (key, id) pairs per class that needs a threshold. */
export function rankPartition(plan: DistPlan, offset: number, codes: Int32Array): PartitionRanks {
  const classes: Record<string, [number, number][]> = {};
  for (const pick of plan.picks ?? []) {
    const s = sideOf(pick);
    if (!s) continue;
    const g = plan.classNames.indexOf(pick.class);
    const key = classKeyer(plan.seed, pick.class);
    const pairs: [number, number][] = [];
    for (let j = 0; j < codes.length; j++) if (codes[j] === g) pairs.push([key(offset + j), offset + j]);
    pairs.sort((a, b) => compareKeyed(a[0], a[1], b[0], b[1]));
    classes[pick.class] = s.side === 'low' ? pairs.slice(0, s.count) : pairs.slice(Math.max(0, pairs.length - s.count));
  }
  return { kind: 'rebalance-dist-ranks', classes };
}

/** The threshold reduce: the boundary pair of every class from all partitions' ranks. */
export function mergeThresholds(plan: DistPlan, ranks: readonly PartitionRanks[]): Thresholds {
  const classes: Record<string, { side: Side; key: number; gid: number }> = {};
  for (const pick of plan.picks ?? []) {
    const s = sideOf(pick);
    if (!s) continue;
    const all = ranks.flatMap((r) => r.classes[pick.class] ?? []).slice();
    if (all.length < s.count) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `class '${pick.class}': the rank files hold ${all.length} rows, the plan needs ${s.count}; give the rank files of every partition of this plan`);
    }
    all.sort((a, b) => compareKeyed(a[0], a[1], b[0], b[1]));
    const t = s.side === 'low' ? all[s.count - 1] : all[all.length - s.count];
    classes[pick.class] = { side: s.side, key: t[0], gid: t[1] };
  }
  return { kind: 'rebalance-dist-thresholds', classes };
}

/** Per global class code: how many times a row with this global id is written. */
export function timesFor(plan: DistPlan, thresholds: Thresholds | null): (code: number, gid: number) => number {
  const rules = plan.classNames.map((name) => {
    const pick = (plan.picks ?? []).find((p) => p.class === name) ?? { class: name, n: 0, m: 0, base: 1 };
    const s = sideOf(pick);
    if (!s) return (): number => pick.base + (pick.m > 0 && pick.m >= pick.n ? 1 : 0);
    const t = thresholds?.classes[name];
    if (!t) throw new DataError('REBALANCE_PLAN_MISMATCH', `no threshold for class '${name}'; run the threshold step on the rank files of every partition and pass its file`);
    const key = classKeyer(plan.seed, name);
    return (gid: number): number => {
      const c = compareKeyed(key(gid), gid, t.key, t.gid);
      const picked = t.side === 'low' ? c <= 0 : c < 0;
      return pick.base + (picked ? 1 : 0);
    };
  });
  return (code, gid) => rules[code](gid);
}
