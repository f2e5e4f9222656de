import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { evaluate } from '../../../src/evaluate/cross-validate.js';
import { METRIC_NAMES, type EvaluationResult } from '../../../src/evaluate/result.js';
import { duplicateMinority, featureModel, knnClassifier, noiseData } from './fixtures.js';
import { validate } from './json-schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const schema = JSON.parse(readFileSync(resolve(here, '../../../docs/evaluate-schema.json'), 'utf8'));

describe('docs/evaluate-schema.json', () => {
  let result: EvaluationResult;
  beforeAll(async () => {
    const data = noiseData(createRng(9), 120, 3, 0.25, 1);
    result = await evaluate(data, {
      samplers: ['none', 'random-over'],
      models: ['knn3', 'feature0'],
      folds: 3,
      repeats: 2,
      positive: data.classNames.indexOf('pos'),
      threshold: 'best-f1',
      rng: createRng(9),
      seed: 9,
      resample: duplicateMinority,
      createModel: (name) => (name === 'feature0' ? featureModel() : knnClassifier(3)),
      warn: () => {},
    });
  });

  it('accepts the JSON text of a real result', () => {
    const json = JSON.parse(JSON.stringify(result));
    expect(validate(schema, json)).toEqual([]);
    // JSON round trip loses nothing: the result holds no NaN, Infinity or typed arrays.
    expect(json).toEqual(result);
  });

  it('accepts a result with failed setups and intervals', async () => {
    const { DataError } = await import('../../../src/core/errors.js');
    const data = noiseData(createRng(3), 120, 3, 0.25, 1);
    const r = await evaluate(data, {
      samplers: ['none', 'random-over', 'broken'],
      models: ['feature0'],
      folds: 3,
      repeats: 2,
      positive: data.classNames.indexOf('pos'),
      threshold: 'default',
      rng: createRng(3),
      resample: async (train, name, rng) => {
        if (name === 'broken') throw new DataError('REBALANCE_NO_CLUSTER', 'no cluster');
        return duplicateMinority(train, name, rng);
      },
      createModel: () => knnClassifier(3),
      warn: () => {},
    });
    expect(r.failed).toHaveLength(1);
    expect(r.verdict.setups.some((s) => s.vsBaseline !== null && s.vsBest !== null)).toBe(true);
    expect(validate(schema, JSON.parse(JSON.stringify(r)))).toEqual([]);
  });

  it('lists exactly the metrics the engine reports', () => {
    const metrics = schema.properties.results.items.properties.metrics;
    expect(Object.keys(metrics.properties)).toEqual([...METRIC_NAMES]);
    expect(metrics.required).toEqual([...METRIC_NAMES]);
  });

  it('rejects results that break the schema', () => {
    const json = JSON.parse(JSON.stringify(result));
    const broken = structuredClone(json);
    broken.schemaVersion = 1;
    delete broken.results[0].metrics.mcc;
    broken.results[1].rank = '2';
    broken.results[1].metrics.f1.folds[0] = 'x';
    broken.dataset.extra = true;
    broken.note = 'resampled everything';
    broken.verdict.setups[0].effect = 'maybe';
    broken.failed.push({ sampler: 'x', model: 'y', fold: 1 });
    expect(validate(schema, broken)).toEqual([
      '$.schemaVersion: expected one of [2], got 1',
      "$.dataset: unexpected property 'extra'",
      "$.results[0].metrics: missing required property 'mcc'",
      '$.results[1].metrics.f1.folds[0]: expected type number|null, got string',
      '$.results[1].rank: expected type integer, got string',
      "$.failed[0]: missing required property 'repeat'",
      "$.failed[0]: missing required property 'stage'",
      "$.failed[0]: missing required property 'code'",
      "$.failed[0]: missing required property 'message'",
      '$.verdict.setups[0].effect: expected one of ["helps","hurts","no evidence","baseline","no baseline","undefined"], got "maybe"',
      '$.note: expected one of ["only training folds were resampled; test folds are untouched"], got "resampled everything"',
    ]);
    expect(validate({ type: 'object', minProperties: 1 }, {})).toEqual(["$: schema uses unsupported keyword 'minProperties'"]);
  });
});
