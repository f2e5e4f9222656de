import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { rocAuc } from '../../../src/metrics/index.js';
import { loadModel } from '../../../src/models/io.js';
import { createMlp, FittedMlp } from '../../../src/models/mlp.js';
import { setupTf } from '../../../src/models/tf-backend.js';
import { heStd, initMlpParams, PRELU_INIT } from '../../../src/models/mlp-params.js';
import { blobs, RARE, truth } from './problems.js';

/** Sample standard deviation around 0 (the weights' mean is 0 by construction). */
function rms(w: Float32Array): number {
  let s = 0;
  for (const v of w) s += v * v;
  return Math.sqrt(s / w.length);
}

describe('mlp initialisation (He et al. 2015 for PReLU)', () => {
  it('each layer has std = sqrt(2 / ((1 + a^2) fan_in)), a = 0.25, and PReLU slopes 0.25', () => {
    const sizes = [64, 256, 128, 1];
    const p = initMlpParams(sizes, 'prelu', createRng(9).fork('init'));
    for (let l = 0; l < 3; l++) {
      const want = Math.sqrt(2 / ((1 + 0.25 ** 2) * sizes[l]));
      expect(heStd(sizes[l], 'prelu')).toBeCloseTo(want, 12);
      // n >= 128 draws: the sample std is within ~4 standard errors (sqrt(1 / 2n) relative)
      const tol = 4 * Math.sqrt(1 / (2 * p.weights[l].length));
      expect(Math.abs(rms(p.weights[l]) / want - 1)).toBeLessThan(tol);
      let mean = 0;
      for (const v of p.weights[l]) mean += v;
      expect(Math.abs(mean / p.weights[l].length)).toBeLessThan((4 * want) / Math.sqrt(p.weights[l].length));
      expect(p.biases[l].every((b) => b === 0)).toBe(true);
    }
    expect(p.alphas[0].every((a) => a === PRELU_INIT)).toBe(true);
    expect(p.alphas[1]).toHaveLength(128);
    expect(p.alphas[2]).toHaveLength(0);
  });

  it('relu uses sqrt(2 / fan_in), which the PReLU std is smaller than', () => {
    const p = initMlpParams([100, 400, 1], 'relu', createRng(9));
    const want = Math.sqrt(2 / 100);
    expect(Math.abs(rms(p.weights[0]) / want - 1)).toBeLessThan(4 * Math.sqrt(1 / 80000));
    expect(heStd(100, 'prelu')).toBeLessThan(heStd(100, 'relu'));
    expect(p.alphas.every((a) => a.length === 0)).toBe(true);
  });

  for (const engine of ['simd', 'cpu'] as const) {
    it(`fit starts from that initialisation (a vanishing learning rate leaves it unchanged), ${engine} engine`, async () => {
      const data = blobs(120, 3, 5);
      const rng = createRng(21);
      const m = (await createMlp({ hidden: [8, 4], epochs: 1, learningRate: 1e-20, tfBackend: engine }).fit(data, rng, {
        positive: RARE,
      })) as FittedMlp;
      const init = initMlpParams([3, 8, 4, 1], 'prelu', createRng(21).fork('mlp/init'));
      for (let l = 0; l < 3; l++) expect(m.params.weights[l]).toEqual(init.weights[l]);
    });
  }
});

