import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, studentTCdf, studentTQuantile } from '../../../src/evaluate/stats.js';

// scipy.stats.t.ppf(p, df) and t.cdf(x, df) (scipy 1.10, /usr/bin/python3), pasted once.
const PPF: [number, number, number][] = [
  [1, 0.975, 12.706204736432095],
  [2, 0.975, 4.302652729911275],
  [4, 0.975, 2.7764451051977987],
  [9, 0.975, 2.2621571627409915],
  [14, 0.975, 2.1447866879169273],
  [29, 0.975, 2.045229642132703],
  [49, 0.995, 2.67995197363155],
  [7, 0.025, -2.3646242510103],
  [1, 0.999, 318.3088389855419],
  [100, 0.975, 1.9839715184496334],
  [1000, 0.975, 1.9623390808264074],
];
const CDF: [number, number, number][] = [
  [4, 2.0, 0.9419417382415922],
  [14, -1.3, 0.10729879628096804],
  [1, 0.5, 0.6475836176504333],
];

describe('Student t', () => {
  it.each(PPF)('quantile with %i df at p=%f matches scipy', (df, p, want) => {
    expect(Math.abs(studentTQuantile(p, df) - want)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
  });

  it.each(CDF)('cdf with %i df at %f matches scipy', (df, x, want) => {
    expect(Math.abs(studentTCdf(x, df) - want)).toBeLessThan(1e-12);
  });

  it('quantile matches closed forms for 1, 2 and 3 df (scipy 1.10 is off by 3.5e-9 at df=3, p=0.9)', () => {
    for (const p of [0.6, 0.9, 0.975, 0.995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 12);
      const t = studentTQuantile(p, 3);
      const cdf3 = 0.5 + (t / Math.sqrt(3) / (1 + (t * t) / 3) + Math.atan(t / Math.sqrt(3))) / Math.PI;
      expect(cdf3).toBeCloseTo(p, 14);
    }
  });

  it('quantile and cdf are inverse, symmetric, and the median is 0', () => {
    for (const df of [1, 3, 14, 59]) {
      for (const p of [0.01, 0.2, 0.6, 0.995]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 12);
      expect(studentTQuantile(0.5, df)).toBe(0);
      expect(studentTQuantile(0.1, df)).toBeCloseTo(-studentTQuantile(0.9, df), 12);
    }
    expect(() => studentTQuantile(1, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.5, 0)).toThrow(RangeError);
  });

  it('log-gamma and the incomplete beta match closed forms', () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    // I_x(1, b) = 1 - (1-x)^b; I_x(a, 1) = x^a
    expect(incompleteBeta(0.3, 1, 4)).toBeCloseTo(1 - 0.7 ** 4, 13);
    expect(incompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 13);
  });
});
