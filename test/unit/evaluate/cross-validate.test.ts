import { describe, expect, it } from 'vitest';
import { DataError, InterruptedError, UsageError } from '../../../src/core/errors.js';
import { createRng, type Rng } from '../../../src/core/rng.js';
import { evaluate, runLimited, type EvaluateOptions } from '../../../src/evaluate/cross-validate.js';
import { stratifiedKFold, repeatedStratifiedKFold } from '../../../src/evaluate/folds.js';
import { bestF1Threshold } from '../../../src/metrics/index.js';
import type { Classifier, Dataset } from '../../../src/types.js';
import { loadDataset } from '../../helpers/datasets.js';
import { unitConcurrency } from '../../../src/pipeline/evaluate-job.js';
import { mlpThreads } from '../../../src/models/mlp-wasm.js';
import { duplicateMinority, featureModel, knnClassifier, noiseData, randomModel, sourceRows } from './fixtures.js';

const MODELS: Record<string, () => Classifier> = {
  knn1: () => knnClassifier(1),
  knn5: () => knnClassifier(5),
  feature0: () => featureModel(),
  random: () => randomModel(),
};

function options(over: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return {
    samplers: ['none', 'dup'],
    models: ['knn5'],
    folds: 4,
    repeats: 1,
    positive: 1,
    threshold: 'default',
    rng: createRng(11),
    seed: 11,
    resample: duplicateMinority,
    createModel: (name) => MODELS[name](),
    warn: () => {},
    ...over,
  };
}

const data = noiseData(createRng(5), 160, 3, 0.2, 1.5);
const pos = data.classNames.indexOf('pos');

