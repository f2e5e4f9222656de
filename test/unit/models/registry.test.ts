import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, UsageError } from '../../../src/core/errors.js';
import { createModel, modelNames } from '../../../src/models/registry.js';
import { setupTf } from '../../../src/models/tf-backend.js';

describe('model registry', () => {
  it('lists every model and builds each under its name', () => {
    expect(modelNames).toEqual(['logistic', 'mlp', 'knn', 'isolation-forest', 'gbdt', 'random-forest', 'balanced-random-forest', 'easy-ensemble', 'rus-boost']);
    for (const name of modelNames) expect(createModel(name).name).toBe(name);
  });

  it('rejects unknown names with UsageError REBALANCE_UNKNOWN_MODEL listing the valid ones', () => {
    expect(() => createModel('svm')).toThrow(UsageError);
    expect(() => createModel('svm')).toThrow(/unknown model 'svm'; expected one of logistic, mlp, knn, isolation-forest, gbdt, random-forest, balanced-random-forest, easy-ensemble, rus-boost/);
    expect(() => createModel('toString')).toThrow(expect.objectContaining({ code: 'REBALANCE_UNKNOWN_MODEL' }));
  });
});

describe('setupTf', () => {
  it('starts wasm by default and cpu on request', async () => {
    expect((await setupTf()).backend).toBe('wasm');
    const cpu = await setupTf('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(cpu.tf.getBackend()).toBe('cpu');
    expect((await setupTf('wasm')).tf.getBackend()).toBe('wasm');
  });

  it("'tensorflow' without @tensorflow/tfjs-node is BackendUnavailableError REBALANCE_TF_UNAVAILABLE naming the fix", async () => {
    const err = await setupTf('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err).toMatchObject({ code: 'REBALANCE_TF_UNAVAILABLE' });
    expect((err as Error).message).toContain('npm install @tensorflow/tfjs-node');
  });
});
