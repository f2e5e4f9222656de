/**
 * The point of `rebalance evaluate`: with labels that are pure noise, no honest evaluation can find
 * skill. Resampling only the training folds reports PR-AUC near the positive rate; resampling
 * before splitting (the common mistake, written here only to show the test can fail) puts copies
 * of test rows into training and reports far more.
 */
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../../src/core/rng.js';
import { classCounts, takeRows } from '../../../src/dataset/make.js';
import { evaluate, type EvaluateOptions } from '../../../src/evaluate/cross-validate.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { createModel } from '../../../src/models/registry.js';
import { getSampler } from '../../../src/samplers/registry.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import type { Dataset } from '../../../src/types.js';
import { duplicateMinority, knnClassifier, noiseData } from './fixtures.js';

describe('leakage', () => {
  const data = noiseData(createRng(2024), 600, 10, 0.1);
  const positive = data.classNames.indexOf('pos');
  const base: EvaluateOptions = {
    samplers: ['random-over'],
    models: ['knn1'],
    folds: 5,
    repeats: 1,
    positive,
    threshold: 'default',
    rng: createRng(42),
    resample: duplicateMinority,
    createModel: () => knnClassifier(1),
    warn: () => {},
  };

  it('reports PR-AUC near the positive rate when only training folds are resampled', async () => {
    const honest = await evaluate(data, base);
    const prAuc = honest.results[0].metrics.pr_auc.mean!;
    expect(Math.abs(prAuc - 0.1)).toBeLessThan(0.1);
    expect(Math.abs(honest.results[0].pooled.prAuc! - 0.1)).toBeLessThan(0.1);
    expect(Math.abs(honest.results[0].metrics.roc_auc.mean! - 0.5)).toBeLessThan(0.1);

    // The leaky pipeline: over-sample the whole table, then cross-validate the resampled rows.
    const leakyData = await duplicateMinority(data, 'random-over', createRng(42).fork('leaky'));
    const leaky = await evaluate(leakyData, { ...base, samplers: ['none'] });
    const leakyPrAuc = leaky.results[0].metrics.pr_auc.mean!;
    expect(leakyPrAuc).toBeGreaterThan(prAuc + 0.3);
    expect(leaky.results[0].metrics.recall.mean!).toBeGreaterThan(0.9);
  });

  it('holds with the registry random-over sampler and knn model (plan resolved on each training fold)', async () => {
    const resample = async (train: Dataset, name: string, rng: Rng): Promise<Dataset> => {
      const def = getSampler(name);
      const plan = resolveStrategy('auto', classCounts(train.labels, train.classNames.length), def.kind, train.classNames);
      const r = await def.create({}).fitResample(train, plan, rng, { knn: createNaiveBackend(), log: () => {} });
      expect(r.synthetic).toBeNull();
      return takeRows(train, [...r.indices, ...(r.duplicates ?? [])]);
    };
    const real = { ...base, resample, createModel: (name: string) => createModel(name, { k: 1 }), models: ['knn'] };
    const honest = await evaluate(data, real);
    expect(Math.abs(honest.results[0].metrics.pr_auc.mean! - 0.1)).toBeLessThan(0.1);
    const whole = await resample(data, 'random-over', createRng(42).fork('leaky'));
    expect(whole.nRows).toBe(1080);
    const leaky = await evaluate(whole, { ...real, samplers: ['none'] });
    expect(leaky.results[0].metrics.pr_auc.mean!).toBeGreaterThan(honest.results[0].metrics.pr_auc.mean! + 0.3);
  });
});
