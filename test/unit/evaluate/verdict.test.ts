import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, rankRows, summarize, type ResultRow } from '../../../src/evaluate/result.js';
import { computeVerdict, correctedInterval } from '../../../src/evaluate/verdict.js';
import { studentTQuantile } from '../../../src/evaluate/stats.js';

/** A result row whose every metric has these per-fold values. */
function row(sampler: string, model: string, folds: (number | null)[], f1?: number[]): Omit<ResultRow, 'rank'> {
  const s = summarize(folds.map((v) => (v === null ? NaN : v)));
  const metrics = Object.fromEntries(METRIC_NAMES.map((m) => [m, m === 'f1' && f1 ? summarize(f1) : s])) as ResultRow['metrics'];
  const empty = { x: [], y: [] };
  return { sampler, model, metrics, pooled: { prAuc: null, rocAuc: null, positiveRate: 0, pr: empty, roc: empty } };
}

describe('correctedInterval', () => {
  it('matches the corrected resampled t-test computed with numpy/scipy', () => {
    // numpy: d = a - b; m = d.mean(); h = t.ppf(0.975, 4) * sqrt((1/5 + 1/4) * d.var(ddof=1))
    const iv = correctedInterval([0.5, 0.6, 0.55, 0.7, 0.65], [0.45, 0.5, 0.56, 0.6, 0.6], 0.25)!;
    expect(iv.pairs).toBe(5);
    expect(iv.difference).toBeCloseTo(0.057999999999999996, 14);
    expect(iv.lower).toBeCloseTo(-0.02673845097567988, 9);
    expect(iv.upper).toBeCloseTo(0.1427384509756799, 9);
  });

  it('is wider than the uncorrected t interval by sqrt(1 + J * ratio), and drops folds undefined on either side', () => {
    const a = [0.3, 0.5, 0.4, 0.45, 0.35, 0.6];
    const b = [0.2, 0.45, 0.41, 0.3, 0.3, 0.5];
    const plain = correctedInterval(a, b, 0)!;
    const corrected = correctedInterval(a, b, 0.25)!;
    const ratio = (corrected.upper - corrected.difference) / (plain.upper - plain.difference);
    expect(ratio).toBeCloseTo(Math.sqrt(1 + 6 * 0.25), 12);
    const dropped = correctedInterval([...a, null, 0.9], [...b, 0.1, null], 0.25)!;
    expect(dropped).toEqual(corrected);
    expect(correctedInterval([0.1, null], [0.2, 0.3], 0.25)).toBeNull();
    // 99% is wider than 95% by the ratio of t quantiles
    const wide = correctedInterval(a, b, 0.25, 0.99)!;
    expect((wide.upper - wide.difference) / (corrected.upper - corrected.difference)).toBeCloseTo(
      studentTQuantile(0.995, 5) / studentTQuantile(0.975, 5),
      12,
    );
  });
});

describe('computeVerdict', () => {
  const base = [0.3, 0.32, 0.28, 0.31, 0.29, 0.3, 0.33, 0.27, 0.3, 0.31];
  const rows = rankRows([
    row('none', 'logistic', base),
    row('smote', 'logistic', base.map((v, i) => v + 0.1 + (i % 2 ? 0.01 : -0.01))), // clearly better
    row('random-under', 'logistic', base.map((v, i) => v - 0.1 + (i % 3 ? 0.005 : -0.01))), // clearly worse
    row('random-over', 'logistic', base.map((v, i) => v + (i % 2 ? 0.03 : -0.03))), // noise
    row('smote', 'mlp', base.map((v) => v + 0.099)), // no mlp baseline
  ]);
  const v = computeVerdict(rows, { metric: 'pr_auc', testTrainRatio: 0.25 });

  it('compares every setup with its own model without resampling', () => {
    const effect = Object.fromEntries(v.setups.map((s) => [`${s.sampler}+${s.model}`, s.effect]));
    expect(effect).toEqual({
      'none+logistic': 'baseline',
      'smote+logistic': 'helps',
      'random-under+logistic': 'hurts',
      'random-over+logistic': 'no evidence',
      'smote+mlp': 'no baseline',
    });
    const smote = v.setups.find((s) => s.sampler === 'smote' && s.model === 'logistic')!;
    expect(smote.vsBaseline!.difference).toBeCloseTo(0.1, 12);
    expect(smote.vsBaseline!.lower).toBeGreaterThan(0);
    expect(v.setups.find((s) => s.sampler === 'none')!.vsBaseline).toBeNull();
    expect(v).toMatchObject({ metric: 'pr_auc', confidence: 0.95, baseline: 'none', testTrainRatio: 0.25 });
  });

  it('marks setups not distinguishable from the best, in rank order', () => {
    expect(v.setups.map((s) => s.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(v.setups[0]).toMatchObject({ sampler: 'smote', model: 'logistic', vsBest: null, tiedWithBest: true });
    const tied = v.setups.filter((s) => s.tiedWithBest).map((s) => `${s.sampler}+${s.model}`);
    // smote+mlp trails by 0.001 on average with +-0.01 per fold: not distinguishable
    expect(tied).toEqual(['smote+logistic', 'smote+mlp']);
    const under = v.setups.find((s) => s.sampler === 'random-under')!;
    expect(under.vsBest!.upper).toBeLessThan(0);
  });

  it('uses the named metric', () => {
    // s loses on PR-AUC but wins on F1 by 0.1 on every fold
    const r = rankRows([row('none', 'm', [0.5, 0.6, 0.7], [0.1, 0.2, 0.3]), row('s', 'm', [0.2, 0.3, 0.4], [0.2, 0.3, 0.4])], 'f1');
    expect(r[0].sampler).toBe('s');
    const f1 = computeVerdict(r, { metric: 'f1', testTrainRatio: 0.5 });
    expect(f1.metric).toBe('f1');
    expect(f1.setups[0]).toMatchObject({ sampler: 's', effect: 'helps' });
    expect(f1.setups[0].mean).toBeCloseTo(0.3, 12);
    expect(f1.setups[0].vsBaseline!.difference).toBeCloseTo(0.1, 12);
    const pr = computeVerdict(rankRows(r), { metric: 'pr_auc', testTrainRatio: 0.5 });
    expect(pr.setups.find((x) => x.sampler === 's')!.effect).toBe('hurts');
  });
});
