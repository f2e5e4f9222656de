import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { DataError } from '../../../src/core/errors.js';
import { makeDataset } from '../../../src/dataset/make.js';
import { fitVdm, modeSmallest, smotenDefinition, vdmDistance, vdmNeighbors } from '../../../src/samplers/smoten.js';
import { rowsOfClass } from '../../../src/samplers/shared/rows.js';
import type { Dataset } from '../../../src/types.js';
import { ctxWith, expectWellFormed, planFor } from './smote-helpers.js';

function categorical(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const minority = i % 4 === 0;
    labels.push(minority ? 'rare' : 'common');
    a.push(minority ? rng.nextInt(2) : rng.nextInt(4));
    b.push(minority ? 2 + rng.nextInt(2) : rng.nextInt(3));
  }
  return makeDataset({ features: { a, b }, labels, featureKinds: { a: 'categorical', b: 'categorical' } });
}

describe('VDM', () => {
  it('matches a hand computation', () => {
    // feature f: value 0 -> classes [x, x, y] (P = 2/3, 1/3), value 1 -> [y] (P = 0, 1)
    const d = makeDataset({ features: { f: [0, 0, 0, 1] }, labels: ['x', 'x', 'y', 'y'], featureKinds: { f: 'categorical' } });
    const vdm = fitVdm(d);
    const l1 = Math.abs(2 / 3 - 0) + Math.abs(1 / 3 - 1);
    expect(vdmDistance(vdm, d, 0, 3)).toBeCloseTo(l1 * l1, 12);
    expect(vdmDistance(vdm, d, 0, 1)).toBe(0);
  });

  it('neighbours: self first, then the k nearest by (distance, index)', () => {
    const d = categorical(60, 3);
    const vdm = fitVdm(d);
    const rows = rowsOfClass(d.labels, d.classNames.indexOf('rare'));
    const k = 4;
    const nn = vdmNeighbors(vdm, d, rows, k);
    for (let q = 0; q < rows.length; q++) {
      expect(nn[q * (k + 1)]).toBe(rows[q]);
      const others = Array.from(rows).filter((r) => r !== rows[q]);
      others.sort((x, y) => vdmDistance(vdm, d, rows[q], x) - vdmDistance(vdm, d, rows[q], y) || x - y);
      expect(Array.from(nn.subarray(q * (k + 1) + 1, (q + 1) * (k + 1)))).toEqual(others.slice(0, k));
    }
  });

  it('mode takes the smallest code on ties', () => {
    expect(modeSmallest([3, 1, 3, 1, 2])).toBe(1);
    expect(modeSmallest([2, 2, 0])).toBe(2);
  });
});

describe('smoten sampler', () => {
  const d = categorical(80, 1);
  const rare = d.classNames.indexOf('rare');

  it('counts equal the plan; each value is the mode of the source and its k neighbours', async () => {
    const r = await smotenDefinition.create({}).fitResample(d, planFor(d, { rare: 60 }), createRng(2), ctxWith());
    expectWellFormed(d, r);
    const syn = r.synthetic!;
    expect(syn.nRows).toBe(40);
    const vdm = fitVdm(d);
    const rows = rowsOfClass(d.labels, rare);
    const nn = vdmNeighbors(vdm, d, rows, 5);
    for (let t = 0; t < syn.nRows; t++) {
      expect(syn.neighborRow[t]).toBe(-1);
      const q = Array.from(rows).indexOf(syn.sourceRow[t]);
      expect(q).toBeGreaterThanOrEqual(0);
      for (let f = 0; f < 2; f++) {
        const codes = Array.from(nn.subarray(q * 6, q * 6 + 6), (r) => d.features[f][r]);
        expect(syn.features[f][t]).toBe(modeSmallest(codes));
      }
    }
  });

  it('same seed same output', async () => {
    const a = await smotenDefinition.create({}).fitResample(d, planFor(d, { rare: 50 }), createRng(7), ctxWith());
    const b = await smotenDefinition.create({}).fitResample(d, planFor(d, { rare: 50 }), createRng(7), ctxWith());
    expect(Array.from(a.synthetic!.sourceRow)).toEqual(Array.from(b.synthetic!.sourceRow));
  });

  it('a non-categorical feature is a DataError naming it and suggesting smote-nc', async () => {
    const mixed = makeDataset({ features: { c: [0, 1, 0, 1, 0, 1, 0, 1], x: [0.5, 1, 2, 3, 4, 5, 6, 7] }, labels: [0, 0, 0, 0, 0, 0, 1, 1], featureKinds: { c: 'categorical' } });
    const e = await smotenDefinition.create({}).fitResample(mixed, planFor(mixed, { '1': 6 }), createRng(1), ctxWith()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).code).toBe('REBALANCE_NOT_CATEGORICAL');
    expect((e as DataError).message).toMatch(/'x'.*smote-nc/);
  });
});
