import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { evaluate } from '../../../src/evaluate/cross-validate.js';
import type { EvaluationResult } from '../../../src/evaluate/result.js';
import { PLOT_GEOMETRY, curvePlotSvg, escapeXml, prPlotSvg, rocPlotSvg } from '../../../src/evaluate/svg.js';
import { duplicateMinority, featureModel, knnClassifier, noiseData } from './fixtures.js';
import { parseXml, type XmlElement } from './xml.js';

const SAMPLERS = ['none', 'dup <&> "x"'];

function points(el: XmlElement): [number, number][] {
  return el.attributes.points.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

describe('svg plots', () => {
  let result: EvaluationResult;
  beforeAll(async () => {
    const data = noiseData(createRng(4), 150, 3, 0.2, 1.2);
    result = await evaluate(data, {
      samplers: SAMPLERS,
      models: ['knn5', 'feature0'],
      folds: 3,
      repeats: 1,
      positive: data.classNames.indexOf('pos'),
      threshold: 'default',
      rng: createRng(4),
      resample: duplicateMinority,
      createModel: (name) => (name === 'feature0' ? featureModel() : knnClassifier(5)),
      warn: () => {},
    });
  });

  it('draws one well-formed PR plot per model with a curve per sampler inside the plot area', () => {
    const { left, top, size } = PLOT_GEOMETRY;
    for (const model of ['knn5', 'feature0']) {
      const svg = prPlotSvg(result, model);
      const els = parseXml(svg);
      expect(els[0].name).toBe('svg');
      expect(els[0].attributes.viewBox).toBe(`0 0 ${PLOT_GEOMETRY.width} ${PLOT_GEOMETRY.height}`);
      const curves = els.filter((e) => e.name === 'polyline' && e.attributes.class === 'curve');
      expect(curves.map((c) => c.attributes['data-series'])).toEqual(SAMPLERS);
      for (const [i, c] of curves.entries()) {
        const row = result.results.find((r) => r.model === model && r.sampler === SAMPLERS[i])!;
        const pts = points(c);
        // Drawn as post steps: each data point, preceded by the corner (x_j, y_{j-1}).
        const n = row.pooled.pr.x.length;
        expect(n).toBeGreaterThan(3);
        expect(pts.length).toBe(2 * n - 1);
        for (const [t, [x, y]] of pts.entries()) {
          expect(x).toBeGreaterThanOrEqual(left);
          expect(x).toBeLessThanOrEqual(left + size);
          expect(y).toBeGreaterThanOrEqual(top);
          expect(y).toBeLessThanOrEqual(top + size);
          const j = Math.ceil(t / 2);
          const yj = t % 2 === 1 ? j - 1 : j;
          expect(x).toBeCloseTo(left + row.pooled.pr.x[j] * size, 1);
          expect(y).toBeCloseTo(top + (1 - row.pooled.pr.y[yj]) * size, 1);
        }
      }
      // Legend names each sampler with its AP; the baseline sits at the positive rate.
      const texts = els.filter((e) => e.name === 'text').map((e) => e.text);
      for (const s of SAMPLERS) {
        const row = result.results.find((r) => r.model === model && r.sampler === s)!;
        expect(texts).toContain(`${s} (AP ${row.pooled.prAuc!.toFixed(3)})`);
      }
      const ref = els.find((e) => e.attributes.class === 'reference')!;
      expect(Number(ref.attributes.y1)).toBeCloseTo(top + (1 - 0.2) * size, 1);
      expect(ref.attributes.y1).toBe(ref.attributes.y2);
      expect(texts).toContain('0.0');
      expect(texts).toContain('1.0');
      expect(texts).toContain('Recall');
    }
  });

  it('draws ROC plots with the chance diagonal and AUCs in the legend', () => {
    const svg = rocPlotSvg(result, 'feature0');
    const els = parseXml(svg);
    const ref = els.find((e) => e.attributes.class === 'reference')!;
    const { left, top, size } = PLOT_GEOMETRY;
    expect([ref.attributes.x1, ref.attributes.y1, ref.attributes.x2, ref.attributes.y2].map(Number)).toEqual([left, top + size, left + size, top]);
    const curves = els.filter((e) => e.name === 'polyline');
    expect(curves).toHaveLength(2);
    const first = points(curves[0]);
    expect(first[0]).toEqual([left, top + size]); // ROC starts at (0, 0)
    expect(first[first.length - 1]).toEqual([left + size, top]); // and ends at (1, 1)
    const row = result.results.find((r) => r.model === 'feature0' && r.sampler === 'none')!;
    expect(els.some((e) => e.text === `none (AUC ${row.pooled.rocAuc!.toFixed(3)})`)).toBe(true);
  });

  it('escapes text and clamps out-of-range points', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    const svg = curvePlotSvg({
      title: 'T & <t>',
      xLabel: 'x',
      yLabel: 'y',
      aucName: 'AUC',
      series: [{ name: '</svg>', x: [-1, 0.5, 2], y: [0.5, 1.5, -3], auc: null }],
      reference: { x1: 0, y1: 0, x2: 1, y2: 1, label: 'ref' },
    });
    const els = parseXml(svg);
    expect(els.find((e) => e.name === 'title')!.text).toBe('T & <t>');
    const pts = points(els.find((e) => e.name === 'polyline')!);
    const { left, top, size } = PLOT_GEOMETRY;
    expect(pts).toEqual([[left, top + size / 2], [left + size / 2, top], [left + size, top + size]]);
    expect(els.some((e) => e.text === '</svg> (AUC n/a)')).toBe(true);
  });

  it('has a checker that rejects malformed XML', () => {
    expect(() => parseXml('<svg><g></svg></g>')).toThrow(/does not match/);
    expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow();
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<svg a=1/>')).toThrow(/unquoted/);
    expect(() => parseXml('<svg>&nbsp;</svg>')).toThrow(/entity/);
    expect(() => parseXml('<svg/><svg/>')).toThrow(/second root/);
    expect(() => parseXml('<svg>')).toThrow(/unclosed/);
  });
});
