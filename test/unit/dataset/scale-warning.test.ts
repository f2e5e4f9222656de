import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../../src/dataset/make.js';
import { scaleWarning } from '../../../src/dataset/scale-warning.js';

describe('scaleWarning', () => {
  const labels = ['a', 'b', 'a', 'b'];
  it('names the widest and the narrowest feature when ranges differ by more than 100x', () => {
    const data = makeDataset({ features: { small: [0, 1, 0.5, 0.2], big: [0, 500, 1000, 3] }, labels });
    expect(scaleWarning(data, undefined)).toBe("feature ranges differ by 1000x ('big' vs 'small'): distances are dominated by the widest; consider --scale standard");
    expect(scaleWarning(data, 'none')).not.toBeNull();
    expect(scaleWarning(data, 'standard')).toBeNull();
  });

  it('is quiet within 100x, for constant features and for categorical codes', () => {
    expect(scaleWarning(makeDataset({ features: { a: [0, 1, 2, 3], b: [0, 100, 300, 3] }, labels }), undefined)).toBeNull();
    expect(scaleWarning(makeDataset({ features: { a: [0, 1, 2, 3], c: [7, 7, 7, 7] }, labels }), undefined)).toBeNull();
    const codes = makeDataset({ features: { a: [0, 1, 0, 1], b: [0, 999, 5, 6] }, labels, featureKinds: { b: 'categorical' }, categories: { b: Array.from({ length: 1000 }, (_, i) => `k${i}`) } });
    expect(codes.featureKinds[1]).toBe('categorical');
    expect(scaleWarning(codes, undefined)).toBeNull();
  });
});
