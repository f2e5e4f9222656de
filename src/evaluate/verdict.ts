/**
 * The verdict: does resampling help each model, and which setups cannot be told apart from
 * the best? Pure, over the per-fold values of the ranked results.
 *
 * Every setup is compared with its own model trained without resampling (sampler 'none') on
 * the same folds: the per-fold differences over all repeats are paired (the same test rows,
 * the same model streams), and their mean gets a confidence interval from the corrected
 * resampled t-test of Nadeau & Bengio (2003, "Inference for the generalization error"): the
 * folds' training sets overlap, so the plain t-test's variance s^2 / J is far too small;
 * the corrected variance is (1/J + nTest/nTrain) * s^2, with t on J - 1 degrees of freedom
 * (J = folds x repeats). Bouckaert & Frank (2004) found it the test with acceptable type I
 * error among the repeated-CV tests. The same test against the best-ranked setup says which
 * setups are not distinguishable from it.
 */
import {
  BASELINE_SAMPLER,
  VERDICT_METHOD,
  type Effect,
  type PairedInterval,
  type RankMetric,
  type ResultRow,
  type SetupVerdict,
  type Verdict,
} from './result.js';
import { studentTQuantile } from './stats.js';

/** The default two-sided confidence level of the verdict's intervals. */
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * Mean of the paired differences a[i] - b[i] (folds where both are defined) and its corrected
 * resampled t interval; null when fewer than 2 folds pair up.
 *
 * @param testTrainRatio nTest / nTrain of the folds (1 / (folds - 1) for k-fold)
 * @param confidence two-sided level in (0, 1)
 */
export function correctedInterval(
  a: readonly (number | null)[],
  b: readonly (number | null)[],
  testTrainRatio: number,
  confidence = DEFAULT_CONFIDENCE,
): PairedInterval | null {
  const d: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== null && y !== null && Number.isFinite(x) && Number.isFinite(y)) d.push(x - y);
  }
  const J = d.length;
  if (J < 2) return null;
  let mean = 0;
  for (const v of d) mean += v;
  mean /= J;
  let ss = 0;
  for (const v of d) ss += (v - mean) * (v - mean);
  const variance = ss / (J - 1);
  const half = studentTQuantile(1 - (1 - confidence) / 2, J - 1) * Math.sqrt((1 / J + testTrainRatio) * variance);
  return { difference: mean, lower: mean - half, upper: mean + half, pairs: J };
}

function effectOf(iv: PairedInterval | null): Effect {
  if (!iv) return 'undefined';
  if (iv.lower > 0) return 'helps';
  if (iv.upper < 0) return 'hurts';
  return 'no evidence';
}

export interface VerdictOptions {
  readonly metric: RankMetric;
  /** nTest / nTrain of the folds. */
  readonly testTrainRatio: number;
  /** Two-sided confidence level (default 0.95). */
  readonly confidence?: number;
}

/**
 * The verdict over ranked results (rank 1 first, as rankRows returns them).
 * @throws RangeError on a confidence outside (0, 1) or a negative ratio (caller bugs)
 */
export function computeVerdict(results: readonly ResultRow[], options: VerdictOptions): Verdict {
  const { metric, testTrainRatio } = options;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (!(testTrainRatio >= 0)) throw new RangeError(`testTrainRatio must be >= 0, got ${testTrainRatio}`);
  const best = results[0];
  const setups: SetupVerdict[] = results.map((row) => {
    const folds = row.metrics[metric].folds;
    let vsBaseline: PairedInterval | null = null;
    let effect: Effect;
    if (row.sampler === BASELINE_SAMPLER) effect = 'baseline';
    else {
      const base = results.find((r) => r.sampler === BASELINE_SAMPLER && r.model === row.model);
      if (!base) effect = 'no baseline';
      else {
        vsBaseline = correctedInterval(folds, base.metrics[metric].folds, testTrainRatio, confidence);
        effect = effectOf(vsBaseline);
      }
    }
    const vsBest = row === best ? null : correctedInterval(folds, best.metrics[metric].folds, testTrainRatio, confidence);
    return {
      sampler: row.sampler,
      model: row.model,
      rank: row.rank,
      mean: row.metrics[metric].mean,
      vsBaseline,
      effect,
      vsBest,
      tiedWithBest: row === best || (vsBest !== null && vsBest.upper >= 0),
    };
  });
  return { metric, confidence, method: VERDICT_METHOD, baseline: BASELINE_SAMPLER, testTrainRatio, setups };
}
