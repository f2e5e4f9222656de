/**
 * Contract tests over every sampler in the registry (imblearn's check_samplers_* idea), each run
 * through the fit-resample template: class counts equal the plan resolved FROM THE REQUEST (the
 * strategy on the input counts, not the plan a sampler returns), or the method's documented rule
 * where it adds a different number; input untouched, kept rows in input order, no NaN/Infinity,
 * same seed -> same output, and the same output for 1 and 2 kNN threads. Then the options: every
 * bad value of every option a method reads is a UsageError REBALANCE_BAD_OPTION naming it.
 */
import { describe, expect, it } from 'vitest';
import { resample } from '../../src/api.js';
import { UsageError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { classCounts, makeDataset } from '../../src/dataset/make.js';
import { materialize } from '../../src/dataset/materialize.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { adasynCounts } from '../../src/samplers/adasyn.js';
import { dangerMask, isNoise } from '../../src/samplers/borderline-smote.js';
import { SAMPLERS } from '../../src/samplers/registry.js';
import { allRowsNeighbourLabels, countOtherClass } from '../../src/samplers/shared/neighbours.js';
import { rowsOfClass } from '../../src/samplers/shared/rows.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import { supportVectorsOf } from '../../src/samplers/svm-smote.js';
import { fitResample, prepareSampler, samplerRng } from '../../src/samplers/template.js';
import type { Dataset, KnnBackend, Resampled, SamplerDefinition, SamplerOptions, SamplingPlan } from '../../src/types.js';
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

const SEED = 11;

function run(def: SamplerDefinition, data: Dataset, seed: number, knn: KnnBackend): Promise<Resampled> {
  return fitResample(def, data, { options: { kAuto: true } }, { rng: createRng(seed), knn, log: () => undefined, totalRows: data.nRows });
}

/** The plan resolved from the request (the method's default strategy) on the input counts. */
function requestedPlan(def: SamplerDefinition, data: Dataset): SamplingPlan {
  return resolveStrategy(def.defaultStrategy ?? 'auto', classCounts(data.labels, data.classNames.length), def.kind, data.classNames);
}

/**
 * Rows an over-sampler adds to class `code` (`add` asked by the plan), by each method's
 * documented rule (see the method's doc comment). Default: exactly the plan's count.
 */
async function expectedAdded(def: SamplerDefinition, data: Dataset, code: number, add: number): Promise<{ min: number; max: number }> {
  const exact = (n: number) => ({ min: n, max: n });
  const rows = rowsOfClass(data.labels, code);
  const knn = createNaiveBackend();
  const ctx = { knn, log: () => undefined };
  switch (def.name) {
    case 'adasyn': {
      // sum over the class's rows of rint(r_i / sum(r) * add), r_i = other-class share of its 5 nearest rows
      const nn = await allRowsNeighbourLabels(data, 5, ctx, 'adasyn', '-k');
      const g = adasynCounts(countOtherClass(nn, 5, rows, code), 5, add)!;
      return exact(g.reduce((s, v) => s + v, 0));
    }
    case 'borderline-smote': {
      // the plan's count, or 0 when no row of the class is in danger among its 10 nearest rows
      const nn = await allRowsNeighbourLabels(data, 10, ctx, 'borderline-smote', '--m-neighbors');
      const danger = dangerMask(countOtherClass(nn, 10, rows, code), 10);
      return exact(danger.some((f) => f === 1) ? add : 0);
    }
    case 'svm-smote': {
      // the plan's count, or 0 when every support vector of the class is noise among its 10 nearest rows
      const stream = samplerRng(def, createRng(SEED)).fork(`svm-smote/${data.classNames[code]}`).fork('svm');
      const sv = supportVectorsOf(data, code, stream);
      const nOther = countOtherClass(await allRowsNeighbourLabels(data, 10, ctx, 'svm-smote', '--m-neighbors'), 10, sv, code);
      return exact(nOther.some((n) => !isNoise(n, 10)) ? add : 0);
    }
    case 'kmeans-smote':
      // sum over the qualifying clusters (at most 8) of ceil(add * weight), the weights summing to 1
      return { min: add, max: add + 7 };
    default:
      return exact(add);
  }
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
          await expect(run(def, data, SEED, knn)).rejects.toMatchObject({ kind: 'data', code: refusal });
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
        const r = await run(def, data, SEED, knn1);
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
        const plan = requestedPlan(def, data);
        for (let c = 0; c < counts.length; c++) {
          const t = plan.targets.get(c);
          const what = `class ${data.classNames[c]}`;
          if (COMBINED.has(def.name)) {
            // over-sample to the plan, then clean (Tomek/ENN, strategy 'all'): never above the plan
            expect(after[c], what).toBeLessThanOrEqual(t ? t.to : counts[c]);
            expect(after[c], what).toBeGreaterThan(0);
          } else if (def.kind === 'over') {
            const { min, max } = await expectedAdded(def, data, c, t ? t.to - t.from : 0);
            expect(after[c] - counts[c], `${what}: rows added`).toBeGreaterThanOrEqual(min);
            expect(after[c] - counts[c], `${what}: rows added`).toBeLessThanOrEqual(max);
            // the returned plan states what was really added
            expect(r.plan.targets.get(c)?.to ?? counts[c], `${what}: returned plan`).toBe(after[c]);
          } else if (def.kind === 'under') {
            expect(after[c], what).toBe(t ? t.to : counts[c]);
          } else {
            if (t) expect(after[c], what).toBeLessThanOrEqual(counts[c]);
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
        const again = await run(def, data, SEED, knn2);
        expect(snapshot(materialize(data, again)), 'same seed and 2 threads: same output').toBe(snapshot(out));
      } finally {
        await knn1.dispose();
        await knn2.dispose();
      }
    });
  }
});