describe('mlp training', () => {
  const train = blobs(400, 4, 1);
  const test = blobs(300, 4, 2);
  const options = { hidden: [16, 8], epochs: 60 } as const;

  it('learns a separable problem (held-out ROC-AUC > 0.95), deterministically per seed', async () => {
    const a = await createMlp(options).fit(train, createRng(3), { positive: RARE });
    const b = await createMlp(options).fit(train, createRng(3), { positive: RARE });
    const sa = await a.predictProba(test);
    expect(rocAuc(truth(test), sa)).toBeGreaterThan(0.95);
    expect(await b.predictProba(test)).toEqual(sa);
    const c = await createMlp(options).fit(train, createRng(4), { positive: RARE });
    expect(await c.predictProba(test)).not.toEqual(sa);
  });

  it('relu and balanced class weights also learn it; balanced raises rare-class scores', async () => {
    const relu = await createMlp({ ...options, activation: 'relu' }).fit(train, createRng(3), { positive: RARE });
    expect(rocAuc(truth(test), await relu.predictProba(test))).toBeGreaterThan(0.95);
    const plain = await createMlp(options).fit(train, createRng(3), { positive: RARE });
    const bal = await createMlp({ ...options, classWeight: 'balanced' }).fit(train, createRng(3), { positive: RARE });
    const sb = await bal.predictProba(test);
    expect(rocAuc(truth(test), sb)).toBeGreaterThan(0.95);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(sb)).toBeGreaterThan(mean(await plain.predictProba(test)));
  });

  it('stops early on the validation loss and keeps the best epoch', async () => {
    const m = (await createMlp({ hidden: [16, 8], patience: 3, learningRate: 0.05 }).fit(train, createRng(3), {
      positive: RARE,
    })) as FittedMlp;
    expect(m.info!.epochs).toBeLessThan(200);
    expect(m.info!.epochs - m.info!.bestEpoch).toBe(3);
  });

  it('without early stopping trains on every row, ignores the validation fraction and keeps the last epoch', async () => {
    const o = { hidden: [8], epochs: 6, patience: 100, learningRate: 0.3 } as const;
    const off = (await createMlp({ ...o, earlyStopping: false, validationFraction: 0.5 }).fit(train, createRng(3), { positive: RARE })) as FittedMlp;
    const off2 = (await createMlp({ ...o, earlyStopping: false }).fit(train, createRng(3), { positive: RARE })) as FittedMlp;
    expect(off.info!.epochs).toBe(6);
    expect(off.params.weights).toEqual(off2.params.weights);
    // Early stopping on the training loss (fraction 0) sees the same rows and steps, but restores the best epoch.
    const on = (await createMlp({ ...o, validationFraction: 0 }).fit(train, createRng(3), { positive: RARE })) as FittedMlp;
    expect(on.info!.bestValidationLoss).toBe(off.info!.bestValidationLoss);
    if (on.info!.bestEpoch < 6) expect(on.params.weights).not.toEqual(off.params.weights);
    else expect(on.params.weights).toEqual(off.params.weights);
    // With the default 10% held out, the network differs.
    const held = (await createMlp({ ...o }).fit(train, createRng(3), { positive: RARE })) as FittedMlp;
    expect(held.params.weights).not.toEqual(off.params.weights);
  });

  it('leaves no tfjs tensors behind (tfjs engine)', async () => {
    const { tf } = await setupTf('wasm');
    const before = tf.memory().numTensors;
    await createMlp({ hidden: [8], epochs: 3, tfBackend: 'wasm' }).fit(train, createRng(3), { positive: RARE });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the simd engine takes the same steps as tfjs autograd + Adam (float32 rounding apart)', async () => {
    // Odd sizes exercise every SIMD tail: 5 inputs, layers of 18 and 7 units, batches of 33 rows.
    const data = blobs(300, 5, 8);
    for (const activation of ['prelu', 'relu'] as const) {
      const o = { hidden: [18, 7], epochs: 6, batchSize: 33, learningRate: 0.01, classWeight: 'balanced', activation } as const;
      const simd = (await createMlp(o).fit(data, createRng(5), { positive: RARE })) as FittedMlp;
      const tfjs = (await createMlp({ ...o, tfBackend: 'cpu' }).fit(data, createRng(5), { positive: RARE })) as FittedMlp;
      expect(simd.info!.backend).toBe('simd');
      expect(simd.info!.bestEpoch).toBe(tfjs.info!.bestEpoch);
      expect(simd.info!.bestValidationLoss).toBeCloseTo(tfjs.info!.bestValidationLoss, 5);
      for (const part of ['weights', 'biases', 'alphas'] as const) {
        simd.params[part].forEach((w, l) => {
          const t = tfjs.params[part][l];
          expect(w.length).toBe(t.length);
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i] - t[i]), `${activation} ${part}[${l}][${i}]`).toBeLessThan(1e-4);
        });
      }
      // A network whose weights moved: the comparison is not between two untouched copies.
      const init = initMlpParams([5, 18, 7, 1], activation, createRng(5).fork('mlp/init'));
      expect(Math.max(...simd.params.weights[0].map((w, i) => Math.abs(w - init.weights[0][i])))).toBeGreaterThan(1e-3);
    }
  });

  it('trains to the same bytes in a worker thread and in the calling thread', async () => {
    const o = { hidden: [16, 8], epochs: 8 } as const;
    const saved = process.env.REBALANCE_MLP_THREADS;
    try {
      process.env.REBALANCE_MLP_THREADS = '0';
      const here = (await createMlp(o).fit(train, createRng(9), { positive: RARE })) as FittedMlp;
      process.env.REBALANCE_MLP_THREADS = '2';
      const [w1, w2] = await Promise.all([createMlp(o).fit(train, createRng(9), { positive: RARE }), createMlp(o).fit(train, createRng(9), { positive: RARE })]);
      for (const w of [w1, w2] as FittedMlp[]) expect(w.params.weights).toEqual(here.params.weights);
      expect(await w1.predictProba(test)).toEqual(await here.predictProba(test));
    } finally {
      if (saved === undefined) delete process.env.REBALANCE_MLP_THREADS;
      else process.env.REBALANCE_MLP_THREADS = saved;
    }
  });

  it('saves and loads to identical scores', async () => {
    const m = await createMlp({ hidden: [8], epochs: 5 }).fit(train, createRng(3), { positive: RARE });
    const back = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.name).toBe('mlp');
    expect(await back.predictProba(test)).toEqual(await m.predictProba(test));
  });

  it('rejects bad options', () => {
    expect(() => createMlp({ hidden: [0] })).toThrow(expect.objectContaining({ code: 'REBALANCE_BAD_OPTION' }));
    expect(() => createMlp({ validationFraction: 1 })).toThrow(expect.objectContaining({ code: 'REBALANCE_BAD_OPTION' }));
  });
});
