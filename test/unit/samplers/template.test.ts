/** The fit-resample template: plan from the request, option binding first, the 'sampler/<name>' stream. */
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { getSampler } from '../../../src/samplers/registry.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import { fitResample, planFor, prepareSampler, runSampler } from '../../../src/samplers/template.js';
import { twoBlobs } from './smote-helpers.js';

const ctx = () => ({ knn: createNaiveBackend(), log: () => undefined });

describe('planFor', () => {
  const smote = getSampler('smote');
  const enn = getSampler('enn');
  it('resolves the request strategy (default: the method default) on the counts', () => {
    expect(planFor(smote, [90, 10], ['a', 'b'])).toEqual(resolveStrategy('auto', [90, 10], 'over', ['a', 'b']));
    expect(planFor(smote, [90, 10], ['a', 'b'], { strategy: 0.5 }).targets.get(1)).toEqual({ from: 10, to: 45 });
  });
  it('takes options.classes as the classes to clean', () => {
    const plan = planFor(enn, [50, 30, 20], ['a', 'b', 'c'], { options: { classes: ['b'] } });
    expect([...plan.targets.keys()]).toEqual([1]);
  });
  it('refuses fewer than two present classes with REBALANCE_ONE_CLASS', () => {
    expect(() => planFor(smote, [12, 0], ['a', 'b'])).toThrow(DataError);
    expect(() => planFor(smote, [12, 0], ['a', 'b'])).toThrow(/single class \('a'\)/);
  });
  it('refuses a class list that is not a list of names', () => {
    expect(() => planFor(enn, [5, 5], ['a', 'b'], { options: { classes: 'a' as unknown as string[] } })).toThrow(UsageError);
  });
});

describe('fitResample', () => {
  const data = twoBlobs(80, 12, 2, 3);
  it('equals bind, plan, fork sampler/<name>, run done by hand', async () => {
    const def = getSampler('smote');
    const viaTemplate = await fitResample(def, data, { options: { kNeighbors: 3 } }, { rng: createRng(4), ...ctx() });
    const plan = resolveStrategy('auto', [80, 12], 'over', data.classNames);
    const byHand = await def.create({ kNeighbors: 3 }).fitResample(data, plan, createRng(4).fork('sampler/smote'), ctx());
    expect(Array.from(viaTemplate.synthetic!.features[0])).toEqual(Array.from(byHand.synthetic!.features[0]));
    const viaSteps = await runSampler(prepareSampler(def, { kNeighbors: 3 }), data, plan, { rng: createRng(4), ...ctx() });
    expect(Array.from(viaSteps.synthetic!.features[1])).toEqual(Array.from(byHand.synthetic!.features[1]));
  });
  it('validates the options before looking at the data', async () => {
    const oneClass = makeDataset({ features: { x: [1, 2, 3] }, labels: ['a', 'a', 'a'] });
    await expect(fitResample(getSampler('smote'), oneClass, { options: { kNeighbors: -1 } }, { rng: createRng(1), ...ctx() })).rejects.toMatchObject({
      code: 'REBALANCE_BAD_OPTION',
    });
  });
  it('checks feature kinds against def.needs', async () => {
    const cat = makeDataset({ features: { a: [0, 1, 0, 1, 0, 1] }, labels: ['x', 'x', 'x', 'x', 'y', 'y'], featureKinds: { a: 'categorical' }, categories: { a: ['p', 'q'] } });
    await expect(fitResample(getSampler('smote'), cat, {}, { rng: createRng(1), ...ctx() })).rejects.toMatchObject({ code: 'REBALANCE_CATEGORICAL_FEATURES' });
  });
});
