import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CENTER_SAMPLE_ROWS, centeredFloat32Safe, checkK, float32Safe, maxAbsFinite, sampleCenter, scanIndexed } from '../../../src/neighbors/checks.js';

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

  it('sampleCenter: the exact column means up to maxRows rows, evenly spaced rows beyond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 50 }), (dim, n, maxRows) => {
        const points = Float32Array.from({ length: n * dim }, (_, i) => Math.fround(Math.sin(i * 7.1) * 100));
        const center = sampleCenter(points, dim, maxRows);
        const take = Math.min(n, maxRows);
        const rows = Array.from({ length: take }, (_, s) => Math.floor((s * n) / take));
        expect(new Set(rows).size).toBe(take); // distinct rows, first row 0
        for (let j = 0; j < dim; j++) {
          let sum = 0;
          for (const r of rows) sum += points[r * dim + j];
          expect(center[j]).toBe(take > 0 ? sum / take : 0);
        }
        if (n <= maxRows) expect(Array.from(center)).toEqual(Array.from(scanIndexed(points, dim).mean));
      }),
    );
    expect(CENTER_SAMPLE_ROWS).toBeGreaterThanOrEqual(1024);
  });

  it('sampleCenter rejects a non-finite sampled value, naming the first in the data', () => {
    const points = Float32Array.from({ length: 40 }, (_, i) => i);
    points[10] = Infinity; // maxRows 4 of 40 rows samples rows 0, 10, 20 and 30
    expect(() => sampleCenter(points, 1, 4)).toThrow(expect.objectContaining({ code: 'REBALANCE_KNN_NONFINITE' }));
    points[10] = 10;
    points[11] = NaN; // not sampled: the center stays finite, the layout pass finds it
    expect(Array.from(sampleCenter(points, 1, 4))).toEqual([15]);
  });

  it('centeredFloat32Safe bounds squared distances of centered rows by 4 max |row|^2', () => {
    expect(centeredFloat32Safe(1e30)).toBe(true);
    expect(centeredFloat32Safe(2 ** 118)).toBe(false);
    expect(centeredFloat32Safe(Infinity)).toBe(false);
    expect(centeredFloat32Safe(Number.NaN)).toBe(false);
  });
});
