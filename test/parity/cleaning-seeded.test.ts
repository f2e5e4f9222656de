/**
 * The seeded cleaning / prototype methods (CNN, OSS, cluster centroids, IHT) cannot match
 * imbalanced-learn row for row (different random streams and, for IHT, a different classifier),
 * so on every binary and multi-class dataset they must obey imbalanced-learn's count rules under
 * the 'auto' strategy resolved by samplers/strategy.ts: CNN and OSS keep every minority row and
 * never add rows; cluster centroids return exactly the planned count per class; IHT keeps at
 * least the planned count (more only on probability ties) and leaves other classes whole.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { clusterCentroidsDefinition } from '../../src/samplers/cluster-centroids.js';
import { condensedNnDefinition } from '../../src/samplers/condensed-nn.js';
import { instanceHardnessThresholdDefinition } from '../../src/samplers/instance-hardness-threshold.js';
import { oneSidedSelectionDefinition } from '../../src/samplers/one-sided-selection.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, Resampled, SamplerDefinition } from '../../src/types.js';
import { BINARY, MULTICLASS, loadDataset } from '../helpers/datasets.js';

const ctx = { knn: createNaiveBackend(), log: () => {} };

async function run(def: SamplerDefinition, data: Dataset, seed: number): Promise<{ res: Resampled; before: Int32Array; after: Int32Array }> {
  const before = classCounts(data.labels, data.classNames.length);
  const plan = resolveStrategy('auto', before, def.kind, data.classNames);
  const res = await def.create({}).fitResample(data, plan, createRng(seed), ctx);
  const after = new Int32Array(before.length);
  for (const r of res.indices) after[data.labels[r]]++;
  if (res.duplicates) for (const r of res.duplicates) after[data.labels[r]]++;
  if (res.synthetic) for (const c of res.synthetic.labels) after[c]++;
  for (let i = 1; i < res.indices.length; i++) expect(res.indices[i]).toBeGreaterThan(res.indices[i - 1]);
  return { res, before, after };
}

/** imbalanced-learn's minority for 'auto' (smallest count, lower class on ties). */
function minorityOf(counts: Int32Array): number {
  let m = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] < counts[m]) m = c;
  return m;
}

for (const name of [...BINARY, ...MULTICLASS]) {
  describe(`seeded cleaning rules on ${name}`, () => {
    const data = loadDataset(name);
    for (const def of [condensedNnDefinition, oneSidedSelectionDefinition]) {
      it(`${def.name} keeps every minority row and only removes rows`, async () => {
        const { before, after } = await run(def, data, 7);
        const min = minorityOf(before);
        expect(after[min]).toBe(before[min]);
        for (let c = 0; c < before.length; c++) {
          expect(after[c]).toBeLessThanOrEqual(before[c]);
          expect(after[c]).toBeGreaterThan(0);
        }
      });
    }
    it('cluster-centroids returns exactly the planned count of each class', async () => {
      const { res, before, after } = await run(clusterCentroidsDefinition, data, 7);
      const min = minorityOf(before);
      for (let c = 0; c < before.length; c++) expect(after[c]).toBe(before[min]);
      // Centroids lie inside their class's bounding box.
      const s = res.synthetic!;
      for (let j = 0; j < data.features.length; j++) {
        for (let i = 0; i < s.nRows; i++) {
          let lo = Infinity;
          let hi = -Infinity;
          data.labels.forEach((l, r) => {
            if (l === s.labels[i]) {
              lo = Math.min(lo, data.features[j][r]);
              hi = Math.max(hi, data.features[j][r]);
            }
          });
          expect(s.features[j][i]).toBeGreaterThanOrEqual(lo - 1e-9);
          expect(s.features[j][i]).toBeLessThanOrEqual(hi + 1e-9);
        }
      }
    });
    it('instance-hardness-threshold keeps at least the planned count, close to it', async () => {
      const { before, after } = await run(instanceHardnessThresholdDefinition, data, 7);
      const min = minorityOf(before);
      expect(after[min]).toBe(before[min]);
      for (let c = 0; c < before.length; c++) {
        expect(after[c]).toBeGreaterThanOrEqual(before[min]);
        expect(after[c]).toBeLessThanOrEqual(before[min] + 2);
      }
    });
  });
}
