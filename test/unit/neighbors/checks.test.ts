import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkK, float32Safe, maxAbsFinite, scanIndexed } from '../../../src/neighbors/checks.js';

describe('kNN input checks shared by the backends', () => {
  it('scanIndexed returns the largest |coordinate| and float64 column means in one pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), { maxLength: 60 }), (dim, raw) => {
        const n = Math.floor(raw.length / dim);
        const points = Float32Array.from(raw.slice(0, n * dim));
        const { maxAbs, mean } = scanIndexed(points, dim);
        expect(maxAbs).toBe(points.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
        expect(maxAbs).toBe(maxAbsFinite(points, 'indexed'));
        for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += points[i * dim + j];
          expect(mean[j]).toBe(n > 0 ? s / n : 0);
        }
      }),
    );
  });

  it('names the first non-finite value and its position, whatever follows it', () => {
    for (const [values, found, at] of [
      [[0, 1, NaN, 2], 'NaN', 2],
      [[0, Infinity, NaN], 'Infinity', 1],
      [[-Infinity], '-Infinity', 0],
      [[3, 4, 5, Infinity], 'Infinity', 3],
    ] as const) {
      const points = Float32Array.from(values);
      for (const run of [() => scanIndexed(points, 1), () => maxAbsFinite(points, 'indexed')]) {
        expect(run).toThrow(expect.objectContaining({ code: 'REBALANCE_KNN_NONFINITE', message: expect.stringContaining(`found ${found} at position ${at};`) }));
      }
    }
    expect(() => maxAbsFinite(Float32Array.of(NaN), 'query')).toThrow(/expected finite query coordinates/);
  });

  it('checkK: a usage error for a bad k, a data error above the rows available', () => {
    expect(() => checkK(-1, 5, false)).toThrow(RangeError);
    expect(() => checkK(1.5, 5, false)).toThrow(RangeError);
    expect(() => checkK(5, 5, false)).not.toThrow();
    expect(() => checkK(5, 4, true)).toThrow(expect.objectContaining({ code: 'REBALANCE_K_TOO_LARGE', message: expect.stringContaining('the other indexed rows') }));
  });

  it('float32Safe draws the line where float32 squared distances could overflow', () => {
    expect(float32Safe(1e6, 30)).toBe(true);
    expect(float32Safe(2 ** 60, 1)).toBe(false);
  });
});
