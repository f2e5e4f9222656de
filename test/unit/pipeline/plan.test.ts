/**
 * pipeline/plan.ts: the job's plan and bound sampler (strategy or classes to clean, options,
 * feature kinds), what the bound sampler needs, and which samplers stream.
 */
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '../../../src/core/errors.js';
import { isStreaming, planJob } from '../../../src/pipeline/plan.js';
import { getSampler } from '../../../src/samplers/registry.js';

const counts = new Int32Array([10, 40, 5]);
const classNames = ['a', 'b', 'c'];
const numeric = { names: ['x', 'y'], kinds: ['float', 'int'] as const };

describe('planJob', () => {
  it('resolves the strategy (default: the method default) into a plan over the counts', () => {
    const { plan } = planJob(getSampler('random-under'), counts, classNames, numeric, {});
    expect(plan.kind).toBe('under');
    expect([...plan.targets]).toEqual([
      [0, { from: 10, to: 5 }],
      [1, { from: 40, to: 5 }],
    ]);
    const over = planJob(getSampler('random-over'), counts, classNames, numeric, { strategy: { c: 20 } }).plan;
    expect([...over.targets]).toEqual([[2, { from: 5, to: 20 }]]);
  });

  it('a cleaning method takes the classes to clean instead of a strategy', () => {
    const { plan } = planJob(getSampler('tomek-links'), counts, classNames, numeric, { options: { classes: ['b'] } });
    expect([...plan.targets.keys()]).toEqual([1]);
  });

  it('the bound sampler says what it needs: random-over with shrinkage writes synthetic cells and does not stream', () => {
    const plain = planJob(getSampler('random-over'), counts, classNames, numeric, {});
    expect(isStreaming(plain.sampler)).toBe(true);
    expect(plain.needs.syntheticCells).toBe(false);
    const smoothed = planJob(getSampler('random-over'), counts, classNames, numeric, { options: { shrinkage: 1 } });
    expect(isStreaming(smoothed.sampler)).toBe(false);
    expect(smoothed.sampler.scope).toBe('targets');
    expect(smoothed.needs.syntheticCells).toBe(true);
    const smote = planJob(getSampler('smote'), counts, classNames, numeric, {});
    expect(isStreaming(smote.sampler)).toBe(false);
    expect(smote.needs).toEqual(getSampler('smote').needs);
  });

  it('refuses bad options and categorical features for numeric-only methods', () => {
    expect(() => planJob(getSampler('random-over'), counts, classNames, numeric, { options: { shrinkage: -1 } })).toThrow(UsageError);
    const mixed = { names: ['x', 'colour'], kinds: ['float', 'categorical'] as const };
    expect(() => planJob(getSampler('smote'), counts, classNames, mixed, {})).toThrow(/'colour'/);
    expect(() => planJob(getSampler('smote-nc'), counts, classNames, mixed, {})).not.toThrow();
    expect(() => planJob(getSampler('random-under'), counts, classNames, numeric, { strategy: { d: 3 } })).toThrow(DataError);
  });
});