describe('evaluate', () => {
  it('summarises the data and settings and ranks rows by mean PR-AUC', async () => {
    const r = await evaluate(data, options({ positive: pos, models: ['feature0', 'random'] }));
    expect(r.schemaVersion).toBe(2);
    expect(r.dataset).toEqual({ rows: 160, features: 3, classes: ['neg', 'pos'], counts: [128, 32], positive: 'pos' });
    expect(r.settings).toMatchObject({ folds: 4, repeats: 1, seed: 11, threshold: 'default', k: 5, samplers: ['none', 'dup'], rankBy: 'pr_auc' });
    expect(r.failed).toEqual([]);
    expect(r.verdict.setups.map((s) => [s.sampler, s.model, s.rank])).toEqual(r.results.map((x) => [x.sampler, x.model, x.rank]));
    expect(r.note).toBe('only training folds were resampled; test folds are untouched');
    expect(r.results).toHaveLength(4);
    expect(r.results.map((x) => x.rank)).toEqual([1, 2, 3, 4]);
    const means = r.results.map((x) => x.metrics.pr_auc.mean!);
    expect([...means].sort((a, b) => b - a)).toEqual(means);
    // The informative model beats the random one whatever the sampler.
    expect(r.results[0].model).toBe('feature0');
    expect(r.results[1].model).toBe('feature0');
    for (const row of r.results) {
      expect(row.metrics.pr_auc.folds).toHaveLength(4);
      const f = row.metrics.recall.folds as number[];
      expect(row.metrics.recall.mean).toBeCloseTo(f.reduce((a, b) => a + b) / f.length, 12);
      expect(row.pooled.positiveRate).toBeCloseTo(0.2, 12);
      expect(row.pooled.pr.x.length).toBe(row.pooled.pr.y.length);
    }
  });

  it('is deterministic, and adding a sampler or a model leaves the other rows unchanged', async () => {
    const a = await evaluate(data, options({ positive: pos, samplers: ['dup'], models: ['random'] }));
    const b = await evaluate(data, options({ positive: pos, samplers: ['dup'], models: ['random'] }));
    expect(b).toEqual(a);
    const c = await evaluate(data, options({ positive: pos, samplers: ['none', 'dup2', 'dup'], models: ['knn1', 'random'] }));
    const row = c.results.find((x) => x.sampler === 'dup' && x.model === 'random')!;
    expect(row.metrics).toEqual(a.results[0].metrics);
    expect(row.pooled).toEqual(a.results[0].pooled);
    // A different seed gives different draws.
    const d = await evaluate(data, options({ positive: pos, samplers: ['dup'], models: ['random'], rng: createRng(12) }));
    expect(d.results[0].metrics.pr_auc.folds).not.toEqual(a.results[0].metrics.pr_auc.folds);
  });

  it('gives the same result whatever the concurrency, with fits finishing out of order', async () => {
    // A model whose fits take longer for earlier (fold, sampler) units, so units finish reversed.
    let delay = 40;
    const slow = (): Classifier => {
      const inner = randomModel();
      return {
        name: 'slow',
        async fit(train, rng, o) {
          const wait = (delay = Math.max(0, delay - 3));
          await new Promise((r) => setTimeout(r, wait));
          return inner.fit(train, rng, o);
        },
      };
    };
    const o = { positive: pos, samplers: ['none', 'dup', 'dup2'], models: ['slow', 'knn1'], createModel: (n: string) => (n === 'slow' ? slow() : MODELS[n]()) };
    const one = await evaluate(data, options(o));
    delay = 40;
    const order: string[] = [];
    const four = await evaluate(data, options({ ...o, concurrency: 4, onProgress: (_d, _t, label) => void order.push(label) }));
    expect(four).toEqual(one);
    expect(order).toHaveLength(4 * 3 * 2);
    // Out of order indeed: a later unit's fit (shorter sleep) reports before the first unit's.
    expect(order[0]).not.toBe('repeat 1/1 fold 1/4 none + slow');
    expect(order).toContain('repeat 1/1 fold 1/4 none + slow');
  });

  it('runLimited keeps at most `limit` tasks running and reports the first failure', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runLimited([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 10 - x));
      seen.push(x);
      running--;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const started: number[] = [];
    const failing = runLimited([1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      await new Promise((r) => setTimeout(r, 5));
      if (x === 2) throw new Error('task 2 failed');
    });
    await expect(failing).rejects.toThrow('task 2 failed');
    expect(started).toEqual([1, 2, 3]); // 3 starts when 1 ends; nothing starts after 2 fails
  });

  it('resamples only training rows, scores untouched test folds and forks streams per fold', async () => {
    const resampled: { rows: number[]; path: string }[] = [];
    const predicted: number[][] = [];
    const fitted: { n: number; path: string }[] = [];
    const spyModel = (): Classifier => ({
      name: 'spy',
      async fit(train: Dataset, rng: Rng, o) {
        fitted.push({ n: train.nRows, path: rng.path });
        const inner = await knnClassifier(1).fit(train, rng, o);
        return { ...inner, predictProba: async (x: Dataset) => (predicted.push(sourceRows(x)), inner.predictProba(x)) };
      },
    });
    await evaluate(data, options({
      positive: pos,
      samplers: ['none', 'dup'],
      models: ['spy'],
      repeats: 2,
      createModel: spyModel,
      resample: async (train, name, rng) => {
        resampled.push({ rows: sourceRows(train), path: rng.path });
        return duplicateMinority(train, name, rng);
      },
    }));
    const testFolds = repeatedStratifiedKFold(data.labels, 2, 4, createRng(11).fork('folds'), 2);
    expect(resampled).toHaveLength(8);
    expect(predicted).toHaveLength(16);
    for (let i = 0; i < 8; i++) {
      const test = Array.from(testFolds[i]);
      const train = resampled[i].rows;
      expect(resampled[i].path).toBe(`fold/${i}/sampler/dup`);
      expect(train.some((r) => test.includes(r))).toBe(false);
      expect(train.length + test.length).toBe(160);
      // Both models of the fold score exactly the original test rows.
      expect(predicted[2 * i]).toEqual(test);
      expect(predicted[2 * i + 1]).toEqual(test);
      expect(fitted[2 * i]).toEqual({ n: train.length, path: `fold/${i}/model/spy` });
      expect(fitted[2 * i + 1].n).toBeGreaterThan(train.length);
    }
  });

  it("picks 'best-f1' thresholds on the model's scores of the un-resampled training fold", async () => {
    const seen: { rows: number[]; scores: Float32Array; y: Uint8Array }[] = [];
    const spyModel = (): Classifier => ({
      name: 'spy',
      async fit(train, rng, o) {
        const inner = await knnClassifier(5).fit(train, rng, o);
        return {
          ...inner,
          predictProba: async (x: Dataset) => {
            const s = await inner.predictProba(x);
            seen.push({ rows: sourceRows(x), scores: s, y: Uint8Array.from(x.labels, (l) => (l === pos ? 1 : 0)) });
            return s;
          },
        };
      },
    });
    const r = await evaluate(data, options({ positive: pos, samplers: ['dup'], models: ['spy'], threshold: 'best-f1', createModel: spyModel }));
    const testFolds = stratifiedKFold(data.labels, 2, 4, createRng(11).fork('folds').fork('repeat/0'));
    expect(seen).toHaveLength(8);
    for (let i = 0; i < 4; i++) {
      const trainCall = seen[2 * i + 1];
      const test = Array.from(testFolds[i]);
      // Every original training row once (no duplicates), no test row.
      expect(new Set(trainCall.rows).size).toBe(160 - test.length);
      expect(trainCall.rows.length).toBe(160 - test.length);
      expect(trainCall.rows.some((x) => test.includes(x))).toBe(false);
      expect(r.results[0].metrics.threshold.folds[i]).toBe(bestF1Threshold(trainCall.y, trainCall.scores));
    }
    const fixed = await evaluate(data, options({ positive: pos, samplers: ['dup'], models: ['knn5'], threshold: 0.3 }));
    expect(fixed.results[0].metrics.threshold.folds).toEqual([0.3, 0.3, 0.3, 0.3]);
  });

  it('warns once when a training fold has too few minority rows for k neighbours', async () => {
    const small = noiseData(createRng(2), 60, 2, 0.1);
    const warnings: string[] = [];
    await evaluate(small, options({ positive: 1, models: ['knn1'], folds: 3, warn: (m) => warnings.push(m) }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/only 4 rows of class 'pos'.*k=5.*at least 6/);
    const none: string[] = [];
    await evaluate(small, options({ positive: 1, models: ['knn1'], folds: 3, k: 3, warn: (m) => none.push(m) }));
    await evaluate(small, options({ positive: 1, samplers: ['none'], models: ['knn1'], folds: 3, warn: (m) => none.push(m) }));
    expect(none).toEqual([]);
  });

  it('reports progress for every (fold, sampler, model) and stops on abort', async () => {
    const calls: [number, number, string][] = [];
    await evaluate(data, options({ positive: pos, models: ['knn1', 'random'], repeats: 2, onProgress: (d, t, l) => calls.push([d, t, l]) }));
    expect(calls).toHaveLength(32);
    expect(calls.map((c) => c[0])).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(calls.every((c) => c[1] === 32)).toBe(true);
    expect(calls[31][2]).toBe('repeat 2/2 fold 4/4 dup + random');

    const ac = new AbortController();
    const run = evaluate(data, options({ positive: pos, signal: ac.signal, onProgress: (d) => d === 2 && ac.abort() }));
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
  });

  it('scores one class against the rest on multiclass data', async () => {
    const glass = loadDataset('glass');
    const p = glass.classNames.indexOf('6');
    const r = await evaluate(glass, options({ positive: p, samplers: ['none'], models: ['knn1'], folds: 3 }));
    expect(r.dataset.positive).toBe('6');
    expect(r.dataset.counts.reduce((a, b) => a + b)).toBe(glass.nRows);
    expect(r.results[0].pooled.positiveRate).toBeCloseTo(9 / 214, 12);
  });

  it('rejects bad options and unsplittable data with typed errors', async () => {
    const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e) => `${e.constructor.name}:${e.code}`);
    expect(await codeOf(evaluate(data, options({ samplers: ['dup', 'dup'] })))).toBe(`${UsageError.name}:REBALANCE_BAD_EVALUATE_OPTION`);
    expect(await codeOf(evaluate(data, options({ models: [] })))).toBe('UsageError:REBALANCE_BAD_EVALUATE_OPTION');
    expect(await codeOf(evaluate(data, options({ threshold: 1.5 })))).toBe('UsageError:REBALANCE_BAD_THRESHOLD');
    expect(await codeOf(evaluate(data, options({ folds: 1 })))).toBe('UsageError:REBALANCE_BAD_FOLDS');
    expect(await codeOf(evaluate(data, options({ positive: 2 })))).toBe('DataError:REBALANCE_BAD_POSITIVE');
    const tiny = noiseData(createRng(3), 40, 2, 0.1);
    const e = await evaluate(tiny, options({ positive: 1, folds: 5 })).catch((x) => x);
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe('REBALANCE_TOO_FEW_ROWS');
    expect(e.message).toMatch(/class 'pos'.*found 4/);
  });
});

