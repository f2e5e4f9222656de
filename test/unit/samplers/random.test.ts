import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { classCounts, makeDataset, takeRows } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import {
  drawOverSamples,
  randomOverDefinition,
  randomOverSample,
  resolveShrinkage,
  smoothedBootstrap,
  smoothingConstant,
} from '../../../src/samplers/random-over.js';
import { createUnderSelector, randomUnderDefinition, randomUnderSample } from '../../../src/samplers/random-under.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import type { Dataset, Resampled, SamplerContext, SamplingPlan, SamplingStrategy } from '../../../src/types.js';

const ctx: SamplerContext = { knn: createNaiveBackend(), log: () => {} };

/** A dataset with `counts[c]` rows of class `c{c}`, rows shuffled by `seed`; feature x = row index. */
function labelled(counts: readonly number[], seed: number): Dataset {
  const labels: string[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) labels.push(`c${c}`);
  });
  const rng = createRng(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  const x = labels.map((_, i) => i);
  const y = labels.map((_, i) => (i * 7919) % 101);
  return makeDataset({ features: { x, y }, labels });
}

/** Class counts of the output rows (indices, duplicates, synthetic). */
function outputCounts(data: Dataset, r: Resampled): Int32Array {
  const out = new Int32Array(data.classNames.length);
  for (const i of r.indices) out[data.labels[i]]++;
  for (const i of r.duplicates ?? []) out[data.labels[i]]++;
  if (r.synthetic) for (const c of r.synthetic.labels) out[c]++;
  return out;
}

function expectedCounts(data: Dataset, plan: SamplingPlan): number[] {
  const counts = classCounts(data.labels, data.classNames.length);
  return Array.from(counts, (n, c) => plan.targets.get(c)?.to ?? n);
}

function planFor(data: Dataset, strategy: SamplingStrategy, kind: 'over' | 'under'): SamplingPlan {
  return resolveStrategy(strategy, classCounts(data.labels, data.classNames.length), kind, data.classNames);
}

/** Streams `labels` through a fresh selector in chunks of `chunk` rows, as the pipeline would. */
function streamUnder(data: Dataset, plan: SamplingPlan, seed: number, replacement: boolean, chunk: number): number[] {
  const counts = classCounts(data.labels, data.classNames.length);
  const select = createUnderSelector(plan, counts, createRng(seed), replacement);
  const out: number[] = [];
  for (let start = 0; start < data.nRows; start += chunk) {
    const part = data.labels.subarray(start, Math.min(data.nRows, start + chunk));
    part.forEach((label, k) => {
      const times = select(label);
      for (let t = 0; t < times; t++) out.push(start + k);
    });
  }
  return out;
}

