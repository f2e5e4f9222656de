/**
 * The EvaluationResult schema (version 2: adds the verdict, rankBy and failed setups): what
 * `rebalance evaluate --output json` prints and `--json FILE` writes, and what the text/markdown
 * reports and SVG plots are drawn from. JSON-safe by construction (no NaN, no typed arrays);
 * docs/evaluate-schema.json is the JSON Schema of this type.
 */

/** The metrics reported per (sampler, model), in report order. Keys of `ResultRow.metrics`. */
export const METRIC_NAMES = [
  'pr_auc',
  'roc_auc',
  'f1',
  'recall',
  'precision',
  'specificity',
  'gmean',
  'balanced_accuracy',
  'mcc',
  'iba',
  'precision_at_top20',
  'threshold',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Per-fold values of one metric and their summary. `null` where a value was undefined (NaN). */
export interface MetricSummary {
  /** Mean over the folds with a defined value; null when none had one. */
  readonly mean: number | null;
  /** Population standard deviation (ddof=0, numpy's default) over the same folds; null when none. */
  readonly std: number | null;
  /** One value per fold, fold f of repeat r at index r * folds + f. */
  readonly folds: readonly (number | null)[];
}

/** A curve as two equal-length coordinate lists, thinned for plotting. */
export interface CurvePoints {
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** Curves of the out-of-fold scores of every fold and repeat pooled together. */
export interface PooledCurves {
  /** Average precision of the pooled scores. */
  readonly prAuc: number | null;
  /** ROC-AUC of the pooled scores. */
  readonly rocAuc: number | null;
  /** Share of positive rows among the pooled scores: the PR curve of a random ranking. */
  readonly positiveRate: number;
  /** x = recall, y = precision. */
  readonly pr: CurvePoints;
  /** x = false positive rate, y = true positive rate. */
  readonly roc: CurvePoints;
}

export interface ResultRow {
  readonly sampler: string;
  readonly model: string;
  readonly metrics: Readonly<Record<MetricName, MetricSummary>>;
  /** 1 = best: by the mean of settings.rankBy descending, then mean PR-AUC, then mean ROC-AUC, then input order. */
  readonly rank: number;
  readonly pooled: PooledCurves;
}

export interface DatasetSummary {
  readonly rows: number;
  readonly features: number;
  /** Class names in class-code order. */
  readonly classes: readonly string[];
  /** Rows per class, same order as `classes`. */
  readonly counts: readonly number[];
  /** The class scored as positive; all other classes are negative. */
  readonly positive: string;
}

export interface EvaluationSettings {
  readonly folds: number;
  readonly repeats: number;
  /** The --seed the root Rng was built from, when the caller said. */
  readonly seed: number | null;
  /** 'default' (0.5), 'best-f1' (chosen on the un-resampled training fold) or a fixed threshold. */
  readonly threshold: 'default' | 'best-f1' | number;
  /** k used for the too-few-minority-rows warning (samplers' neighbour count). */
  readonly k: number;
  readonly samplers: readonly string[];
  readonly models: readonly string[];
  /** The metric the rows are ranked by and the verdict is on (default pr_auc). */
  readonly rankBy: RankMetric;
}

/** Metrics a ranking and verdict may use: every reported metric but the threshold. */
export type RankMetric = Exclude<MetricName, 'threshold'>;
export const RANK_METRICS: readonly RankMetric[] = METRIC_NAMES.filter((m): m is RankMetric => m !== 'threshold');

/** A (sampler, model) setup that threw a RebalanceError on one fold: it is left out of `results`. */
export interface FailedSetup {
  readonly sampler: string;
  readonly model: string;
  /** Where it first failed: 1-based fold and repeat. */
  readonly fold: number;
  readonly repeat: number;
  /** 'sampler' when resampling the training fold failed, 'model' when fitting or scoring did. */
  readonly stage: 'sampler' | 'model';
  /** The error's stable REBALANCE_* code. */
  readonly code: string;
  /** The error's one-line message. */
  readonly message: string;
}

/**
 * A (sampler, model) pair of the grid that was not run: the 'class-weight' setup of a model
 * that takes no class weights. Not ranked, not failed.
 */
export interface SkippedSetup {
  readonly sampler: string;
  readonly model: string;
  /** Why, one line. */
  readonly reason: string;
}

/**
 * A paired comparison over the folds of every repeat: `difference` is the mean of
 * (this setup - reference) per fold, [lower, upper] its confidence interval by the corrected
 * resampled t-test (Nadeau & Bengio 2003): variance (1/J + nTest/nTrain) * s^2, t with J - 1
 * degrees of freedom, J = `pairs` (folds x repeats with a defined value on both sides).
 */
export interface PairedInterval {
  readonly difference: number;
  readonly lower: number;
  readonly upper: number;
  readonly pairs: number;
}

/**
 * 'helps': the interval vs the same model without resampling lies above 0; 'hurts': below 0;
 * 'no evidence': it contains 0; 'baseline': this is the 'none' setup; 'no baseline': the model's
 * 'none' setup was not run or failed; 'undefined': fewer than 2 folds had a value on both sides.
 */
export type Effect = 'helps' | 'hurts' | 'no evidence' | 'baseline' | 'no baseline' | 'undefined';

export interface SetupVerdict {
  readonly sampler: string;
  readonly model: string;
  readonly rank: number;
  /** Mean of the verdict metric over folds. */
  readonly mean: number | null;
  /** This setup minus the same model with sampler 'none'; null for the baseline itself or without one. */
  readonly vsBaseline: PairedInterval | null;
  readonly effect: Effect;
  /** This setup minus the best-ranked setup; null for the best itself. */
  readonly vsBest: PairedInterval | null;
  /** True for the best setup and for every setup whose interval vs the best reaches 0 (upper >= 0). */
  readonly tiedWithBest: boolean;
}

export interface Verdict {
  /** The metric compared (settings.rankBy). */
  readonly metric: RankMetric;
  /** Two-sided confidence level of every interval (0.95). */
  readonly confidence: number;
  readonly method: typeof VERDICT_METHOD;
  /** The sampler every setup is compared with (its own model's). */
  readonly baseline: typeof BASELINE_SAMPLER;
  /** nTest / nTrain of the folds (mean test-fold size over mean training-fold size). */
  readonly testTrainRatio: number;
  /** One entry per row of `results`, same order (by rank). */
  readonly setups: readonly SetupVerdict[];
}

export const VERDICT_METHOD = 'corrected resampled t-test (Nadeau & Bengio 2003), paired over folds x repeats' as const;
export const BASELINE_SAMPLER = 'none' as const;

export const LEAKAGE_NOTE = 'only training folds were resampled; test folds are untouched' as const;

export interface EvaluationResult {
  readonly schemaVersion: 2;
  readonly dataset: DatasetSummary;
  readonly settings: EvaluationSettings;
  /** The setups that completed every fold, sorted by rank (best first). */
  readonly results: readonly ResultRow[];
  /** Setups that threw a RebalanceError on some fold (not ranked); empty when all completed. */
  readonly failed: readonly FailedSetup[];
  /** Pairs of the grid that were not run (class-weight with a model that takes no weights); empty when none. */
  readonly skipped: readonly SkippedSetup[];
  /** Does resampling help each model, and which setups cannot be told apart from the best. */
  readonly verdict: Verdict;
  readonly note: typeof LEAKAGE_NOTE;
}

/** Summarises per-fold values; non-finite values become null and are left out of mean/std. */
export function summarize(values: ArrayLike<number>): MetricSummary {
  const folds: (number | null)[] = [];
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      folds.push(v);
      sum += v;
      n++;
    } else folds.push(null);
  }
  if (n === 0) return { mean: null, std: null, folds };
  const mean = sum / n;
  let ss = 0;
  for (const v of folds) if (v !== null) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / n), folds };
}

/**
 * Orders rows best first and sets `rank` (1-based): mean of `by` descending, then mean PR-AUC,
 * then mean ROC-AUC descending (null counts as worst), then the given order (samplers then
 * models as listed).
 */
export function rankRows(rows: readonly Omit<ResultRow, 'rank'>[], by: RankMetric = 'pr_auc'): ResultRow[] {
  const key = (v: number | null): number => (v === null ? -Infinity : v);
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const ra = rows[a].metrics;
    const rb = rows[b].metrics;
    return (
      key(rb[by].mean) - key(ra[by].mean) ||
      key(rb.pr_auc.mean) - key(ra.pr_auc.mean) ||
      key(rb.roc_auc.mean) - key(ra.roc_auc.mean) ||
      a - b
    );
  });
  return order.map((i, r) => ({ ...rows[i], rank: r + 1 }));
}
