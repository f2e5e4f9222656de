/**
 * Borderline-SMOTE (Han et al. 2005), imbalanced-learn 0.10 semantics: only rows "in danger"
 * (at least half, but not all, of their m nearest rows over the whole input belong to other
 * classes) are interpolated. borderline-1 interpolates towards same-class neighbours;
 * borderline-2 splits the rows with a Beta(10, 10) fraction between same-class neighbours
 * (steps in [0, 1)) and other-class neighbours (steps in [0, 0.5)).
 *
 * Deviations from imblearn 0.10, on purpose: borderline-2's other-class part uses the k nearest
 * other-class rows of each danger row (imblearn indexes the other-class rows with same-class
 * neighbour positions, a bug), and the two parts add up to exactly the planned count (imblearn's
 * two floors can give one row fewer). A class with no row in danger gets no rows (as in imblearn),
 * is reported through ctx.log, and the returned plan says so.
 */
import { UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { packForKnn } from '../dataset/pack.js';
import type { Dataset, Resampled, SamplerContext, SamplerOptions, SamplingPlan } from '../types.js';
import { defineSampler } from './define.js';
import {
  appendInterpolated,
  betaDraw,
  checkAbort,
  classStream,
  countOtherClass,
  drawSmote,
  finish,
  mapIndices,
  startMNeighbors,
  resolveDraws,
  resolveK,
  rowsOfClass,
  sameClassNeighbors,
} from './smote-base.js';

/** imblearn `_in_danger_noise(kind='danger')`: m/2 <= other-class neighbours < m. */
export function isDanger(nOther: number, m: number): boolean {
  return nOther >= m / 2 && nOther < m;
}

/** imblearn `_in_danger_noise(kind='noise')`: every one of the m neighbours is of another class. */
export function isNoise(nOther: number, m: number): boolean {
  return nOther === m;
}

/** Danger flag (1/0) of each row from its count of other-class neighbours among m. */
export function dangerMask(nOther: Int32Array, m: number): Uint8Array {
  const out = new Uint8Array(nOther.length);
  for (let i = 0; i < nOther.length; i++) out[i] = isDanger(nOther[i], m) ? 1 : 0;
  return out;
}

export type BorderlineVariant = 'borderline-1' | 'borderline-2';

function parseVariant(v: string | undefined): BorderlineVariant {
  if (v === undefined || v === 'borderline-1' || v === '1') return 'borderline-1';
  if (v === 'borderline-2' || v === '2') return 'borderline-2';
  throw new UsageError('REBALANCE_BAD_VARIANT', `borderline-smote variant must be 'borderline-1' or 'borderline-2', got '${v}'; pass --variant borderline-1 or borderline-2`);
}

/** Borderline-SMOTE over every row of `data` following `plan`; see {@link borderlineSmoteDefinition}. */
export async function borderlineSmoteResample(
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
  options: SamplerOptions = {},
): Promise<Resampled> {
  const variant = parseVariant(options.variant);
  const k = options.kNeighbors ?? 5;
  const { targets, b, added, m, nnAll: nn } = await startMNeighbors('borderline-smote', data, plan, options, ctx);
  if (nn === null) return finish(data, plan, b);
  const nnAll = nn;
  for (const { code, add } of targets) {
    checkAbort(ctx);
    const name = data.classNames[code];
    const rows = rowsOfClass(data.labels, code);
    const danger = dangerMask(countOtherClass(nnAll, m, data.labels, rows, code), m);
    let nDanger = 0;
    for (const f of danger) nDanger += f;
    if (nDanger === 0) {
      ctx.log(`borderline-smote: no row of class '${name}' is in danger (m=${m}), so it gets no synthetic rows`);
      added.set(code, 0);
      continue;
    }
    const kk = resolveK('borderline-smote', name, rows.length, k, options.kAuto, ctx.log);
    const nnClass = await sameClassNeighbors(data, rows, kk, ctx);
    const dangerRows = new Int32Array(nDanger);
    const dangerNn = new Int32Array(nDanger * kk);
    for (let i = 0, t = 0; i < rows.length; i++) {
      if (!danger[i]) continue;
      dangerRows[t] = rows[i];
      dangerNn.set(nnClass.subarray(i * kk, i * kk + kk), t * kk);
      t++;
    }
    const stream = classStream(rng, 'borderline-smote', name);
    let n1 = add;
    if (variant === 'borderline-2') n1 = Math.min(add, Math.floor(betaDraw(stream, 10, 10) * (add + 1)));
    const d1 = drawSmote(nDanger, kk, n1, stream, 1);
    const r1 = resolveDraws(d1, dangerRows, dangerNn, kk);
    appendInterpolated(b, data, code, r1.source, r1.neighbor, d1.steps);
    const n2 = add - n1;
    if (n2 > 0) {
      const other = otherRows(data.labels, code);
      const k2 = Math.min(kk, other.length);
      const idx = await ctx.knn.build(packForKnn(data, ctx.scale, other), data.features.length);
      let nnOther: Int32Array;
      try {
        nnOther = mapIndices((await idx.query(packForKnn(data, ctx.scale, dangerRows), k2)).indices, other);
      } finally {
        idx.dispose();
      }
      const d2 = drawSmote(nDanger, k2, n2, stream, 0.5);
      const r2 = resolveDraws(d2, dangerRows, nnOther, k2);
      appendInterpolated(b, data, code, r2.source, r2.neighbor, d2.steps);
    }
  }
  return finish(data, plan, b, added);
}

function otherRows(labels: Int32Array, code: number): Int32Array {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] !== code) n++;
  const out = new Int32Array(n);
  for (let i = 0, t = 0; i < labels.length; i++) if (labels[i] !== code) out[t++] = i;
  return out;
}

/**
 * `borderline-smote`: SMOTE from the rows in danger only. Options: variant ('borderline-1' |
 * 'borderline-2'), kNeighbors (5), mNeighbors (10, over all rows), kAuto. Needs every row.
 */
export const borderlineSmoteDefinition = defineSampler({
  name: 'borderline-smote',
  kind: 'over',
  scope: 'all',
  needs: { knn: true, features: 'numeric', syntheticCells: true },
  summary: 'Borderline-SMOTE: SMOTE from rows whose m nearest rows are mostly of other classes',
  defaultStrategy: 'auto',
  check: (options) => {
    parseVariant(options.variant);
  },
  run: borderlineSmoteResample,
});