describe('random under-sampling', () => {
  const data = labelled([40, 200, 90], 1);
  for (const replacement of [false, true]) {
    describe(replacement ? 'with replacement' : 'without replacement', () => {
      it('output counts equal the plan and non-target classes are untouched', async () => {
        for (const strategy of ['auto', 'all', 'majority', 'not majority', { c1: 7, c2: 90 }] as SamplingStrategy[]) {
          const plan = planFor(data, strategy, 'under');
          const r = await randomUnderDefinition.create({ replacement }).fitResample(data, plan, createRng(3), ctx);
          expect(Array.from(outputCounts(data, r))).toEqual(expectedCounts(data, plan));
          expect(r.synthetic).toBeNull();
          expect(r.plan).toBe(plan);
        }
      });
      it('keeps input order', () => {
        const r = randomUnderSample(data, planFor(data, 'auto', 'under'), createRng(5), replacement);
        for (let i = 1; i < r.indices.length; i++) {
          if (replacement) expect(r.indices[i]).toBeGreaterThanOrEqual(r.indices[i - 1]);
          else expect(r.indices[i]).toBeGreaterThan(r.indices[i - 1]);
        }
      });
      it('same seed same output, different seed different output', () => {
        const plan = planFor(data, 'auto', 'under');
        const a = randomUnderSample(data, plan, createRng(11), replacement).indices;
        const b = randomUnderSample(data, plan, createRng(11), replacement).indices;
        const c = randomUnderSample(data, plan, createRng(12), replacement).indices;
        expect(Array.from(a)).toEqual(Array.from(b));
        expect(Array.from(a)).not.toEqual(Array.from(c));
      });
      it('per-row streaming decisions equal the in-memory result for any chunk size', () => {
        const plan = planFor(data, 'all', 'under');
        const mem = Array.from(randomUnderSample(data, plan, createRng(21), replacement).indices);
        for (const chunk of [1, 7, 64, 1000]) expect(streamUnder(data, plan, 21, replacement, chunk)).toEqual(mem);
      });
      it("a class's draws do not depend on the other classes' targets", () => {
        const p1 = planFor(data, { c1: 50, c2: 10 }, 'under');
        const p2 = planFor(data, { c1: 50, c2: 80 }, 'under');
        const kept = (p: SamplingPlan): number[] =>
          Array.from(randomUnderSample(data, p, createRng(8), replacement).indices).filter((i) => data.labels[i] === 1);
        expect(kept(p1)).toEqual(kept(p2));
      });
    });
  }

  it('without replacement every row is kept with probability to/from', () => {
    const small = labelled([10, 30], 2);
    const plan = planFor(small, { c0: 3, c1: 30 }, 'under');
    const hits = new Float64Array(small.nRows);
    const runs = 3000;
    for (let s = 0; s < runs; s++) for (const i of randomUnderSample(small, plan, createRng(1000 + s), false).indices) hits[i]++;
    for (let i = 0; i < small.nRows; i++) {
      const p = hits[i] / runs;
      if (small.labels[i] === 0) expect(Math.abs(p - 0.3)).toBeLessThan(0.04);
      else expect(p).toBe(1);
    }
  });

  it('with replacement draws positions uniformly (mean multiplicity to/from, some rows repeated)', () => {
    const small = labelled([10, 30], 2);
    const plan = planFor(small, { c0: 10, c1: 30 }, 'under');
    const hits = new Float64Array(small.nRows);
    let repeated = 0;
    const runs = 2000;
    for (let s = 0; s < runs; s++) {
      const idx = randomUnderSample(small, plan, createRng(5000 + s), true).indices;
      for (let i = 1; i < idx.length; i++) if (idx[i] === idx[i - 1]) repeated++;
      for (const i of idx) hits[i]++;
    }
    expect(repeated).toBeGreaterThan(0);
    for (let i = 0; i < small.nRows; i++) if (small.labels[i] === 0) expect(Math.abs(hits[i] / runs - 1)).toBeLessThan(0.1);
  });

  it('rejects a plan of the wrong kind or for other counts, and extra rows while streaming', () => {
    const counts = classCounts(data.labels, 3);
    expect(() => createUnderSelector(planFor(data, 'auto', 'over'), counts, createRng(1), false)).toThrow(UsageError);
    expect(() => createUnderSelector(planFor(data, 'auto', 'under'), [40, 199, 90], createRng(1), false)).toThrow(DataError);
    const select = createUnderSelector(planFor(data, 'auto', 'under'), counts, createRng(1), false);
    for (let i = 0; i < 200; i++) select(1);
    expect(() => select(1)).toThrow(DataError);
    expect(select(0)).toBe(1);
  });

  it('property: any counts, any valid per-class targets, both modes: exact counts, order kept, streaming equal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 2, maxLength: 5 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        fc.integer({ min: 1, max: 50 }),
        (counts, fractions, replacement, seed, chunk) => {
          const d = labelled(counts, seed);
          const wanted: Record<string, number> = {};
          counts.forEach((n, c) => {
            if (fractions[c] > 0.2) wanted[`c${c}`] = Math.floor(fractions[c] * n);
          });
          const plan = planFor(d, wanted, 'under');
          const r = randomUnderSample(d, plan, createRng(seed), replacement);
          expect(Array.from(outputCounts(d, r))).toEqual(expectedCounts(d, plan));
          for (let i = 1; i < r.indices.length; i++) expect(r.indices[i] >= r.indices[i - 1]).toBe(true);
          expect(streamUnder(d, plan, seed, replacement, chunk)).toEqual(Array.from(r.indices));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('random over-sampling', () => {
  const data = labelled([40, 200, 90], 4);

  it('output counts equal the plan; all input rows kept in order; copies grouped by class in draw order', async () => {
    for (const strategy of ['auto', 'all', 'minority', 'not minority', { c0: 300 }] as SamplingStrategy[]) {
      const plan = planFor(data, strategy, 'over');
      const r = await randomOverDefinition.create({}).fitResample(data, plan, createRng(3), ctx);
      expect(Array.from(outputCounts(data, r))).toEqual(expectedCounts(data, plan));
      expect(Array.from(r.indices)).toEqual(Array.from({ length: data.nRows }, (_, i) => i));
      expect(r.synthetic).toBeNull();
      const classes = Array.from(r.duplicates!, (i) => data.labels[i]);
      expect(classes).toEqual([...classes].sort((a, b) => a - b));
    }
  });

  it('duplicates are the class rows at the drawn positions (what the streaming writer copies)', () => {
    const plan = planFor(data, 'auto', 'over');
    const counts = classCounts(data.labels, 3);
    const draws = drawOverSamples(plan, counts, createRng(9));
    expect([...draws.keys()]).toEqual([0, 2]);
    const rowsOf = (c: number): number[] => Array.from(data.labels.keys()).filter((i) => data.labels[i] === c);
    const expected = [...draws].flatMap(([c, pos]) => Array.from(pos, (p) => rowsOf(c)[p]));
    expect(Array.from(randomOverSample(data, plan, createRng(9), undefined).duplicates!)).toEqual(expected);
  });

  it('same seed same output, different seed different; class draws independent of other classes', () => {
    const plan = planFor(data, 'auto', 'over');
    const a = randomOverSample(data, plan, createRng(1), undefined).duplicates!;
    const b = randomOverSample(data, plan, createRng(1), undefined).duplicates!;
    const c = randomOverSample(data, plan, createRng(2), undefined).duplicates!;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const counts = classCounts(data.labels, 3);
    const d1 = drawOverSamples(planFor(data, { c0: 100, c2: 100 }, 'over'), counts, createRng(1));
    const d2 = drawOverSamples(planFor(data, { c0: 100, c2: 150 }, 'over'), counts, createRng(1));
    expect(Array.from(d1.get(0)!)).toEqual(Array.from(d2.get(0)!));
  });

  it('positions are uniform over the class', () => {
    const counts = [10, 1000];
    const plan: SamplingPlan = { kind: 'over', targets: new Map([[0, { from: 10, to: 20010 }]]) };
    const hist = new Float64Array(10);
    for (const p of drawOverSamples(plan, counts, createRng(4)).get(0)!) hist[p]++;
    for (const h of hist) expect(Math.abs(h / 20000 - 0.1)).toBeLessThan(0.01);
  });

  it('property: any counts and strategy: counts equal the plan, copies come from their class', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 2, maxLength: 5 }),
        fc.constantFrom<SamplingStrategy>('auto', 'all', 'not minority', 'minority'),
        fc.integer({ min: 0, max: 1e6 }),
        (counts, strategy, seed) => {
          const d = labelled(counts, seed);
          const plan = planFor(d, strategy, 'over');
          const r = randomOverSample(d, plan, createRng(seed), undefined);
          expect(Array.from(outputCounts(d, r))).toEqual(expectedCounts(d, plan));
          const draws = drawOverSamples(plan, classCounts(d.labels, d.classNames.length), createRng(seed));
          let w = 0;
          for (const [c, pos] of draws) for (let k = 0; k < pos.length; k++) expect(d.labels[r.duplicates![w++]]).toBe(c);
          expect(w).toBe(r.duplicates!.length);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it('rejects an under plan and a plan for other counts', () => {
    expect(() => drawOverSamples(planFor(data, 'auto', 'under'), classCounts(data.labels, 3), createRng(1))).toThrow(UsageError);
    expect(() => drawOverSamples(planFor(data, 'auto', 'over'), [41, 200, 90], createRng(1))).toThrow(DataError);
  });
});

describe('smoothed bootstrap (shrinkage)', () => {
  const data = labelled([300, 2000, 500], 6);

  it('puts the copies in `synthetic` with sourceRow, counts equal the plan, same seed same values', async () => {
    const plan = planFor(data, 'auto', 'over');
    const sampler = randomOverDefinition.create({ shrinkage: 0.5 });
    expect(sampler.scope).toBe('targets');
    expect(randomOverDefinition.create({}).scope).toBe('stream');
    const r = await sampler.fitResample(data, plan, createRng(3), ctx);
    const r2 = await sampler.fitResample(data, plan, createRng(3), ctx);
    expect(r.duplicates).toBeUndefined();
    expect(Array.from(outputCounts(data, r))).toEqual(expectedCounts(data, plan));
    const s = r.synthetic!;
    for (let i = 0; i < s.nRows; i++) expect(data.labels[s.sourceRow[i]]).toBe(s.labels[i]);
    expect(Array.from(s.features[0])).toEqual(Array.from(r2.synthetic!.features[0]));
    expect(s.neighborRow.every((v) => v === -1)).toBe(true);
    // the same rows as the plain bootstrap draws
    expect(Array.from(s.sourceRow)).toEqual(Array.from(randomOverSample(data, plan, createRng(3), undefined).duplicates!));
  });

  it('shrinkage 0 gives exact copies of the source rows', () => {
    const r = randomOverSample(data, planFor(data, 'auto', 'over'), createRng(3), 0);
    const s = r.synthetic!;
    for (let j = 0; j < 2; j++) for (let i = 0; i < s.nRows; i++) expect(s.features[j][i]).toBe(data.features[j][s.sourceRow[i]]);
  });

  it('noise per feature has standard deviation shrinkage * constant * class std', () => {
    const features = [Float64Array.from({ length: 50 }, (_, i) => i), Float64Array.from({ length: 50 }, (_, i) => (i % 5) * 10)];
    const classRows = Int32Array.from({ length: 25 }, (_, i) => 2 * i);
    const positions = Int32Array.from({ length: 40000 }, (_, i) => i % 25);
    const block = smoothedBootstrap({ features, classRows, positions, shrinkage: 2, totalRows: 50, classCode: 1 }, createRng(1));
    const c = smoothingConstant(50, 2);
    expect(c).toBeCloseTo((4 / (4 * 50)) ** (1 / 6), 12);
    for (let j = 0; j < 2; j++) {
      const vals = Array.from(classRows, (r) => features[j][r]);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
      let ss = 0;
      for (let i = 0; i < positions.length; i++) ss += (block.features[j][i] - features[j][block.sourceRow[i]]) ** 2;
      expect(Math.sqrt(ss / positions.length) / (2 * c * std)).toBeGreaterThan(0.98);
      expect(Math.sqrt(ss / positions.length) / (2 * c * std)).toBeLessThan(1.02);
    }
    expect(block.labels.every((v) => v === 1)).toBe(true);
  });

  it('leaves categorical columns as in the source row', () => {
    const cat = makeDataset({
      features: { x: Array.from({ length: 60 }, (_, i) => i * 0.5), k: Array.from({ length: 60 }, (_, i) => i % 3) },
      labels: Array.from({ length: 60 }, (_, i) => (i < 15 ? 'rare' : 'common')),
      featureKinds: { k: 'categorical' },
      categories: { k: ['p', 'q', 'r'] },
    });
    const r = randomOverSample(cat, planFor(cat, 'auto', 'over'), createRng(2), 1);
    const s = r.synthetic!;
    let moved = 0;
    for (let i = 0; i < s.nRows; i++) {
      expect(s.features[1][i]).toBe(cat.features[1][s.sourceRow[i]]);
      if (s.features[0][i] !== cat.features[0][s.sourceRow[i]]) moved++;
    }
    expect(moved).toBe(s.nRows);
  });

  it('per-class shrinkage record: must cover the plan, values >= 0 (imblearn checks)', () => {
    const plan = planFor(data, 'auto', 'over');
    expect([...resolveShrinkage({ c0: 1, c2: 0.5, other: 3 }, plan, data.classNames)!]).toEqual([[0, 1], [2, 0.5]]);
    expect([...resolveShrinkage(2, plan, data.classNames)!]).toEqual([[0, 2], [2, 2]]);
    expect(resolveShrinkage(undefined, plan, data.classNames)).toBeNull();
    expect(() => resolveShrinkage({ c0: 1 }, plan, data.classNames)).toThrow(DataError);
    expect(() => resolveShrinkage({ c0: 1, c2: -1 }, plan, data.classNames)).toThrow(UsageError);
    expect(() => randomOverDefinition.create({ shrinkage: -0.1 })).toThrow(UsageError);
  });

  it('on a Dataset of only the classes that gain rows (pipeline scope targets), same rows as on the full data', async () => {
    const plan = planFor(data, 'all', 'over'); // lists the majority too, with to === from
    const keep = Array.from(data.labels.keys()).filter((i) => data.labels[i] !== 1);
    const subset = takeRows(data, keep);
    const sampler = randomOverDefinition.create({ shrinkage: { c0: 1, c1: 1, c2: 3 } });
    const r = await sampler.fitResample(subset, plan, createRng(4), { ...ctx, totalRows: data.nRows } as SamplerContext);
    const full = await sampler.fitResample(data, plan, createRng(4), ctx);
    expect(Array.from(r.synthetic!.sourceRow, (i) => subset.rowIds![i])).toEqual(Array.from(full.synthetic!.sourceRow));
    expect(Array.from(r.synthetic!.features[1])).toEqual(Array.from(full.synthetic!.features[1]));
  });

  it('on a subset Dataset needs ctx.totalRows', async () => {
    const plan = planFor(data, 'auto', 'over');
    const subset = { ...data, rowIds: Int32Array.from({ length: data.nRows }, (_, i) => i) };
    const sampler = randomOverDefinition.create({ shrinkage: 1 });
    await expect(sampler.fitResample(subset, plan, createRng(1), ctx)).rejects.toThrow(/totalRows/);
    const r = await sampler.fitResample(subset, plan, createRng(1), { ...ctx, totalRows: data.nRows } as SamplerContext);
    const full = await sampler.fitResample(data, plan, createRng(1), ctx);
    expect(Array.from(r.synthetic!.features[0])).toEqual(Array.from(full.synthetic!.features[0]));
  });
});
