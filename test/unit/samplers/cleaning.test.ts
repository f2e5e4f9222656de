/**
 * Deterministic cleaning under-samplers on tiny literal data whose kept rows were worked out by
 * hand (distances on one feature are |a - b|; comments give each decisive neighbourhood).
 */
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { allKnnDefinition } from '../../../src/samplers/all-knn.js';
import { ennDefinition } from '../../../src/samplers/enn.js';
import { nearMissDefinition } from '../../../src/samplers/near-miss.js';
import { neighbourhoodCleaningRuleDefinition } from '../../../src/samplers/neighbourhood-cleaning-rule.js';
import { rennDefinition } from '../../../src/samplers/renn.js';
import { tomekLinksDefinition } from '../../../src/samplers/tomek-links.js';
import type { Dataset, SamplerDefinition, SamplerOptions, SamplingPlan } from '../../../src/types.js';

const ctx = { knn: createNaiveBackend(), log: () => {} };

function line(xs: number[], labels: string[]): Dataset {
  return makeDataset({ features: { x: xs }, labels });
}

/** Plan cleaning (or under-sampling to `to`) the named classes. */
function plan(data: Dataset, classes: string[], kind: 'clean' | 'under' = 'clean', to?: number): SamplingPlan {
  const targets = new Map<number, { from: number; to: number }>();
  for (const name of classes) {
    const c = data.classNames.indexOf(name);
    const from = data.labels.filter((l) => l === c).length;
    targets.set(c, { from, to: kind === 'clean' ? from : (to ?? from) });
  }
  return { kind, targets };
}

async function removed(def: SamplerDefinition, options: SamplerOptions, data: Dataset, p: SamplingPlan): Promise<number[]> {
  const res = await def.create(options).fitResample(data, p, createRng(1), ctx);
  const kept = new Set(res.indices);
  expect([...res.indices]).toEqual([...res.indices].sort((a, b) => a - b));
  expect(res.synthetic).toBeNull();
  return Array.from({ length: data.nRows }, (_, i) => i).filter((i) => !kept.has(i));
}

// D1: maj at 0 1 2 3 | min 10 11 | maj 12 | min 13 | maj 16 | maj 20 21 22
const D1 = line(
  [0, 1, 2, 3, 10, 11, 12, 13, 16, 20, 21, 22],
  ['maj', 'maj', 'maj', 'maj', 'min', 'min', 'maj', 'min', 'maj', 'maj', 'maj', 'maj'],
);

describe('tomek-links', () => {
  // r0 0 maj, r1 1 maj, r2 1.4 min, r3 3 maj, r4 3.5 maj, r5 8 min, r6 9 maj.
  // Mutual nearest pairs of different classes: (r1, r2) at 0.4 and (r5, r6) at 1.
  const T = line([0, 1, 1.4, 3, 3.5, 8, 9], ['maj', 'maj', 'min', 'maj', 'maj', 'min', 'maj']);
  it('removes the majority member of each link under auto', async () => {
    expect(await removed(tomekLinksDefinition, {}, T, plan(T, ['maj']))).toEqual([1, 6]);
  });
  it("removes both members when every class is cleaned ('all')", async () => {
    expect(await removed(tomekLinksDefinition, {}, T, plan(T, ['maj', 'min']))).toEqual([1, 2, 5, 6]);
  });
  it('options.classes names the classes to clean instead of the plan', async () => {
    expect(await removed(tomekLinksDefinition, { classes: ['min'] }, T, plan(T, ['maj']))).toEqual([2, 5]);
  });
  it('breaks an exact distance tie by the lower row index', async () => {
    // r1 (min) is 1 from both r0 and r2: its neighbour is r0, so only (r0, r1) is a link.
    const E = line([0, 1, 2], ['maj', 'min', 'maj']);
    expect(await removed(tomekLinksDefinition, {}, E, plan(E, ['maj']))).toEqual([0]);
  });
  it('duplicate rows: a copy of another class is a link at distance 0, a copy of its own class is not', async () => {
    const A = line([0, 0, 5], ['maj', 'min', 'maj']);
    expect(await removed(tomekLinksDefinition, {}, A, plan(A, ['maj']))).toEqual([0]);
    // r2's nearest is r0 (tie with r1 at 0.5, lower index), but r0's nearest is its copy r1.
    const B = line([0, 0, 0.5], ['maj', 'maj', 'min']);
    expect(await removed(tomekLinksDefinition, {}, B, plan(B, ['maj']))).toEqual([]);
  });
  it('needs two rows', async () => {
    const one = line([0], ['a']);
    await expect(removed(tomekLinksDefinition, {}, one, plan(one, ['a']))).rejects.toMatchObject({
      code: 'REBALANCE_TOO_FEW_ROWS',
    });
  });
});

