import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { classCounts } from '../../../src/dataset/make.js';
import { complementRows, repeatedStratifiedKFold, stratifiedKFold } from '../../../src/evaluate/folds.js';
import { loadDataset } from '../../helpers/datasets.js';
import { describeParity, pythonJson } from '../../helpers/python.js';

/** Checks partition, ascending order and stratification within one row; returns per-fold class counts. */
function checkFolds(labels: Int32Array, nClasses: number, folds: Int32Array[]): number[][] {
  const seen = new Uint8Array(labels.length);
  for (const f of folds) {
    for (let i = 0; i < f.length; i++) {
      if (i > 0) expect(f[i]).toBeGreaterThan(f[i - 1]);
      expect(seen[f[i]]).toBe(0);
      seen[f[i]] = 1;
    }
  }
  expect(seen.every((s) => s === 1)).toBe(true);
  const per = folds.map((f) => Array.from(classCounts(Int32Array.from(f, (i) => labels[i]), nClasses)));
  for (let c = 0; c < nClasses; c++) {
    const col = per.map((p) => p[c]);
    expect(Math.max(...col) - Math.min(...col)).toBeLessThanOrEqual(1);
  }
  const sizes = folds.map((f) => f.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  return per;
}

describe('stratifiedKFold', () => {
  it('partitions pima into stratified, ascending folds', () => {
    const d = loadDataset('pima');
    const folds = stratifiedKFold(d.labels, d.classNames.length, 5, createRng(1));
    expect(folds).toHaveLength(5);
    checkFolds(d.labels, d.classNames.length, folds);
  });

  it('is a stratified partition for any labels (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (raw, k, seed) => {
          const labels = Int32Array.from(raw);
          const counts = classCounts(labels, 4);
          fc.pre(counts.every((c) => c === 0 || c >= k));
          checkFolds(labels, 4, stratifiedKFold(labels, 4, k, createRng(seed)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is deterministic per stream and shuffles with the stream', () => {
    const d = loadDataset('pima');
    const a = stratifiedKFold(d.labels, 2, 5, createRng(7).fork('folds'));
    const b = stratifiedKFold(d.labels, 2, 5, createRng(7).fork('folds'));
    const c = stratifiedKFold(d.labels, 2, 5, createRng(8).fork('folds'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('fails with REBALANCE_TOO_FEW_ROWS when a class has fewer rows than folds', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 0]);
    expect(() => stratifiedKFold(labels, 2, 5, createRng(1))).toThrow(DataError);
    try {
      stratifiedKFold(labels, 2, 5, createRng(1));
    } catch (e) {
      expect((e as DataError).code).toBe('REBALANCE_TOO_FEW_ROWS');
      expect((e as DataError).message).toMatch(/at least 5 rows.*found 4/);
    }
    // Four folds fit; an absent class code is ignored.
    expect(stratifiedKFold(labels, 3, 4, createRng(1))).toHaveLength(4);
  });

  it('rejects fewer than two folds as a usage error', () => {
    expect(() => stratifiedKFold(Int32Array.from([0, 1]), 2, 1, createRng(1))).toThrow(UsageError);
    expect(() => stratifiedKFold(Int32Array.from([0, 1]), 2, 2.5, createRng(1))).toThrow(UsageError);
  });
});

describe('repeatedStratifiedKFold', () => {
  it('gives repeats x folds folds, each repeat a partition from its own fork', () => {
    const d = loadDataset('glass');
    const nC = d.classNames.length;
    const rng = createRng(3);
    const all = repeatedStratifiedKFold(d.labels, nC, 3, rng, 4);
    expect(all).toHaveLength(12);
    for (let r = 0; r < 4; r++) checkFolds(d.labels, nC, all.slice(r * 3, r * 3 + 3));
    expect(all.slice(0, 3)).toEqual(stratifiedKFold(d.labels, nC, 3, createRng(3).fork('repeat/0')));
    expect(all.slice(6, 9)).toEqual(stratifiedKFold(d.labels, nC, 3, createRng(3).fork('repeat/2')));
    expect(all.slice(0, 3)).not.toEqual(all.slice(3, 6));
    expect(() => repeatedStratifiedKFold(d.labels, nC, 3, rng, 0)).toThrow(UsageError);
  });
});

describe('complementRows', () => {
  it('returns the ascending rows not in the test fold', () => {
    expect(Array.from(complementRows(7, Int32Array.from([0, 3, 6])))).toEqual([1, 2, 4, 5]);
    expect(Array.from(complementRows(3, new Int32Array(0)))).toEqual([0, 1, 2]);
  });
});

describeParity('stratifiedKFold vs scikit-learn StratifiedKFold', () => {
  it('puts the same number of rows of each class in each fold (shuffle only permutes)', () => {
    const cases = (
      [
        ['glass', 3],
        ['vehicle', 5],
        ['pima', 7],
      ] as const
    ).map(([name, k]) => ({ data: loadDataset(name), k }));
    // vehicle and pima list classes out of sorted order: scikit-learn deals classes by first appearance.
    const expected = pythonJson<number[][][]>(
      `import sys, json, numpy as np
from sklearn.model_selection import StratifiedKFold
out = []
for case in json.load(sys.stdin):
    y = np.array(case['y'])
    folds = StratifiedKFold(n_splits=case['k'], shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    out.append([np.bincount(y[test], minlength=case['c']).tolist() for _, test in folds])
print(json.dumps(out))`,
      JSON.stringify(cases.map(({ data, k }) => ({ y: Array.from(data.labels), k, c: data.classNames.length }))),
    );
    cases.forEach(({ data, k }, t) => {
      const nC = data.classNames.length;
      const folds = stratifiedKFold(data.labels, nC, k, createRng(0));
      const got = folds.map((f) => Array.from(classCounts(Int32Array.from(f, (i) => data.labels[i]), nC)));
      expect(got).toEqual(expected[t]);
    });
  });
});
