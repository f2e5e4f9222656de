/**
 * SMOTE-Tomek and SMOTE-ENN: the SMOTE draws cannot match numpy's stream, so the parity checked
 * is the composition: rebalance's own SMOTE output (same seed as a plain `smote` run) is stacked
 * (input rows, then synthetic rows) and imbalanced-learn's TomekLinks / EditedNearestNeighbours
 * with sampling_strategy='all' (what SMOTETomek / SMOTEENN use) must remove exactly the rows the
 * combined methods removed, on five of the eight datasets (binary and multi-class) to stay fast.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { smoteEnnDefinition, smoteTomekDefinition, stackWithSynthetic } from '../../src/samplers/combine.js';
import { smoteDefinition } from '../../src/samplers/smote.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, Resampled } from '../../src/types.js';
import { loadDataset } from '../helpers/datasets.js';
import { describeParity, pythonJson } from '../helpers/python.js';

const ctx = { knn: createNaiveBackend(), log: () => {} };
const NAMES = ['pima', 'ionosphere', 'sonar', 'glass', 'wine'];

/** Stacked positions kept by a combined result (input rows first, then synthetic by identity). */
function keptPositions(smote: Resampled, combined: Resampled): number[] {
  const n = smote.indices.length;
  const rowPos = new Map<number, number>();
  smote.indices.forEach((r, p) => rowPos.set(r, p));
  const out = [...combined.indices].map((r) => rowPos.get(r)!);
  // Synthetic rows are identified by (sourceRow, neighborRow, values): keep order-preserving match.
  const s = smote.synthetic!;
  const c = combined.synthetic;
  let j = 0;
  for (let i = 0; c && i < c.nRows; i++) {
    while (j < s.nRows && !(s.sourceRow[j] === c.sourceRow[i] && s.neighborRow[j] === c.neighborRow[i] && s.features.every((col, f) => col[j] === c.features[f][i]))) j++;
    expect(j).toBeLessThan(s.nRows);
    out.push(n + j);
    j++;
  }
  return out;
}

function complement(n: number, kept: number[]): number[] {
  const k = new Set(kept);
  return Array.from({ length: n }, (_, i) => i).filter((i) => !k.has(i));
}

describeParity('smote-tomek / smote-enn cleaning step equals imbalanced-learn', () => {
  for (const name of NAMES) {
    describe(name, () => {
      it('removes the rows TomekLinks(all) and ENN(all) remove from the SMOTE output', async () => {
        const data: Dataset = loadDataset(name);
        const plan = resolveStrategy('auto', classCounts(data.labels, data.classNames.length), 'over', data.classNames);
        const smote = await smoteDefinition.create({}).fitResample(data, plan, createRng(11), ctx);
        const tomek = await smoteTomekDefinition.create({}).fitResample(data, plan, createRng(11), ctx);
        const enn = await smoteEnnDefinition.create({}).fitResample(data, plan, createRng(11), ctx);
        const stacked = stackWithSynthetic(data, smote.indices, new Int32Array(0), smote.synthetic);
        const X = Array.from({ length: stacked.nRows }, (_, i) => stacked.features.map((c) => c[i]));
        const y = Array.from(stacked.labels);
        const py = pythonJson<{ tomek: number[]; enn: number[] }>(
          `
import json, sys, numpy as np
from imblearn.under_sampling import TomekLinks, EditedNearestNeighbours
d = json.load(sys.stdin); X = np.array(d['X'], dtype=float); y = np.array(d['y'])
def removed(s):
    s.fit_resample(X, y); keep = np.zeros(len(y), bool); keep[s.sample_indices_] = True
    return np.flatnonzero(~keep).tolist()
print(json.dumps({'tomek': removed(TomekLinks(sampling_strategy='all')),
                  'enn': removed(EditedNearestNeighbours(sampling_strategy='all'))}))
`,
          JSON.stringify({ X, y }),
        );
        expect(complement(stacked.nRows, keptPositions(smote, tomek))).toEqual(py.tomek);
        expect(complement(stacked.nRows, keptPositions(smote, enn))).toEqual(py.enn);
        expect(tomek.plan).toEqual(smote.plan);
      });
    });
  }
});