describe('enn', () => {
  // r6 (12): r5, r7, r4 all min -> removed under both kinds.
  // r8 (16): r7 (3), then r6 and r9 tied at 4 (both maj) -> min, maj, maj: 'all' removes, 'mode' keeps.
  it("kind_sel 'all' removes a row with any disagreeing neighbour", async () => {
    expect(await removed(ennDefinition, {}, D1, plan(D1, ['maj']))).toEqual([6, 8]);
  });
  it("kind_sel 'mode' removes only rows whose neighbour majority disagrees", async () => {
    expect(await removed(ennDefinition, { variant: 'mode' }, D1, plan(D1, ['maj']))).toEqual([6]);
  });
  it('never touches classes outside the plan', async () => {
    expect(await removed(ennDefinition, {}, D1, plan(D1, []))).toEqual([]);
  });
  it("'mode' ties: numeric labels pick the lowest label, string labels the nearest tied label", async () => {
    // The query row (class 2 / 'y', at 0) has one neighbour of each class: 3 nearest, then 1, then 2.
    const xs = [0, 1, 2, 3];
    const numeric = line(xs, ['2', '3', '1', '2']);
    // votes tie 1:1:1 -> lowest label '1' != '2' -> row 0 removed (row 3's neighbours: r2 1, r1 2, r0 3 -> lowest '1').
    expect(await removed(ennDefinition, { variant: 'mode' }, numeric, plan(numeric, ['2']))).toEqual([0, 3]);
    const strings = line(xs, ['y', 'y', 'z', 'x']);
    // r0: neighbours r1 'y' (nearest), r2 'z', r3 'x' -> tie, nearest wins -> 'y' kept.
    // r1: neighbours r0 'y' and r2 'z' tied at 1 (r0 first), r3 'x' -> 'y' kept.
    expect(await removed(ennDefinition, { variant: 'mode' }, strings, plan(strings, ['y']))).toEqual([]);
  });
  it('fails with a DataError when k exceeds the other rows', async () => {
    const err = await removed(ennDefinition, { nNeighbors: 12 }, D1, plan(D1, ['maj'])).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('REBALANCE_TOO_FEW_ROWS');
  });
  it('rejects a bad variant or k up front', () => {
    expect(() => ennDefinition.create({ variant: 'most' })).toThrow(UsageError);
    expect(() => ennDefinition.create({ nNeighbors: 0 })).toThrow(UsageError);
  });
  it('rejects an unknown class to clean', async () => {
    await expect(removed(ennDefinition, { classes: ['nope'] }, D1, plan(D1, ['maj']))).rejects.toMatchObject({
      code: 'REBALANCE_UNKNOWN_CLASS',
    });
  });
});

