import { describe, expect, it } from 'vitest';
import { DataError, RebalanceError, UsageError } from '../../../src/core/errors.js';
import {
  SAMPLING_TARGET_KIND,
  STRATEGY_NAMES,
  resolveClassList,
  resolveStrategy,
  samplingTargets,
} from '../../../src/samplers/strategy.js';
import type { SamplingKind, SamplingStrategy } from '../../../src/types.js';

const NAMES = ['a', 'b', 'c', 'd'];

/** The plan as { className: [from, to] } for readable tables. */
function planOf(strategy: SamplingStrategy, counts: number[], kind: SamplingKind): Record<string, [number, number]> {
  const plan = resolveStrategy(strategy, counts, kind, NAMES.slice(0, counts.length));
  expect(plan.kind).toBe(kind);
  const keys = [...plan.targets.keys()];
  expect(keys).toEqual([...keys].sort((x, y) => x - y));
  const out: Record<string, [number, number]> = {};
  for (const [c, { from, to }] of plan.targets) out[NAMES[c]] = [from, to];
  return out;
}

type Ok = [SamplingKind, number[], Record<string, [number, number]>];
type Err = [SamplingKind, number[], typeof DataError | typeof UsageError, string];

function runTable(strategy: SamplingStrategy, ok: Ok[], errors: Err[] = []): void {
  it.each(ok)('%s %j', (kind, counts, expected) => {
    expect(planOf(strategy, counts, kind)).toEqual(expected);
  });
  if (errors.length > 0) {
    it.each(errors)('%s %j throws', (kind, counts, cls, code) => {
      let thrown: unknown;
      try {
        resolveStrategy(strategy, counts, kind, NAMES.slice(0, counts.length));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(cls);
      expect((thrown as RebalanceError).code).toBe(code);
      expect((thrown as Error).message).not.toContain('\n');
    });
  }
}

describe('the name-keyed table mirrors imblearn SAMPLING_TARGET_KIND', () => {
  it('has exactly imblearn entries in order', () => {
    expect(Object.keys(SAMPLING_TARGET_KIND)).toEqual(['minority', 'majority', 'not minority', 'not majority', 'all', 'auto']);
    expect(STRATEGY_NAMES).toEqual(Object.keys(SAMPLING_TARGET_KIND));
  });
  it('returns imblearn values: rows to add (over), rows to keep (under), minority count (clean)', () => {
    expect([...samplingTargets('all', [10, 50, 30], 'over', NAMES.slice(0, 3))]).toEqual([[0, 40], [1, 0], [2, 20]]);
    expect([...samplingTargets('all', [10, 50, 30], 'under', NAMES.slice(0, 3))]).toEqual([[0, 10], [1, 10], [2, 10]]);
    expect([...samplingTargets('all', [10, 50, 30], 'clean', NAMES.slice(0, 3))]).toEqual([[0, 10], [1, 10], [2, 10]]);
  });
});

describe("strategy 'auto'", () => {
  runTable('auto', [
    ['over', [10, 50, 30], { a: [10, 50], c: [30, 50] }],
    ['under', [10, 50, 30], { b: [50, 10], c: [30, 10] }],
    ['clean', [10, 50, 30], { b: [50, 50], c: [30, 30] }],
    // ties: the lowest class code is the majority / minority (imblearn's max/min over the sorted dict)
    ['over', [20, 20, 5], { b: [20, 20], c: [5, 20] }],
    ['under', [5, 20, 5], { b: [20, 5], c: [5, 5] }],
    ['over', [7, 7], { b: [7, 7] }],
    ['under', [7, 7], { b: [7, 7] }],
    // classes with no rows are not classes (np.unique never sees them)
    ['over', [0, 10, 30], { b: [10, 30] }],
  ], [
    ['over', [10, 0], DataError, 'REBALANCE_ONE_CLASS'],
    ['under', [0, 0, 3], DataError, 'REBALANCE_ONE_CLASS'],
  ]);
});

describe("strategy 'minority'", () => {
  runTable('minority', [
    ['over', [10, 50, 30], { a: [10, 50] }],
    ['over', [30, 5, 5], { b: [5, 30] }],
  ], [
    ['under', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
    ['clean', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
  ]);
});

describe("strategy 'majority'", () => {
  runTable('majority', [
    ['under', [10, 50, 30], { b: [50, 10] }],
    ['under', [50, 50, 10], { a: [50, 10] }],
    ['clean', [10, 50, 30], { b: [50, 50] }],
  ], [['over', [10, 50, 30], DataError, 'REBALANCE_STRATEGY']]);
});

describe("strategy 'not minority'", () => {
  runTable('not minority', [
    ['over', [10, 50, 30], { b: [50, 50], c: [30, 50] }],
    ['under', [10, 50, 30], { b: [50, 10], c: [30, 10] }],
    ['clean', [10, 50, 30], { b: [50, 50], c: [30, 30] }],
    ['under', [10, 50, 10], { b: [50, 10], c: [10, 10] }],
  ]);
});

describe("strategy 'not majority'", () => {
  runTable('not majority', [
    ['over', [10, 50, 30], { a: [10, 50], c: [30, 50] }],
    ['under', [10, 50, 30], { a: [10, 10], c: [30, 10] }],
    ['clean', [10, 50, 30], { a: [10, 10], c: [30, 30] }],
    ['over', [50, 10, 50], { b: [10, 50], c: [50, 50] }],
  ]);
});

describe("strategy 'all'", () => {
  runTable('all', [
    ['over', [10, 50, 30], { a: [10, 50], b: [50, 50], c: [30, 50] }],
    ['under', [10, 50, 30], { a: [10, 10], b: [50, 10], c: [30, 10] }],
    ['clean', [10, 50, 30], { a: [10, 10], b: [50, 50], c: [30, 30] }],
  ]);
});

describe('a ratio (binary only)', () => {
  describe('0.5', () => {
    runTable(0.5, [
      ['over', [100, 30], { b: [30, 50] }],
      ['over', [30, 100], { a: [30, 50] }],
      ['under', [100, 30], { a: [100, 60] }],
    ], [
      ['over', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
      ['under', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
      ['clean', [100, 30], DataError, 'REBALANCE_STRATEGY'],
      // would remove minority rows while over-sampling
      ['over', [100, 60], DataError, 'REBALANCE_STRATEGY'],
      // would add majority rows while under-sampling
      ['under', [100, 80], DataError, 'REBALANCE_STRATEGY'],
    ]);
  });
  describe('truncation like Python int()', () => {
    runTable(0.31, [['over', [100, 30], { b: [30, 31] }]]);
    // 100 * 0.305 - 30 = 0.5 -> int() = 0: nothing to add is an error in imblearn
    runTable(0.305, [], [['over', [100, 30], DataError, 'REBALANCE_STRATEGY']]);
    runTable(0.3, [['under', [100, 30], { a: [100, 100] }]], [['over', [100, 30], DataError, 'REBALANCE_STRATEGY']]);
    runTable(0.7, [['over', [10, 3], { b: [3, 7] }], ['under', [10, 7], { a: [10, 10] }]]);
    runTable(1, [['over', [100, 30], { b: [30, 100] }], ['under', [100, 30], { a: [100, 30] }]]);
  });
  describe('out of (0, 1]', () => {
    for (const bad of [0, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      runTable(bad, [], [
        ['over', [100, 30], UsageError, 'REBALANCE_BAD_STRATEGY'],
        ['under', [100, 30], UsageError, 'REBALANCE_BAD_STRATEGY'],
      ]);
    }
  });
});

describe('per-class counts', () => {
  describe('{a: 40}', () => {
    runTable({ a: 40 }, [
      ['over', [10, 50, 30], { a: [10, 40] }],
      ['under', [40, 50, 30], { a: [40, 40] }],
      ['under', [45, 50, 30], { a: [45, 40] }],
    ], [
      ['over', [45, 50, 30], DataError, 'REBALANCE_STRATEGY'],
      ['under', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
      ['clean', [10, 50, 30], DataError, 'REBALANCE_STRATEGY'],
    ]);
  });
  describe('more than the majority is allowed when over-sampling (imblearn only warns)', () => {
    runTable({ a: 60, c: 30 }, [['over', [10, 50, 30], { a: [10, 60], c: [30, 30] }]]);
  });
  describe('several classes', () => {
    runTable({ b: 20, c: 30 }, [['under', [10, 50, 30], { b: [50, 20], c: [30, 30] }]]);
    runTable({ a: 0 }, [['under', [10, 50, 30], { a: [10, 0] }]]);
  });
  describe('unknown class, negative or fractional counts', () => {
    runTable({ z: 1 }, [], [['over', [10, 50], DataError, 'REBALANCE_STRATEGY'], ['under', [10, 50], DataError, 'REBALANCE_STRATEGY']]);
    // a class with zero rows is not present
    runTable({ c: 10 }, [], [['over', [10, 50, 0], DataError, 'REBALANCE_STRATEGY']]);
    runTable({ a: -1 }, [], [['under', [10, 50], UsageError, 'REBALANCE_BAD_STRATEGY']]);
    runTable({ a: 1.5 }, [], [['over', [1, 50], UsageError, 'REBALANCE_BAD_STRATEGY']]);
  });
  it('says what was found, what was asked, and the fix', () => {
    expect(() => resolveStrategy({ fraud: 5 }, [10, 50], 'over', ['ok', 'fraud'])).toThrow(/class 'fraud' has 50 rows and 5 are asked; ask for at least 50/);
    expect(() => resolveStrategy({ nope: 5 }, [10, 50], 'over', ['ok', 'fraud'])).toThrow(/'nope' not present in the data; the classes are 'ok', 'fraud'/);
  });
});

describe('unknown strategy name', () => {
  it('is a usage error', () => {
    expect(() => resolveStrategy('most' as SamplingStrategy, [1, 2], 'over', ['a', 'b'])).toThrow(UsageError);
  });
});

describe('resolveClassList (cleaning methods)', () => {
  it('targets the listed classes with to === from', () => {
    const plan = resolveClassList(['c', 'a'], [10, 50, 30], 'clean', ['a', 'b', 'c']);
    expect([...plan.targets]).toEqual([[0, { from: 10, to: 10 }], [2, { from: 30, to: 30 }]]);
  });
  it('rejects unknown classes and non-cleaning kinds', () => {
    expect(() => resolveClassList(['x'], [10, 50], 'clean', ['a', 'b'])).toThrow(DataError);
    expect(() => resolveClassList(['a'], [10, 50], 'over', ['a', 'b'])).toThrow(DataError);
  });
});
