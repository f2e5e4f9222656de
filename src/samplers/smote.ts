/**
 * SMOTE (Chawla et al. 2002), imbalanced-learn 0.10 semantics: for each class to grow, the
 * k nearest same-class neighbours of every row (self excluded by id), then `to - from` draws of
 * (row, neighbour, step in [0, 1)) interpolated in float64.
 */
import { smoteFamily, defineSampler } from './define.js';
import { sameClassNeighbors, resolveK } from './shared/neighbours.js';
import { kOptions } from './shared/options.js';
import { overEachClass } from './shared/per-class.js';
import { appendRows, drawSmote, overTargets, resolveDraws, totalToAdd } from './shared/smote-draws.js';

/**
 * `smote`: synthetic rows on segments between a row and one of its k (default 5) nearest
 * same-class neighbours. Options: kNeighbors, kAuto. Needs only the target classes. With
 * ctx.lazySynthetic the block keeps (source, neighbour, step) per row and no values: the writer
 * interpolates as it writes.
 */
export const smoteDefinition = defineSampler({
  ...smoteFamily('targets'),
  name: 'smote',
  summary: 'SMOTE: interpolate between a row and one of its k nearest same-class neighbours',
  bind: (options) => kOptions('smote', options),
  async run(data, plan, rng, ctx, { k, kAuto }) {
    const lazy = ctx.lazySynthetic === true;
    const steps = lazy ? new Float64Array(totalToAdd(overTargets(plan))) : undefined;
    const res = await overEachClass(data, plan, rng, ctx, {
      method: 'smote',
      nFeatures: lazy ? 0 : undefined,
      async fill({ code, name, add, rows, stream }, out) {
        const kk = resolveK('smote', name, rows.length, k, kAuto, ctx.log);
        const nn = await sameClassNeighbors(data, rows, kk, ctx);
        const draws = drawSmote(rows.length, kk, add, stream);
        const { source, neighbor } = resolveDraws(draws, rows, nn, kk);
        if (steps) steps.set(draws.steps, out.offset);
        appendRows(out, code, source, neighbor, steps ? undefined : { data, steps: draws.steps });
      },
    });
    return steps && res.synthetic ? { ...res, synthetic: { ...res.synthetic, steps } } : res;
  },
});