describe('renn and all-knn', () => {
  // Pass 1 = ENN: {6, 8}. Pass 2 on the rest: r9 (20) -> r10, r11, then r7 at 7 (min): removed,
  // likewise r10 and r11. Pass 3 removes nothing.
  it('renn repeats ENN until nothing changes', async () => {
    expect(await removed(rennDefinition, {}, D1, plan(D1, ['maj']))).toEqual([6, 8, 9, 10, 11]);
  });
  it('renn honours maxIter', async () => {
    expect(await removed(rennDefinition, { maxIter: 1 }, D1, plan(D1, ['maj']))).toEqual([6, 8]);
  });
  // k=1: r6 -> r5 (tie with r7, lower index; min), r8 -> r7 (min): {6, 8}. k=2: nothing.
  // k=3: r9, r10, r11 each reach r7 as third neighbour: removed.
  it('all-knn grows k from 1 to nNeighbors', async () => {
    expect(await removed(allKnnDefinition, {}, D1, plan(D1, ['maj']))).toEqual([6, 8, 9, 10, 11]);
    expect(await removed(allKnnDefinition, { nNeighbors: 2 }, D1, plan(D1, ['maj']))).toEqual([6, 8]);
  });
  it('stops once a cleaned class falls below the original minority count, unless allowMinority', async () => {
    // maj 0 1 | min 5 | maj 6 | min 10 | maj 11 | min 20 | maj 30: 5 maj, 3 min.
    // k=1: r3 -> r2, r5 -> r4, r7 -> r6 (all min): removed; maj 2 < 3 -> stop.
    const S = line([0, 1, 5, 6, 10, 11, 20, 30], ['maj', 'maj', 'min', 'maj', 'min', 'maj', 'min', 'maj']);
    expect(await removed(allKnnDefinition, {}, S, plan(S, ['maj']))).toEqual([3, 5, 7]);
    // allowMinority with k up to 2. The plan is 'all but the minority', re-resolved per pass as
    // imbalanced-learn does: maj (2) is now the minority, so min is cleaned at k=2 on
    // {0, 1, 2, 4, 6}: r2 (5) -> r1 (4), r0 (5; ties r4, lower row): removed; r4 (10) -> r2 (5),
    // r1 (9): removed; r6 (20) -> r4, r2: kept.
    expect(await removed(allKnnDefinition, { allowMinority: true, nNeighbors: 2 }, S, plan(S, ['maj']))).toEqual([2, 3, 4, 5, 7]);
    // An explicit class list stays fixed: k=2 cleans maj: r0 -> r1, r2 (min): removed; r1 likewise.
    expect(
      await removed(allKnnDefinition, { allowMinority: true, nNeighbors: 2, classes: ['maj'] }, S, plan(S, ['maj'])),
    ).toEqual([0, 1, 3, 5, 7]);
  });
});

describe('neighbourhood-cleaning-rule', () => {
  // A1 = ENN(mode) = {6}. Minority rows r4, r5, r7 all have r6 (maj) among their 3 neighbours,
  // and maj holds 9 of 12 rows (> 0.5): A2 = {6}. r7's third neighbour: r4 and r8 tie at 3 ->
  // r4 (lower index), so r8 is not in A2.
  it('removes ENN(mode) rows and the large-class neighbours of misclassified minority rows', async () => {
    expect(await removed(neighbourhoodCleaningRuleDefinition, {}, D1, plan(D1, ['maj']))).toEqual([6]);
  });
  it('a class under thresholdCleaning of the rows is not cleaned by the A2 step', async () => {
    // maj holds 9/12 = 0.75 <= 0.8: only A1 = ENN(mode) remains.
    expect(await removed(neighbourhoodCleaningRuleDefinition, { thresholdCleaning: 0.8 }, D1, plan(D1, ['maj']))).toEqual([6]);
    const N = line([0, 1, 2, 3, 4.5, 6], ['maj', 'maj', 'maj', 'maj', 'min', 'min']);
    // ENN(mode): r3 (3) -> r2, r4 (1.5), r1 -> maj: kept. r5's neighbours r4, r3, r2: mode maj -> misclassified,
    // so A2 takes r3 and r2 (maj is 4/6 > 0.5); r4's neighbours r3, r5, r2: mode maj -> A2 adds r3, r2.
    expect(await removed(neighbourhoodCleaningRuleDefinition, {}, N, plan(N, ['maj']))).toEqual([2, 3]);
    expect(await removed(neighbourhoodCleaningRuleDefinition, { thresholdCleaning: 0.7 }, N, plan(N, ['maj']))).toEqual([]);
  });
});

