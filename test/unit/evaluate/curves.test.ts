import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { pooledCurves, thinCurve } from '../../../src/evaluate/curves.js';
import { averagePrecision, prCurve, rocAuc } from '../../../src/metrics/index.js';

describe('thinCurve', () => {
  it('keeps the ends and points at least minStep apart', () => {
    const x = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const y = x.map((v) => v * v);
    const t = thinCurve(x, y, 0.01);
    expect(t.x[0]).toBe(0);
    expect(t.x[t.x.length - 1]).toBe(1);
    expect(t.y[t.y.length - 1]).toBe(1);
    expect(t.x.length).toBeLessThan(220);
    expect(t.x.length).toBeGreaterThan(100);
    for (let i = 1; i < t.x.length - 1; i++) expect(Math.abs(t.x[i] - t.x[i - 1]) + Math.abs(t.y[i] - t.y[i - 1])).toBeGreaterThanOrEqual(0.01);
    expect(thinCurve([0, 0.5, NaN, 1], [0, 0.5, 1, 1])).toEqual({ x: [0, 0.5, 1], y: [0, 0.5, 1] });
  });
});

describe('pooledCurves', () => {
  it('carries the AUCs of the pooled scores and thinned curves ending where the full ones do', () => {
    const rng = createRng(1);
    const y = Uint8Array.from({ length: 5000 }, () => (rng.nextFloat() < 0.1 ? 1 : 0));
    const s = Float32Array.from(y, (v) => rng.nextFloat() + 0.5 * v);
    const p = pooledCurves(y, s);
    expect(p.prAuc).toBe(averagePrecision(y, s));
    expect(p.rocAuc).toBe(rocAuc(y, s));
    expect(p.positiveRate).toBeCloseTo(y.reduce((a, b) => a + b) / y.length, 12);
    const full = prCurve(y, s);
    expect(full.recall.length).toBeGreaterThan(4000);
    expect(p.pr.x.length).toBeLessThan(800);
    expect(p.pr.x[0]).toBe(full.recall[0]);
    expect(p.pr.y[p.pr.y.length - 1]).toBe(1);
    expect(p.roc.x[0]).toBe(0);
    expect(p.roc.y[p.roc.y.length - 1]).toBe(1);
  });

  it('gives null AUCs and empty curves when one class is missing', () => {
    const p = pooledCurves(new Uint8Array(4), Float32Array.from([0.1, 0.2, 0.3, 0.4]));
    expect(p).toEqual({ prAuc: null, rocAuc: null, positiveRate: 0, pr: { x: [], y: [] }, roc: { x: [], y: [] } });
  });
});
