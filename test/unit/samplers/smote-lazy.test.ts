/**
 * The lazy SMOTE block (source, neighbour, step per row; used by the streaming writer) describes
 * exactly the rows the eager block holds.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { classCounts } from '../../../src/dataset/make.js';
import { createNaiveBackend } from '../../../src/neighbors/naive.js';
import { smoteDefinition } from '../../../src/samplers/smote.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import { loadDataset } from '../../helpers/datasets.js';

describe('lazy SMOTE block', () => {
  it.each(['pima', 'glass'])('equals the eager block on %s', async (name) => {
    const data = loadDataset(name);
    const plan = resolveStrategy('auto', classCounts(data.labels, data.classNames.length), 'over', data.classNames);
    const knn = createNaiveBackend();
    const ctx = { knn, log: () => undefined };
    const eager = await smoteDefinition.create({}).fitResample(data, plan, createRng(9), ctx);
    const lazy = await smoteDefinition.create({}).fitResample(data, plan, createRng(9), { ...ctx, lazySynthetic: true });
    const e = eager.synthetic!;
    const l = lazy.synthetic!;
    expect(l.features).toEqual([]);
    expect(l.nRows).toBe(e.nRows);
    expect(l.labels).toEqual(e.labels);
    expect(l.sourceRow).toEqual(e.sourceRow);
    expect(l.neighborRow).toEqual(e.neighborRow);
    for (let i = 0; i < l.nRows; i++) {
      for (let j = 0; j < data.features.length; j++) {
        const col = data.features[j];
        const x = col[l.sourceRow[i]];
        expect(x + l.steps![i] * (col[l.neighborRow[i]] - x)).toBe(e.features[j][i]);
      }
    }
  });
});