describe('evaluate with a broken resample function', () => {
  it('fails loudly when a resampled fold changes the class codes', async () => {
    const data = noiseData(createRng(6), 80, 2, 0.25);
    const run = evaluate(data, options({
      positive: 1,
      samplers: ['bad'],
      models: ['knn1'],
      resample: async (train) => ({ ...train, classNames: ['pos', 'neg'] }),
    }));
    await expect(run).rejects.toThrow(/sampler 'bad' returned a Dataset with other classes/);
  });
});

describe('evaluate: failed cells', () => {
  /** 'flaky' fails on folds 3 and 5 of every repeat (0-based fold index 2 and 4 mod 4 folds: 2 only). */
  const flaky = async (train: Dataset, name: string, rng: Rng): Promise<Dataset> => {
    if (name === 'flaky' && train.nRows < data.nRows && failOn.has(foldOfTrain(train))) {
      throw new DataError('REBALANCE_NO_CLUSTER', 'no cluster\nhere');
    }
    return duplicateMinority(train, name, rng);
  };
  // The fold a training set belongs to: the test rows are the ones missing from it.
  const folds = repeatedStratifiedKFold(data.labels, 2, 4, createRng(11).fork('folds'), 2);
  const foldOfTrain = (train: Dataset): number => {
    const have = new Set(sourceRows(train));
    return folds.findIndex((f) => !have.has(f[0]));
  };
  let failOn = new Set<number>();

  it('fails only the setups of a sampler that throws a RebalanceError, at its first failing fold, whatever the concurrency', async () => {
    failOn = new Set([2, 5]); // repeat 1 fold 3, repeat 2 fold 2
    for (const concurrency of [1, 3]) {
      const r = await evaluate(data, options({ positive: pos, samplers: ['none', 'flaky', 'dup'], models: ['feature0', 'random'], repeats: 2, resample: flaky, concurrency }));
      expect(r.failed).toEqual(
        ['feature0', 'random'].map((model) => ({ sampler: 'flaky', model, fold: 3, repeat: 1, stage: 'sampler', code: 'REBALANCE_NO_CLUSTER', message: 'no cluster here' })),
      );
      expect(r.results.map((x) => x.sampler).sort()).toEqual(['dup', 'dup', 'none', 'none']);
      expect(r.verdict.setups).toHaveLength(4);
    }
  });

  it('fails one (sampler, model) cell when a model throws, and aborts on errors that are not RebalanceErrors', async () => {
    const picky: Classifier = {
      name: 'picky',
      async fit(train) {
        if (train.nRows > 150) throw new DataError('REBALANCE_ONE_CLASS', 'picky: too many rows');
        return featureModel().fit(train, createRng(1), { positive: pos });
      },
    };
    const r = await evaluate(data, options({ positive: pos, models: ['feature0', 'picky'], createModel: (n) => (n === 'picky' ? picky : MODELS[n]()) }));
    // 'dup' grows the training fold past 150 rows; 'none' keeps 120
    expect(r.failed).toEqual([{ sampler: 'dup', model: 'picky', fold: 1, repeat: 1, stage: 'model', code: 'REBALANCE_ONE_CLASS', message: 'picky: too many rows' }]);
    expect(r.results.map((x) => `${x.sampler}+${x.model}`).sort()).toEqual(['dup+feature0', 'none+feature0', 'none+picky']);
    const bug = async (): Promise<Dataset> => {
      throw new TypeError('a bug');
    };
    await expect(evaluate(data, options({ positive: pos, resample: bug }))).rejects.toThrow(TypeError);
    const interrupted = async (): Promise<Dataset> => {
      throw new InterruptedError('stop');
    };
    await expect(evaluate(data, options({ positive: pos, resample: interrupted }))).rejects.toThrow(InterruptedError);
    // Bad model options abort before the grid (usage, exit 2), not as failed cells.
    await expect(
      evaluate(data, options({ positive: pos, createModel: () => { throw new UsageError('REBALANCE_BAD_OPTION', 'bad'); } })),
    ).rejects.toThrow(UsageError);
  });
});

describe('unitConcurrency (evaluate job)', () => {
  it('runs units in parallel only for MLPs on worker threads, fewer for big tables', () => {
    const small = { nRows: 20000, featureNames: Array.from({ length: 16 }, (_, j) => `f${j}`) };
    const huge = { nRows: 5_000_000, featureNames: Array.from({ length: 30 }, (_, j) => `f${j}`) };
    expect(unitConcurrency({ models: ['logistic', 'mlp'] }, small)).toBe(mlpThreads() * 2);
    expect(unitConcurrency({ models: ['logistic', 'knn'] }, small)).toBe(1);
    expect(unitConcurrency({ models: ['mlp'], modelOptions: { tfBackend: 'wasm' } }, small)).toBe(1);
    expect(unitConcurrency({ models: ['mlp'] }, huge)).toBe(1);
  });
});