describe('near-miss', () => {
  // Minority rows at 10, 11, 13. Sum of distances to all three: r0 34, r1 31, r2 28, r3 25,
  // r6 4, r8 14, r9 26, r10 29, r11 32.
  const P = plan(D1, ['maj'], 'under', 3);
  it('version 1 keeps the rows closest to their nearest minority rows', async () => {
    expect(await removed(nearMissDefinition, { version: 1 }, D1, P)).toEqual([0, 1, 2, 9, 10, 11]);
    // k=1: nearest minority distance r6 1, r8 3, then r3 and r9 tie at 7 -> r3 (lower row).
    expect(await removed(nearMissDefinition, { version: 1, nNeighbors: 1 }, D1, P)).toEqual([0, 1, 2, 9, 10, 11]);
  });
  it('version 2 ranks by the farthest minority rows', async () => {
    // k=1 farthest: r6 2, r8 6, then r3 and r9 tie at 10 -> r3.
    expect(await removed(nearMissDefinition, { version: 2, nNeighbors: 1 }, D1, P)).toEqual([0, 1, 2, 9, 10, 11]);
  });
  it('version 3 keeps the farthest of the shortlisted rows', async () => {
    // Shortlist (3 nearest maj of each minority row): {6, 8, 3} from r4 and r5, {6, 8, 9} from r7.
    // Sums: r9 26, r3 25, r8 14, r6 4 -> keep the 3 largest: r9, r3, r8.
    expect(await removed(nearMissDefinition, { version: 3 }, D1, P)).toEqual([0, 1, 2, 6, 10, 11]);
  });
  it('version 3 keeps fewer rows than planned when the shortlist is short, and says so', async () => {
    const logs: string[] = [];
    const res = await nearMissDefinition
      .create({ version: 3, nNeighborsVer3: 1 })
      .fitResample(D1, plan(D1, ['maj'], 'under', 3), createRng(1), { ...ctx, log: (m) => logs.push(m) });
    // Nearest maj of r4, r5, r7 is r6 for all: one row kept.
    expect([...res.indices]).toEqual([4, 5, 6, 7]);
    expect(logs.length).toBe(1);
  });
  it('fails with REBALANCE_CLASS_TOO_SMALL when the minority has fewer rows than k', async () => {
    const err = await removed(nearMissDefinition, { nNeighbors: 4 }, D1, P).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe('REBALANCE_CLASS_TOO_SMALL');
  });
  it('rejects an unknown version', () => {
    expect(() => nearMissDefinition.create({ version: 4 })).toThrow(UsageError);
  });
});

describe('context', () => {
  it('ctx.scale scales distances only: ENN on standardized copies removes the same rows', async () => {
    // Feature b spans 1000x the range of a: unscaled, b decides every neighbourhood.
    const a = [0, 1, 2, 3, 10, 11, 12, 13, 16, 20, 21, 22];
    const b = a.map((v, i) => ((i * 7) % 5) * 1000);
    const labels = ['maj', 'maj', 'maj', 'maj', 'min', 'min', 'maj', 'min', 'maj', 'maj', 'maj', 'maj'];
    const raw = makeDataset({ features: { a, b }, labels });
    const std = (xs: number[]) => {
      const m = xs.reduce((s, v) => s + v, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, v) => s + (v - m) ** 2, 0) / xs.length);
      return xs.map((v) => (v - m) / sd);
    };
    const pre = makeDataset({ features: { a: std(a), b: std(b) }, labels });
    const scaled = await ennDefinition.create({}).fitResample(raw, plan(raw, ['maj']), createRng(1), { ...ctx, scale: 'standard' });
    const expected = await ennDefinition.create({}).fitResample(pre, plan(pre, ['maj']), createRng(1), ctx);
    const unscaled = await ennDefinition.create({}).fitResample(raw, plan(raw, ['maj']), createRng(1), ctx);
    expect([...scaled.indices]).toEqual([...expected.indices]);
    expect([...scaled.indices]).not.toEqual([...unscaled.indices]);
  });
  it('an aborted signal stops the run with InterruptedError', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      rennDefinition.create({}).fitResample(D1, plan(D1, ['maj']), createRng(1), { ...ctx, signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'REBALANCE_INTERRUPTED' });
  });
});
