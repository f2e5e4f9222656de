/**
 * The class-weight setup: no resampling, the model trained with balanced class weights,
 * standing beside the samplers on the same folds and judged against 'none'.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { CLASS_WEIGHT, evaluate, type EvaluateOptions, type ModelSetup } from '../../../src/evaluate/cross-validate.js';
import { formatTable, markdownReport, verdictLines } from '../../../src/evaluate/report.js';
import { checkUnsupervisedPairs, runEvaluate } from '../../../src/pipeline/evaluate-job.js';
import { createModel } from '../../../src/models/registry.js';
import type { Classifier, Dataset } from '../../../src/types.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { readFileSync } from 'node:fs';
import { datasetPath } from '../../helpers/datasets.js';
import { duplicateMinority, knnClassifier, noiseData } from './fixtures.js';
import { validate } from './json-schema.js';

const schema = JSON.parse(readFileSync(new URL('../../../docs/evaluate-schema.json', import.meta.url), 'utf8'));

const data = noiseData(createRng(5), 200, 3, 0.15, 1.5);
const pos = data.classNames.indexOf('pos');

function options(over: Partial<EvaluateOptions>): EvaluateOptions {
  return {
    samplers: ['none', CLASS_WEIGHT],
    models: ['logistic'],
    folds: 4,
    repeats: 2,
    positive: pos,
    threshold: 'default',
    rng: createRng(11),
    seed: 11,
    resample: duplicateMinority,
    createModel: (name, setup) => createModel(name, { ...setup }),
    takesClassWeight: (m) => m === 'logistic',
    warn: () => {},
    ...over,
  };
}

describe('evaluate: the class-weight setup', () => {
  it('trains on the untouched training fold with classWeight balanced; never calls the sampler', async () => {
    const seen: { name: string; setup?: ModelSetup; rows: number; positives: number }[] = [];
    let resampled = 0;
    const r = await evaluate(
      data,
      options({
        resample: async (t, s, rng) => {
          resampled++;
          return duplicateMinority(t, s, rng);
        },
        createModel: (name, setup) => {
          const inner = createModel(name, { ...setup });
          return {
            name,
            fit: (train: Dataset, rng, o) => {
              seen.push({ name, setup, rows: train.nRows, positives: train.labels.filter((l) => l === pos).length });
              return inner.fit(train, rng, o);
            },
          } satisfies Classifier;
        },
      }),
    );
    expect(resampled).toBe(0);
    const weighted = seen.filter((s) => s.setup);
    const plain = seen.filter((s) => !s.setup && s.rows > 0);
    // The validation build in evaluate() is not a fit; 8 folds x each setup.
    expect(weighted).toHaveLength(8);
    expect(weighted.every((s) => s.setup?.classWeight === 'balanced')).toBe(true);
    // Same training rows as 'none' (no resampling).
    expect(weighted.map((s) => [s.rows, s.positives])).toEqual(plain.map((s) => [s.rows, s.positives]));
    expect(r.results.map((x) => x.sampler).sort()).toEqual(['class-weight', 'none']);
    const cw = r.verdict.setups.find((s) => s.sampler === CLASS_WEIGHT)!;
    expect(cw.vsBaseline?.pairs).toBe(8);
    expect(['helps', 'hurts', 'no evidence']).toContain(cw.effect);
    // Balanced weights move a logistic model's 0.5 threshold: recall goes up against 'none'.
    const recall = (s: string): number => r.results.find((x) => x.sampler === s)!.metrics.recall.mean!;
    expect(recall(CLASS_WEIGHT)).toBeGreaterThan(recall('none'));
    expect(r.skipped).toEqual([]);
  });

  it('skips models that take no class weights: listed in skipped, one warning, not failed, not ranked', async () => {
    const warnings: string[] = [];
    const progress: [number, number][] = [];
    const r = await evaluate(
      data,
      options({
        models: ['logistic', 'knn1'],
        createModel: (name, setup) => (name === 'knn1' ? knnClassifier(1) : createModel(name, { ...setup })),
        warn: (m) => warnings.push(m),
        onProgress: (d, t) => progress.push([d, t]),
      }),
    );
    expect(r.skipped).toEqual([{ sampler: 'class-weight', model: 'knn1', reason: 'knn1 takes no class weights' }]);
    expect(r.failed).toEqual([]);
    expect(r.results.map((x) => `${x.sampler}+${x.model}`).sort()).toEqual(['class-weight+logistic', 'none+knn1', 'none+logistic']);
    expect(warnings.filter((w) => w.includes('class-weight skipped for knn1'))).toHaveLength(1);
    expect(progress.at(-1)).toEqual([24, 24]);
    expect(verdictLines(r)).toContain('not run: class-weight + knn1 (knn1 takes no class weights)');
    expect(markdownReport(r, { plots: 'none' })).toContain('not run: class-weight + knn1');
    expect(formatTable(r)).toContain('class-weight');
    expect(validate(schema, JSON.parse(JSON.stringify(r)))).toEqual([]);
  });

  it('--threshold best-f1 is chosen on the training fold for the class-weight setup too', async () => {
    const r = await evaluate(data, options({ threshold: 'best-f1', repeats: 1 }));
    for (const row of r.results) for (const t of row.metrics.threshold.folds) expect(t).not.toBeNull();
    const t = (s: string): number => r.results.find((x) => x.sampler === s)!.metrics.threshold.mean!;
    // Weighted scores sit higher, so the F1-best threshold on the training fold does too.
    expect(t(CLASS_WEIGHT)).toBeGreaterThan(t('none'));
  });

  it('isolation-forest beside class-weight is not refused as resampling', () => {
    expect(() => checkUnsupervisedPairs(['none', CLASS_WEIGHT], ['isolation-forest', 'logistic'])).not.toThrow();
    expect(() => checkUnsupervisedPairs(['none', 'smote'], ['isolation-forest'])).toThrow(/isolation-forest/);
  });

  it('the job wires the registry: logistic and random-forest run it, knn is skipped', async () => {
    const knn = createNaiveBackend();
    const logs: string[] = [];
    {
      const { result } = await runEvaluate({
        input: datasetPath('pima'),
        scan: { label: 'label' },
        samplers: ['none', CLASS_WEIGHT],
        models: ['logistic', 'knn', 'random-forest'],
        modelOptions: { nEstimators: 5 },
        folds: 3,
        repeats: 1,
        threshold: 'default',
        rng: createRng(1),
        seed: 1,
        knn,
        log: (m) => logs.push(m),
      });
      expect(result.skipped.map((s) => s.model)).toEqual(['knn']);
      expect(result.results.filter((x) => x.sampler === CLASS_WEIGHT).map((x) => x.model).sort()).toEqual(['logistic', 'random-forest']);
      expect(logs.some((l) => l.includes('class-weight skipped for knn'))).toBe(true);
    }
  });
});
