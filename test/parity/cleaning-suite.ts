/**
 * Shared body of the cleaning parity suites (cleaning.test.ts, cleaning-digits.test.ts, split so
 * each file stays fast): on a dataset, the set of rows each deterministic cleaning under-sampler
 * removes equals the complement of imbalanced-learn 0.10's `sample_indices_`. One python call
 * per test file runs every method on every dataset of the file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import { allKnnDefinition } from '../../src/samplers/all-knn.js';
import { ennDefinition } from '../../src/samplers/enn.js';
import { nearMissDefinition } from '../../src/samplers/near-miss.js';
import { neighbourhoodCleaningRuleDefinition } from '../../src/samplers/neighbourhood-cleaning-rule.js';
import { rennDefinition } from '../../src/samplers/renn.js';
import { tomekLinksDefinition } from '../../src/samplers/tomek-links.js';
import type { Dataset, KnnBackend, KnnResult, SamplerDefinition, SamplerOptions } from '../../src/types.js';
import { datasetPath, loadDataset } from '../helpers/datasets.js';
import { describeParity, pythonJson } from '../helpers/python.js';

/** Each case: our definition + options + strategy, and the imblearn constructor. */
const CASES: { id: string; def: SamplerDefinition; options: SamplerOptions; strategy: 'auto' | 'all'; py: string }[] = [
  { id: 'tomek', def: tomekLinksDefinition, options: {}, strategy: 'auto', py: 'TomekLinks()' },
  { id: 'tomek-all', def: tomekLinksDefinition, options: {}, strategy: 'all', py: "TomekLinks(sampling_strategy='all')" },
  { id: 'enn-all', def: ennDefinition, options: { variant: 'all' }, strategy: 'auto', py: "EditedNearestNeighbours(kind_sel='all')" },
  { id: 'enn-mode', def: ennDefinition, options: { variant: 'mode' }, strategy: 'auto', py: "EditedNearestNeighbours(kind_sel='mode')" },
  { id: 'enn-all-strategy-all', def: ennDefinition, options: {}, strategy: 'all', py: "EditedNearestNeighbours(sampling_strategy='all')" },
  { id: 'renn', def: rennDefinition, options: {}, strategy: 'auto', py: 'RepeatedEditedNearestNeighbours()' },
  { id: 'renn-mode', def: rennDefinition, options: { variant: 'mode' }, strategy: 'auto', py: "RepeatedEditedNearestNeighbours(kind_sel='mode')" },
  { id: 'allknn', def: allKnnDefinition, options: {}, strategy: 'auto', py: 'AllKNN()' },
  { id: 'allknn-allow', def: allKnnDefinition, options: { allowMinority: true }, strategy: 'auto', py: 'AllKNN(allow_minority=True)' },
  { id: 'nearmiss1', def: nearMissDefinition, options: { version: 1 }, strategy: 'auto', py: 'NearMiss(version=1)' },
  { id: 'nearmiss2', def: nearMissDefinition, options: { version: 2 }, strategy: 'auto', py: 'NearMiss(version=2)' },
  { id: 'nearmiss3', def: nearMissDefinition, options: { version: 3 }, strategy: 'auto', py: 'NearMiss(version=3)' },
  { id: 'ncr', def: neighbourhoodCleaningRuleDefinition, options: {}, strategy: 'auto', py: 'NeighbourhoodCleaningRule()' },
  { id: 'ncr-mode', def: neighbourhoodCleaningRuleDefinition, options: { variant: 'mode' }, strategy: 'auto', py: "NeighbourhoodCleaningRule(kind_sel='mode')" },
];

/** Removed rows per case for each file, from one python process (imports cost seconds). */
function pythonRemoved(files: readonly string[]): Record<string, number[]>[] {
  const ctor = CASES.map((c) => `${JSON.stringify(c.id)}: ${c.py}`).join(',\n  ');
  const code = `
import json, warnings
warnings.filterwarnings('ignore')
import numpy as np, pandas as pd
from imblearn.under_sampling import *
results = []
for file in json.loads(${JSON.stringify(JSON.stringify(files))}):
    d = pd.read_csv(file)
    X = d.drop(columns='label').to_numpy(dtype=float)
    y = d['label'].to_numpy()
    out = {}
    for name, s in {
      ${ctor}
    }.items():
        try:
            s.fit_resample(X, y)
        except TypeError:
            # imblearn 0.10 NCR kind_sel='all' applies np.all to the label values and crashes on
            # strings. When no class holds more than threshold_cleaning of the rows (the caller
            # checks) its A2 step is empty and NCR is exactly ENN(kind_sel='mode'), run instead.
            s = EditedNearestNeighbours(n_neighbors=s.n_neighbors, kind_sel='mode')
            s.fit_resample(X, y)
            out['fallback:' + name] = True
        keep = np.zeros(len(y), dtype=bool)
        keep[s.sample_indices_] = True
        out[name] = np.flatnonzero(~keep).tolist()
    results.append(out)
print(json.dumps(results))
`;
  return pythonJson<Record<string, number[]>[]>(code);
}

