/**
 * Random under/over-sampling as StreamingSamplers: the streaming pass (selectStream, fed one label
 * at a time in input order) writes exactly the rows fitResample returns, in the same order, with
 * the same copies; options decide whether the bound sampler streams.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { classCounts, makeDataset } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { randomOverDefinition } from '../../../src/samplers/random-over.js';
import { randomUnderDefinition } from '../../../src/samplers/random-under.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import type { Dataset, Sampler, SamplerContext, SamplerOptions, SamplingStrategy, StreamingSampler } from '../../../src/types.js';

const ctx: SamplerContext = { knn: createNaiveBackend(), log: () => {} };

function labelled(labels: readonly number[]): Dataset {
  return makeDataset({ features: { x: labels.map((_, i) => i) }, labels: labels.map((c) => `c${c}`) });
}

function streaming(s: Sampler): StreamingSampler {
  expect(s.scope).toBe('stream');
  expect(typeof (s as StreamingSampler).selectStream).toBe('function');
  return s as StreamingSampler;
}

/** What the generic streaming loop writes: rows in place (input order), then the copies of held rows. */
function stream(s: StreamingSampler, data: Dataset, strategy: SamplingStrategy, seed: number): { inPlace: number[]; copies: number[] } {
  const counts = classCounts(data.labels, data.classNames.length);
  const plan = resolveStrategy(strategy, counts, s.kind, data.classNames);
  const sel = s.selectStream(plan, counts, createRng(seed));
  const inPlace: number[] = [];
  const held: number[] = [];
  for (let r = 0; r < data.nRows; r++) {
    const times = sel.write(data.labels[r]);
    if (sel.hold()) held.push(r);
    for (let t = 0; t < times; t++) inPlace.push(r);
  }
  return { inPlace, copies: Array.from(sel.copies(), (i) => held[i]) };
}

async function inMemory(s: Sampler, data: Dataset, strategy: SamplingStrategy, seed: number): Promise<{ inPlace: number[]; copies: number[] }> {
  const counts = classCounts(data.labels, data.classNames.length);
  const plan = resolveStrategy(strategy, counts, s.kind, data.classNames);
  const res = await s.fitResample(data, plan, createRng(seed), ctx);
  return { inPlace: Array.from(res.indices), copies: Array.from(res.duplicates ?? []) };
}

const labelsArb = fc
  .array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 120 })
  .filter((ls) => new Set(ls).size >= 2)
  .map((ls) => {
    // class codes follow the sorted names; make them dense so every class has rows
    const present = [...new Set(ls)].sort();
    return ls.map((c) => present.indexOf(c));
  });

describe('streaming random samplers', () => {
  it.each<[string, SamplerOptions]>([
    ['without replacement', {}],
    ['with replacement', { replacement: true }],
  ])('random-under %s: the stream writes what fitResample keeps', async (_, options) => {
    const s = streaming(randomUnderDefinition.create(options));
    await fc.assert(
      fc.asyncProperty(labelsArb, fc.integer({ min: 0, max: 1000 }), async (labels, seed) => {
        const data = labelled(labels);
        const got = stream(s, data, 'auto', seed);
        expect(got).toEqual(await inMemory(s, data, 'auto', seed));
        expect(got.copies).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('random-over: every row once in place, the held rows copied as fitResample duplicates them', async () => {
    const s = streaming(randomOverDefinition.create({}));
    await fc.assert(
      fc.asyncProperty(labelsArb, fc.integer({ min: 0, max: 1000 }), fc.constantFrom<SamplingStrategy>('auto', 'all', 'not majority'), async (labels, seed, strategy) => {
        const data = labelled(labels);
        const got = stream(s, data, strategy, seed);
        expect(got.inPlace).toEqual(labels.map((_, i) => i));
        expect(got).toEqual(await inMemory(s, data, strategy, seed));
      }),
      { numRuns: 60 },
    );
  });

  it('random-over holds only the rows it copies, each once', () => {
    const labels = [0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1];
    const data = labelled(labels);
    const s = streaming(randomOverDefinition.create({}));
    const counts = classCounts(data.labels, 2);
    const sel = s.selectStream(resolveStrategy('auto', counts, 'over', data.classNames), counts, createRng(3));
    const held: number[] = [];
    labels.forEach((c, r) => {
      expect(sel.write(c)).toBe(1);
      if (sel.hold()) held.push(r);
    });
    const copies = sel.copies();
    expect(copies.length).toBe(10 - 2);
    expect(held.every((r) => labels[r] === 0)).toBe(true);
    expect(new Set(copies).size).toBe(held.length);
  });

  it('a stream that has more (under) or fewer (over) rows than counted is a data error', () => {
    const counts = new Int32Array([2, 6]);
    const under = streaming(randomUnderDefinition.create({})).selectStream(resolveStrategy('auto', counts, 'under', ['a', 'b']), counts, createRng(1));
    for (let i = 0; i < 6; i++) under.write(1);
    expect(() => under.write(1)).toThrow(DataError);
    const over = streaming(randomOverDefinition.create({})).selectStream(resolveStrategy('auto', counts, 'over', ['a', 'b']), counts, createRng(1));
    over.write(0);
    expect(() => over.copies()).toThrow(DataError);
  });

  it('random-over with shrinkage does not stream: it gathers its target classes and writes synthetic cells', () => {
    const plain = randomOverDefinition.create({});
    expect(plain.needs).toBeUndefined();
    expect(randomOverDefinition.needs.syntheticCells).toBe(false);
    const smoothed = randomOverDefinition.create({ shrinkage: 0.5 });
    expect(smoothed.scope).toBe('targets');
    expect('selectStream' in smoothed).toBe(false);
    expect(smoothed.needs?.syntheticCells).toBe(true);
    expect(smoothed.needs?.knn).toBe(false);
  });
});
