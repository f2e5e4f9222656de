/**
 * SMOTE (Chawla et al. 2002), imbalanced-learn 0.10 semantics: for each class to grow, the
 * k nearest same-class neighbours of every row (self excluded by id), then `to - from` draws of
 * (row, neighbour, step in [0, 1)) interpolated in float64.
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, SamplerContext, SamplerOptions, SamplingPlan } from '../types.js';
import { defineSampler } from './define.js';
import {
  allocateSynthetic,
  appendInterpolated,
  checkAbort,
  classStream,
  drawSmote,
  finish,
  overTargets,
  totalToAdd,
  resolveDraws,
  resolveK,
  rowsOfClass,
  sameClassNeighbors,
} from './smote-base.js';

/** SMOTE over `data` following `plan`; see {@link smoteDefinition}. */
export async function smoteResample(
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
  options: SamplerOptions = {},
): Promise<Resampled> {
  const k = options.kNeighbors ?? 5;
  const targets = overTargets(plan);
  const total = totalToAdd(targets);
  const lazy = ctx.lazySynthetic === true;
  // Lazy: keep (source, neighbour, step) per row; the writer interpolates as it writes.
  const b = allocateSynthetic(lazy ? 0 : data.features.length, total);
  const steps = lazy ? new Float64Array(total) : undefined;
  for (const { code, add } of targets) {
    checkAbort(ctx);
    const name = data.classNames[code];
    const rows = rowsOfClass(data.labels, code);
    const kk = resolveK('smote', name, rows.length, k, options.kAuto, ctx.log);
    const nn = await sameClassNeighbors(data, rows, kk, ctx);
    const draws = drawSmote(rows.length, kk, add, classStream(rng, 'smote', name));
    const { source, neighbor } = resolveDraws(draws, rows, nn, kk);
    if (steps) {
      const at = b.offset;
      steps.set(draws.steps, at);
      b.block.labels.fill(code, at, at + source.length);
      b.block.sourceRow.set(source, at);
      b.block.neighborRow.set(neighbor, at);
      b.offset += source.length;
    } else appendInterpolated(b, data, code, source, neighbor, draws.steps);
  }
  const res = finish(data, plan, b);
  return steps && res.synthetic ? { ...res, synthetic: { ...res.synthetic, steps } } : res;
}

/**
 * `smote`: synthetic rows on segments between a row and one of its k (default 5) nearest
 * same-class neighbours. Options: kNeighbors, kAuto. Needs only the target classes.
 */
export const smoteDefinition = defineSampler({
  name: 'smote',
  kind: 'over',
  scope: 'targets',
  needs: { knn: true, features: 'numeric', syntheticCells: true },
  summary: 'SMOTE: interpolate between a row and one of its k nearest same-class neighbours',
  defaultStrategy: 'auto',
  run: smoteResample,
});