/**
 * The naive reference backend, remembering self-query results per point set: several methods
 * ask for the same neighbours of the whole dataset (k = 1 and 3), and the reference is O(n^2).
 * A larger-k answer serves a smaller k (rows are sorted by (distance, index)).
 */
const naive = createNaiveBackend();
const selfCache = new Map<string, KnnResult>();
function keyOf(points: Float32Array): string {
  let h = 0x811c9dc5;
  let g = 0x9e3779b9;
  const words = new Uint32Array(points.buffer, points.byteOffset, points.length);
  for (let i = 0; i < words.length; i++) {
    h = Math.imul(h ^ words[i], 0x01000193);
    g = Math.imul(g + words[i], 0x85ebca6b) ^ (g >>> 13);
  }
  return `${points.length}:${h >>> 0}:${g >>> 0}`;
}
const memoNaive: KnnBackend = {
  name: 'naive',
  async build(points, dim) {
    const index = await naive.build(points, dim);
    const key = keyOf(points);
    return {
      size: index.size,
      dim,
      query: (q, k) => index.query(q, k),
      async querySelf(k) {
        let hit = selfCache.get(key);
        if (!hit || hit.k < k) {
          hit = await index.querySelf(Math.min(Math.max(k, 3), index.size - 1));
          selfCache.set(key, hit);
        }
        if (hit.k === k) return hit;
        const indices = new Int32Array(index.size * k);
        const distances = new Float32Array(index.size * k);
        for (let i = 0; i < index.size; i++) {
          indices.set(hit.indices.subarray(i * hit.k, i * hit.k + k), i * k);
          distances.set(hit.distances.subarray(i * hit.k, i * hit.k + k), i * k);
        }
        return { k, indices, distances };
      },
      dispose: () => index.dispose(),
    };
  },
  dispose: async () => {},
};

async function ourRemoved(data: Dataset, c: (typeof CASES)[number]): Promise<number[]> {
  const sampler = c.def.create(c.options);
  const kind = c.def.kind;
  const plan = resolveStrategy(c.strategy, classCounts(data.labels, data.classNames.length), kind, data.classNames);
  const res = await sampler.fitResample(data, plan, createRng(0), { knn: memoNaive, log: () => {} });
  const keep = new Uint8Array(data.nRows);
  for (const r of res.indices) keep[r] = 1;
  const removed: number[] = [];
  keep.forEach((v, i) => {
    if (!v) removed.push(i);
  });
  return removed;
}

/**
 * Known, investigated differences: rows where scikit-learn's neighbour search orders exact
 * distance ties differently from rebalance's rule (lower row index first).
 * Key: `${dataset}/${case}`; value: the symmetric difference of the removed sets.
 * Empty: on these datasets every removed set matches, including optical_digits (integer pixels,
 * many exact ties) and the duplicate rows of ionosphere and glass. Two real semantic differences
 * were found and fixed instead of listed: 'mode' vote ties (scipy picks the lowest numeric label
 * but the nearest string label) and AllKNN/RENN re-resolving 'auto' on every pass.
 */
const KNOWN_TIE_DIFFERENCES: Record<string, number[]> = {};

/** Registers the parity suite of the named datasets (one python process for all of them). */
export function cleaningParitySuites(names: readonly string[]): void {
  describeParity('cleaning parity with imbalanced-learn', () => {
    const expectedOf = new Map<string, Record<string, number[]>>();
    beforeAll(() => {
      const all = pythonRemoved(names.map((n) => datasetPath(n)));
      names.forEach((n, i) => expectedOf.set(n, all[i]));
    });
    for (const name of names) {
      describe(name, () => {
        let data: Dataset;
        let expected: Record<string, number[]>;
        beforeAll(() => {
          data = loadDataset(name);
          expected = expectedOf.get(name)!;
        });
        for (const c of CASES) {
          it(`${c.id} removes the same rows as imbalanced-learn`, async () => {
            if (expected[`fallback:${c.id}`]) {
              // imblearn crashed on string labels (see the python above): valid only while no
              // class exceeds threshold_cleaning (0.5) of the rows, so its A2 step is empty.
              const counts = classCounts(data.labels, data.classNames.length);
              expect(Math.max(...counts)).toBeLessThanOrEqual(data.nRows * 0.5);
            }
            const ours = await ourRemoved(data, c);
            const theirs = expected[c.id];
            const a = new Set(ours);
            const b = new Set(theirs);
            const diff = [...ours.filter((r) => !b.has(r)), ...theirs.filter((r) => !a.has(r))].sort((x, y) => x - y);
            expect(diff).toEqual(KNOWN_TIE_DIFFERENCES[`${name}/${c.id}`] ?? []);
          });
        }
      });
    }
  });
}
