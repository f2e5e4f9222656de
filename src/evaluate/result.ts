/**
 * The EvaluationResult schema (version 1): what `rebalance evaluate --output json` prints and
 * `--json FILE` writes, and what the text/markdown reports and SVG plots are drawn from. JSON-safe
 * by construction (no NaN, no typed arrays); docs/evaluate-schema.json is the JSON Schema of this type.
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
  /** 1 = best: by mean PR-AUC descending, then mean ROC-AUC descending, then input order. */
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
}

export const LEAKAGE_NOTE = 'only training folds were resampled; test folds are untouched' as const;

export interface EvaluationResult {
  readonly schemaVersion: 1;
  readonly dataset: DatasetSummary;
  readonly settings: EvaluationSettings;
  /** Sorted by rank (best first). */
  readonly results: readonly ResultRow[];
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
 * Orders rows best first and sets `rank` (1-based): mean PR-AUC descending, then mean ROC-AUC
 * descending (null counts as worst), then the given order (samplers then models as listed).
 */
export function rankRows(rows: readonly Omit<ResultRow, 'rank'>[]): ResultRow[] {
  const key = (v: number | null): number => (v === null ? -Infinity : v);
  const order = rows.map((_, i) => i);
  order.sort((a, b) => {
    const ra = rows[a].metrics;
    const rb = rows[b].metrics;
    return (
      key(rb.pr_auc.mean) - key(ra.pr_auc.mean) ||
      key(rb.roc_auc.mean) - key(ra.roc_auc.mean) ||
      a - b
    );
  });
  return order.map((i, r) => ({ ...rows[i], rank: r + 1 }));
}
