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
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplingPlan } from '../types.js';
import { smoteFamily, defineSampler } from './define.js';
import { allRowsNeighbourLabels, countOtherClass, packScaled, resolveK, resolveM, sameClassNeighbors } from './shared/neighbours.js';
import { enumOption, intOption, kOptions } from './shared/options.js';
import { overEachClass, type OverClass } from './shared/per-class.js';
import { mapIndices, rowsNotOfClass } from './shared/rows.js';
import { betaDraw, drawAndAppend, type SyntheticBuilder } from './shared/smote-draws.js';

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

/** The options of Borderline-SMOTE and SVM-SMOTE: kNeighbors (5), mNeighbors (10), kAuto. */
export function mNeighbourOptions(method: string, options: { readonly kNeighbors?: unknown; readonly mNeighbors?: unknown; readonly kAuto?: unknown }) {
  return { ...kOptions(method, options), m: intOption(method, 'mNeighbors', options.mNeighbors, 10) };
}

/**
 * The loop of the m-neighbour SMOTE variants (Borderline, SVM-SMOTE): m resolved over all rows
 * (--k-auto), the m nearest rows of every row found once, then `fill` per class.
 */
export function overNearBorder(
  method: string,
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
  mNeighbors: number,
  kAuto: boolean,
  fill: (cls: OverClass, out: SyntheticBuilder, nnAll: Int32Array, m: number) => Promise<void>,
): Promise<Resampled> {
  const m = resolveM(method, ctx.totalRows ?? data.nRows, mNeighbors, kAuto, ctx.log);
  return overEachClass<Int32Array, undefined>(data, plan, rng, ctx, {
    method,
    prepare: () => allRowsNeighbourLabels(data, m, ctx, method, '--m-neighbors'),
    fill: (cls, out, nnAll) => fill(cls, out, nnAll, m),
  });
}

/**
 * `borderline-smote`: SMOTE from the rows in danger only. Options: variant ('borderline-1' |
 * 'borderline-2', or '1' | '2'), kNeighbors (5), mNeighbors (10, over all rows), kAuto. Needs
 * every row. A class grows by exactly the plan's count, or by 0 when none of its rows is in danger.
 */
export const borderlineSmoteDefinition = defineSampler({
  ...smoteFamily('all'),
  name: 'borderline-smote',
  summary: 'Borderline-SMOTE: SMOTE from rows whose m nearest rows are mostly of other classes',
  bind: (options) => ({
    ...mNeighbourOptions('borderline-smote', options),
    variant: enumOption<BorderlineVariant>('borderline-smote', 'variant', options.variant, 'borderline-1', ['borderline-1', 'borderline-2'], { '1': 'borderline-1', '2': 'borderline-2' }),
  }),
  async run(data, plan, rng, ctx, { k, kAuto, m, variant }) {
    return overNearBorder('borderline-smote', data, plan, rng, ctx, m, kAuto, async ({ code, name, add, rows, stream }, out, nnAll, m) => {
      const danger = dangerMask(countOtherClass(nnAll, m, rows, code), m);
      let nDanger = 0;
      for (const f of danger) nDanger += f;
      if (nDanger === 0) {
        ctx.log(`borderline-smote: no row of class '${name}' is in danger (m=${m}), so it gets no synthetic rows`);
        return;
      }
      const kk = resolveK('borderline-smote', name, rows.length, k, kAuto, ctx.log);
      const nnClass = await sameClassNeighbors(data, rows, kk, ctx);
      const dangerRows = new Int32Array(nDanger);
      const dangerNn = new Int32Array(nDanger * kk);
      for (let i = 0, t = 0; i < rows.length; i++) {
        if (!danger[i]) continue;
        dangerRows[t] = rows[i];
        dangerNn.set(nnClass.subarray(i * kk, i * kk + kk), t * kk);
        t++;
      }
      let n1 = add;
      if (variant === 'borderline-2') n1 = Math.min(add, Math.floor(betaDraw(stream, 10, 10) * (add + 1)));
      drawAndAppend(out, data, code, dangerRows, dangerNn, kk, n1, stream, 1);
      const n2 = add - n1;
      if (n2 > 0) {
        // The distributed synth (ctx.allRowsNeighbours) gives `data` = the grown classes plus the
        // other classes' rows nearest to the danger rows (fetched by global id, in global order):
        // every row this search can return is there, so its result is the whole input's.
        const other = rowsNotOfClass(data.labels, code);
        const k2 = Math.min(kk, other.length);
        const idx = await ctx.knn.build(packScaled(data, ctx, other), data.features.length);
        let nnOther: Int32Array;
        try {
          nnOther = mapIndices((await idx.query(packScaled(data, ctx, dangerRows), k2)).indices, other);
        } finally {
          idx.dispose();
        }
        drawAndAppend(out, data, code, dangerRows, nnOther, k2, n2, stream, 0.5);
      }
    });
  },
});