/**
 * A bad value for every option each method reads (a method that reads none has an empty list).
 * Every registered method must be listed, so a new method declares its options here.
 */
const K_OPTIONS: [keyof SamplerOptions, unknown][] = [
  ['kNeighbors', 0],
  ['kNeighbors', 2.5],
  ['kNeighbors', '3'],
  ['kAuto', 'yes'],
];
const CLASSES: [keyof SamplerOptions, unknown][] = [['classes', 'maj']];
const BAD_OPTIONS: Record<string, [keyof SamplerOptions, unknown][]> = {
  'random-under': [['replacement', 'yes']],
  'random-over': [['shrinkage', -1]],
  smote: K_OPTIONS,
  'smote-nc': K_OPTIONS,
  smoten: K_OPTIONS,
  adasyn: K_OPTIONS,
  'borderline-smote': [...K_OPTIONS, ['mNeighbors', 0], ['variant', 'borderline-3'], ['variant', 2]],
  'svm-smote': [...K_OPTIONS, ['mNeighbors', -1], ['outStep', -0.1], ['outStep', 1.5], ['outStep', Number.NaN]],
  'kmeans-smote': [['kNeighbors', 0], ['nClusters', 0], ['nClusters', 1.5], ['clusterBalanceThreshold', Number.NaN], ['clusterBalanceThreshold', 'auto']],
  'tomek-links': CLASSES,
  enn: [['nNeighbors', 0], ['variant', 'any'], ...CLASSES],
  renn: [['nNeighbors', 0], ['variant', 'any'], ['maxIter', 0], ...CLASSES],
  'all-knn': [['nNeighbors', 0], ['variant', 'any'], ['allowMinority', 1], ...CLASSES],
  'near-miss': [['version', 4], ['version', '1'], ['nNeighbors', 0], ['nNeighborsVer3', 0]],
  'neighbourhood-cleaning-rule': [['nNeighbors', 0], ['variant', 'any'], ['thresholdCleaning', 1.5], ['thresholdCleaning', -0.1], ...CLASSES],
  'condensed-nn': [['nNeighbors', 0], ...CLASSES],
  'one-sided-selection': [['nNeighbors', 0], ...CLASSES],
  'instance-hardness-threshold': [],
  'cluster-centroids': [['voting', 'majority']],
  'smote-tomek': [['first', 'random-over'], ['kNeighbors', 0]],
  'smote-enn': [['first', 'tomek-links'], ['nNeighbors', 0], ['kNeighbors', 0]],
};
/** Methods the runner owns, whose option errors keep their own codes (REBALANCE_BAD_SHRINKAGE). */
const OWN_CODES = new Set(['random-over']);

describe('options', () => {
  it('every registered method lists the options it reads', () => {
    expect(Object.keys(BAD_OPTIONS).sort()).toEqual(SAMPLERS.map((s) => s.name).sort());
  });
  const cases = SAMPLERS.flatMap((def) => BAD_OPTIONS[def.name].map(([option, value]) => [def.name, option, value, def] as const));
  it.each(cases)('%s refuses %s = %o with a UsageError naming it', (name, option, value, def) => {
    let caught: unknown;
    try {
      prepareSampler(def, { [option]: value } as SamplerOptions);
    } catch (e) {
      caught = e;
    }
    expect(caught, `${name} accepted ${option} = ${String(value)}`).toBeInstanceOf(UsageError);
    const err = caught as UsageError;
    if (!OWN_CODES.has(name)) expect(err.code).toBe('REBALANCE_BAD_OPTION');
    expect(err.message).toContain(option);
    expect(err.message.split('\n')).toHaveLength(1);
  });
  it('every method accepts its defaults (no options)', () => {
    for (const def of SAMPLERS) expect(() => prepareSampler(def, {})).not.toThrow();
  });
  it("library resample(data, 'smote', { kNeighbors: 0 }) rejects with a UsageError, not a RangeError", async () => {
    const err = await resample(pima, 'smote', { rng: createRng(1), options: { kNeighbors: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'REBALANCE_BAD_OPTION' });
    expect((err as Error).message).toBe('smote: kNeighbors must be an integer >= 1, got 0; pass e.g. 5');
  });
});
