/**
 * Contract tests over every sampler in the registry (imblearn's check_samplers_* idea):
 * class counts equal the plan, input untouched, kept rows in input order, no NaN/Infinity,
 * same seed -> same output, and the same output for 1 and 2 kNN threads.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts, makeDataset } from '../../src/dataset/make.js';
import { materialize } from '../../src/dataset/materialize.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import { SAMPLERS } from '../../src/samplers/registry.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, KnnBackend, Resampled, SamplerDefinition } from '../../src/types.js';
import { loadDataset } from '../helpers/datasets.js';

const pima = loadDataset('pima');
const glass = loadDataset('glass');

/** A small all-categorical table for SMOTEN, and a mixed one for SMOTE-NC. */
function categoricalData(mixed: boolean): Dataset {
  const rng = createRng(5);
  const n = 300;
  const a: number[] = [];
  const b: number[] = [];
  const x: number[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng.nextFloat() < 0.15;
    a.push(pos ? rng.nextInt(2) : rng.nextInt(4));
    b.push(pos ? 2 + rng.nextInt(2) : rng.nextInt(3));
    x.push(rng.nextNormal() + (pos ? 1 : 0));
    y.push(pos ? 'rare' : 'common');
  }
  const features: Record<string, number[]> = { a, b };
  if (mixed) features.x = x;
  return makeDataset({
    features,
    labels: y,
    featureKinds: mixed ? { a: 'categorical', b: 'categorical', x: 'float' } : { a: 'categorical', b: 'categorical' },
    categories: { a: ['p', 'q', 'r', 's'], b: ['u', 'v', 'w', 'z'] },
  });
}

/** Over-sampling followed by cleaning: counts end at or below the over-sampling plan. */
const COMBINED = new Set(['smote-tomek', 'smote-enn']);

/** Refusals that imbalanced-learn also makes on these data (ValueError there, DataError here). */
const EXPECTED_REFUSALS: Record<string, Record<string, string>> = {
  adasyn: { glass: 'REBALANCE_ADASYN_NOTHING' },
  'kmeans-smote': { glass: 'REBALANCE_NO_CLUSTER' },
};

function dataFor(def: SamplerDefinition): { name: string; data: Dataset; refusal?: string }[] {
  if (def.name === 'smoten') return [{ name: 'categorical', data: categoricalData(false) }];
  if (def.name === 'smote-nc') return [{ name: 'mixed', data: categoricalData(true) }];
  return [
    { name: 'pima', data: pima, refusal: EXPECTED_REFUSALS[def.name]?.pima },
    { name: 'glass', data: glass, refusal: EXPECTED_REFUSALS[def.name]?.glass },
  ];
}

async function run(def: SamplerDefinition, data: Dataset, seed: number, knn: KnnBackend): Promise<Resampled> {
  const counts = classCounts(data.labels, data.classNames.length);
  const plan = resolveStrategy(def.defaultStrategy ?? 'auto', counts, def.kind, data.classNames);
  const sampler = def.create({ kAuto: true });
  return sampler.fitResample(data, plan, createRng(seed).fork(`sampler/${def.name}`), { knn, log: () => undefined, totalRows: data.nRows });
}

function snapshot(d: Dataset): string {
  return JSON.stringify([d.labels, d.features.map((f) => Array.from(f))]);
}

describe.each(SAMPLERS.map((s) => [s.name, s] as const))('%s', (_, def) => {
  for (const { name, data, refusal } of dataFor(def)) {
    if (refusal) {
      it(`refuses ${name} with ${refusal}`, async () => {
        const knn = createCpuBackend({ threads: 1 });
        try {
          await expect(run(def, data, 11, knn)).rejects.toMatchObject({ kind: 'data', code: refusal });
        } finally {
          await knn.dispose();
        }
      });
      continue;
    }
    it(`honours the contract on ${name}`, async () => {
      const before = snapshot(data);
      const knn1 = createCpuBackend({ threads: 1 });
      const knn2 = createCpuBackend({ threads: 2, parallelThreshold: 0 });
      try {
        const r = await run(def, data, 11, knn1);
        expect(snapshot(data), 'input untouched').toBe(before);
        // kept rows: valid, ascending (input order)
        for (let i = 0; i < r.indices.length; i++) {
          expect(r.indices[i]).toBeGreaterThanOrEqual(0);
          expect(r.indices[i]).toBeLessThan(data.nRows);
          if (i) expect(r.indices[i]).toBeGreaterThanOrEqual(r.indices[i - 1]);
        }
        const out = materialize(data, r);
        for (const col of out.features) for (const v of col) expect(Number.isFinite(v)).toBe(true);
        const after = classCounts(out.labels, data.classNames.length);
        const counts = classCounts(data.labels, data.classNames.length);
        for (let c = 0; c < counts.length; c++) {
          const t = r.plan.targets.get(c);
          if (COMBINED.has(def.name)) {
            // over-sample to the plan, then clean (Tomek/ENN, strategy 'all'): never above the plan
            expect(after[c], `class ${data.classNames[c]}`).toBeLessThanOrEqual(t ? t.to : counts[c]);
            expect(after[c]).toBeGreaterThan(0);
          } else if (def.kind === 'over') {
            expect(after[c], `class ${data.classNames[c]}`).toBe(t ? t.to : counts[c]);
            if (t) expect(after[c]).toBeGreaterThanOrEqual(counts[c]);
          } else if (def.kind === 'under') {
            expect(after[c], `class ${data.classNames[c]}`).toBe(t ? t.to : counts[c]);
          } else {
            if (t) expect(after[c]).toBeLessThanOrEqual(counts[c]);
            else expect(after[c], `untargeted class ${data.classNames[c]} kept whole`).toBe(counts[c]);
          }
        }
        if (def.kind === 'over' && !COMBINED.has(def.name)) expect(r.indices.length, 'over-samplers keep every row').toBe(data.nRows);
        if (r.synthetic) {
          for (let i = 0; i < r.synthetic.nRows; i++) {
            expect(r.synthetic.sourceRow[i]).toBeLessThan(data.nRows);
            expect(r.synthetic.neighborRow[i]).toBeLessThan(data.nRows);
          }
        }
        const again = await run(def, data, 11, knn2);
        expect(snapshot(materialize(data, again)), 'same seed and 2 threads: same output').toBe(snapshot(out));
      } finally {
        await knn1.dispose();
        await knn2.dispose();
      }
    });
  }
});
