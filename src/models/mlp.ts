/**
 * Multilayer perceptron for the rare class, trained by rebalance's WebAssembly SIMD kernels
 * (default, mlp-wasm.ts) or by tfjs on a chosen backend (the same network, loss and Adam).
 *
 * Architecture: standardized inputs -> Dense(h) -> PReLU (or ReLU) -> ... -> Dense(1) -> sigmoid,
 * hidden sizes default [64, 32]. Initialisation: He et al. 2015 for PReLU (see mlp-params.ts).
 * Training as scikit-learn's MLPClassifier where it applies: Adam (lr 1e-3, betas 0.9/0.999,
 * eps 1e-8), mini-batches of min(200, n), L2 penalty 1e-4 / 2 * ||W||^2 / batch, at most 200
 * epochs; plus early stopping on a stratified 10% validation split of the training rows
 * (patience 10 epochs, best weights restored) and optional 'balanced' class weights.
 *
 * Determinism: the initial weights, the validation split and every epoch's shuffle come from
 * the Rng passed to fit (no tfjs random ops, no Math.random), so one seed gives one network
 * on a given backend. Scoring runs in plain JS on the learned float32 parameters, so a fitted
 * model and its saved/loaded copy give identical scores.
 */
import type { Rng } from '../core/rng.js';
import { InterruptedError, UsageError } from '../core/errors.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import {
  checkFeatureCount,
  encodedWidth,
  packStandardized,
  scalerFromJSON,
  scalerToJSON,
  prepareBinaryFit,
  type Standardizer,
} from './features.js';
import {
  badModel,
  envelope,
  readEnum,
  readNumbers,
  readObjects,
  readStrings,
  toNumbers,
  type JsonObject,
} from './json.js';
import { initMlpParams, mlpForward, type MlpActivation, type MlpParams } from './mlp-params.js';
import { stratifiedHoldout } from './split.js';
import { createMlpEngine } from './mlp-wasm.js';
import { setupTf, type TfBackendName } from './tf-backend.js';

/** The MLP's training engines: rebalance's own kernels, or tfjs on one of its backends. */
export type MlpEngineName = 'simd' | TfBackendName;
export const MLP_ENGINES: readonly MlpEngineName[] = ['simd', 'wasm', 'cpu', 'webgpu', 'tensorflow'];

export interface MlpOptions {
  /** Hidden layer sizes (default [64, 32]). */
  readonly hidden?: readonly number[];
  readonly activation?: MlpActivation;
  readonly classWeight?: 'balanced' | 'none';
  /** Maximum epochs (default 200). */
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Epochs without validation-loss improvement before stopping (default 10). */
  readonly patience?: number;
  /**
   * Early stopping as scikit-learn's MLPClassifier(early_stopping=...). true (default): hold out
   * `validationFraction` of the training rows (stratified), stop after `patience` epochs without
   * a better validation loss and restore the best epoch's weights. false: train on every row,
   * stop after `patience` epochs without a better training loss (sklearn's n_iter_no_change)
   * or at `epochs`, and keep the last epoch's weights.
   */
  readonly earlyStopping?: boolean;
  /** Fraction of training rows held out for early stopping (default 0.1; 0: the training loss decides). Ignored without early stopping. */
  readonly validationFraction?: number;
  /** L2 penalty (scikit-learn's alpha, default 1e-4). */
  readonly l2?: number;
  /**
   * Training engine: 'simd' (default) runs whole epochs in rebalance's WebAssembly SIMD kernels
   * (mlp-wasm.ts); a tfjs backend name trains through tfjs on that backend.
   */
  readonly tfBackend?: MlpEngineName;
  /** One-line notices (backend fallback), for stderr. */
  readonly log?: (message: string) => void;
}

export interface MlpTrainingInfo {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValidationLoss: number;
  readonly backend: string;
}

/** A fitted network: standardizer + parameters; scores with the pure-JS forward pass. */
export class FittedMlp implements FittedClassifier {
  readonly name = 'mlp';
  constructor(
    readonly featureNames: readonly string[],
    readonly scaler: Standardizer,
    readonly params: MlpParams,
    readonly info?: MlpTrainingInfo,
  ) {}

  async predictProba(data: Dataset): Promise<Float32Array> {
    checkFeatureCount(this.name, data, this.featureNames.length);
    return mlpForward(this.params, packStandardized(data, this.scaler, Float32Array), data.nRows);
  }

  toJSON(): unknown {
    return {
      ...envelope(this.name, this.featureNames),
      activation: this.params.activation,
      sizes: [...this.params.sizes],
      ...scalerToJSON(this.scaler),
      layers: this.params.weights.map((w, l) => ({
        weights: toNumbers(w),
        bias: toNumbers(this.params.biases[l]),
        alpha: toNumbers(this.params.alphas[l]),
      })),
    };
  }

  dispose(): void {}
}

/** Rebuilds a FittedMlp from its JSON object (envelope already checked). */
export function mlpFromJSON(obj: JsonObject): FittedMlp {
  const featureNames = readStrings(obj, 'featureNames');
  const scaler = scalerFromJSON(obj, featureNames.length, readNumbers, badModel);
  const d = encodedWidth(scaler);
  const activation = readEnum(obj, 'activation', ['prelu', 'relu'] as const);
  const sizes = Array.from(readNumbers(obj, 'sizes'));
  if (sizes.length < 2 || sizes[0] !== d || sizes[sizes.length - 1] !== 1 || sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 1e5)) {
    badModel(`expected 'sizes' = [${d} inputs, hidden sizes..., 1], found [${sizes.join(', ')}]`);
  }
  const layers = readObjects(obj, 'layers');
  if (layers.length !== sizes.length - 1) badModel(`expected ${sizes.length - 1} layers, found ${layers.length}`);
  const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);
  const params: MlpParams = {
    sizes,
    activation,
    weights: layers.map((layer, l) => f32(readNumbers(layer, 'weights', sizes[l] * sizes[l + 1]))),
    biases: layers.map((layer, l) => f32(readNumbers(layer, 'bias', sizes[l + 1]))),
    alphas: layers.map((layer, l) =>
      f32(readNumbers(layer, 'alpha', activation === 'prelu' && l + 2 < sizes.length ? sizes[l + 1] : 0)),
    ),
  };
  return new FittedMlp(featureNames, scaler, params);
}

function checkOptions(o: MlpOptions): void {
  const hidden = o.hidden ?? [64, 32];
  if (hidden.length === 0 || hidden.some((h) => !Number.isInteger(h) || h < 1)) {
    throw new UsageError('REBALANCE_BAD_OPTION', `mlp: expected hidden layer sizes as positive integers, got [${hidden.join(', ')}]; e.g. --hidden 64,32`);
  }
  const positiveInt = (name: string, v: number | undefined): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new UsageError('REBALANCE_BAD_OPTION', `mlp: expected ${name} to be a positive integer, got ${v}`);
    }
  };
  positiveInt('epochs', o.epochs);
  positiveInt('batchSize', o.batchSize);
  positiveInt('patience', o.patience);
  const vf = o.validationFraction;
  if (vf !== undefined && !(vf >= 0 && vf < 1)) {
    throw new UsageError('REBALANCE_BAD_OPTION', `mlp: expected validationFraction in [0, 1), got ${vf}`);
  }
}

/** The MLP Classifier. */
export function createMlp(options: MlpOptions = {}): Classifier {
  checkOptions(options);
  const hidden = [...(options.hidden ?? [64, 32])];
  const activation = options.activation ?? 'prelu';
  return {
    name: 'mlp',
    async fit(train: Dataset, rng: Rng, fit: FitOptions): Promise<FittedClassifier> {
      const { y: yAll, scaler, x: xAll, s: sAll, d } = prepareBinaryFit('mlp', train, fit.positive, options.classWeight, Float32Array);
      const sizes = [d, ...hidden, 1];
      const init = initMlpParams(sizes, activation, rng.fork('mlp/init'));
      const fraction = options.earlyStopping === false ? 0 : (options.validationFraction ?? 0.1);
      const split = stratifiedHoldout(yAll, fraction, rng.fork('mlp/split'));
      const { params, info } = await trainNetwork(
        { x: xAll, y: yAll, s: sAll, d, train: split.train, validation: split.validation },
        init,
        options,
        rng.fork('mlp/shuffle'),
        fit.signal,
      );
      return new FittedMlp(train.featureNames, scaler, params, info);
    },
  };
}

interface TrainingData {
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly s: Float64Array;
  readonly d: number;
  readonly train: Int32Array;
  readonly validation: Int32Array;
}

/** One way of running the epochs: the WebAssembly SIMD kernels or tfjs. */
interface TrainingEngine {
  /** Backend name recorded in the model's training info. */
  readonly backend: string;
  /**
   * Trains one epoch over the training rows at these positions of data.train, in this order;
   * resolves to the early-stopping loss (validation rows, or the training rows when there are none).
   */
  epoch(order: Int32Array): Promise<number>;
  snapshot(): Promise<Pick<MlpParams, 'weights' | 'biases' | 'alphas'>>;
  dispose(): void;
}

/** Adam on shuffled mini-batches from `init`; returns the parameters of the best validation epoch. */
async function trainNetwork(
  data: TrainingData,
  init: MlpParams,
  options: MlpOptions,
  shuffleRng: Rng,
  signal: AbortSignal | undefined,
): Promise<{ params: MlpParams; info: MlpTrainingInfo }> {
  const engine = (options.tfBackend ?? 'simd') === 'simd' ? await simdEngine(data, init, options) : await tfjsEngine(data, init, options);
  const maxEpochs = options.epochs ?? 200;
  const patience = options.patience ?? 10;
  const nTr = data.train.length;
  let best: Pick<MlpParams, 'weights' | 'biases' | 'alphas'> | undefined;
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let wait = 0;
  let epoch = 0;
  const perm = new Int32Array(nTr);
  try {
    best = await engine.snapshot();
    for (epoch = 1; epoch <= maxEpochs; epoch++) {
      if (signal?.aborted) throw new InterruptedError('mlp training interrupted');
      for (let i = 0; i < nTr; i++) perm[i] = i;
      for (let i = nTr - 1; i > 0; i--) {
        const j = shuffleRng.nextInt(i + 1);
        const t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      const vLoss = await engine.epoch(perm);
      if (vLoss < bestLoss - 1e-4 * Math.max(1, Math.abs(bestLoss === Infinity ? 0 : bestLoss))) {
        bestLoss = vLoss;
        bestEpoch = epoch;
        best = await engine.snapshot();
        wait = 0;
      } else if (++wait >= patience) {
        break;
      }
      // Let other work (progress, signals) run between epochs.
      if (epoch % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    // Without early stopping scikit-learn keeps the last epoch's weights.
    if (options.earlyStopping === false) best = await engine.snapshot();
  } finally {
    engine.dispose();
  }
  if (!best) throw new Error('mlp: no parameters'); // unreachable: the first snapshot precedes the loop
  return {
    params: { sizes: init.sizes, activation: init.activation, ...best },
    info: { epochs: Math.min(epoch, maxEpochs), bestEpoch, bestValidationLoss: bestLoss, backend: engine.backend },
  };
}

/** The default engine: whole epochs inside rebalance's WebAssembly SIMD kernels (mlp-wasm.ts). */
async function simdEngine(data: TrainingData, init: MlpParams, options: MlpOptions): Promise<TrainingEngine> {
  const held = data.validation.length > 0 ? data.validation : data.train;
  const engine = await createMlpEngine(init, { ...data, held }, {
    batch: options.batchSize ?? 200,
    learningRate: options.learningRate ?? 1e-3,
    l2: options.l2 ?? 1e-4,
  });
  const rows = new Int32Array(data.train.length);
  return {
    backend: 'simd',
    epoch(order) {
      for (let i = 0; i < order.length; i++) rows[i] = data.train[order[i]];
      return engine.epoch(rows);
    },
    snapshot: () => engine.snapshot(),
    dispose: () => engine.dispose(),
  };
}

/** The tfjs engine (`--tf-backend wasm|cpu|webgpu|tensorflow`): autograd and tfjs's Adam per batch. */
async function tfjsEngine(data: TrainingData, init: MlpParams, options: MlpOptions): Promise<TrainingEngine> {
  const { tf, backend } = await setupTf(options.tfBackend as TfBackendName, options.log);
  const { sizes, activation } = init;
  const d = data.d;
  const l2 = options.l2 ?? 1e-4;
  const nTr = data.train.length;
  const batch = Math.min(options.batchSize ?? 200, nTr);
  const rows = (idx: Int32Array) => {
    const x = new Float32Array(idx.length * d);
    const y = new Float32Array(idx.length);
    const s = new Float32Array(idx.length);
    idx.forEach((r, i) => {
      x.set(data.x.subarray(r * d, r * d + d), i * d);
      y[i] = data.y[r];
      s[i] = data.s[r];
    });
    return { x: tf.tensor2d(x, [idx.length, d]), y: tf.tensor2d(y, [idx.length, 1]), s: tf.tensor2d(s, [idx.length, 1]) };
  };
  const tr = rows(data.train);
  // Without a validation split (tiny data or fraction 0) the training loss drives early stopping.
  const va = data.validation.length > 0 ? rows(data.validation) : tr;

  const layers = sizes.length - 1;
  // tidy releases the initial-value tensors (a variable shares their data, it does not own them)
  const W = init.weights.map((w, l) => tf.tidy(() => tf.variable(tf.tensor2d(w, [sizes[l], sizes[l + 1]]))));
  const B = init.biases.map((b) => tf.tidy(() => tf.variable(tf.tensor1d(b))));
  const A = init.alphas.map((a) => (a.length ? tf.tidy(() => tf.variable(tf.tensor1d(a))) : null));
  const trainable = [...W, ...B, ...A.filter((a): a is NonNullable<typeof a> => a !== null)];

  type T2 = ReturnType<typeof tf.tensor2d>;
  const logits = (x: T2): T2 => {
    let h: T2 = x;
    for (let l = 0; l < layers; l++) {
      h = tf.add(tf.matMul(h, W[l]), B[l]) as T2;
      if (l + 1 < layers) h = (activation === 'prelu' ? tf.prelu(h, A[l]! as unknown as T2) : tf.relu(h)) as T2;
    }
    return h;
  };
  // Weighted binary cross-entropy from logits (numerically stable form).
  const lossOf = (x: T2, y: T2, s: T2, withPenalty: boolean) => {
    const z = logits(x);
    const ce = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    let loss = tf.mean(tf.mul(ce, s));
    if (withPenalty && l2 > 0) {
      let sq = tf.scalar(0);
      for (const w of W) sq = tf.add(sq, tf.sum(tf.square(w)));
      loss = tf.add(loss, tf.mul(sq, (0.5 * l2) / x.shape[0]));
    }
    return loss as ReturnType<typeof tf.scalar>;
  };

  const optimizer = tf.train.adam(options.learningRate ?? 1e-3, 0.9, 0.999, 1e-8);
  return {
    backend,
    async epoch(order) {
      for (let start = 0; start < nTr; start += batch) {
        const idx = tf.tensor1d(order.subarray(start, Math.min(nTr, start + batch)), 'int32');
        optimizer.minimize(
          () => lossOf(tf.gather(tr.x, idx) as T2, tf.gather(tr.y, idx) as T2, tf.gather(tr.s, idx) as T2, true),
          false,
          trainable,
        );
        idx.dispose();
      }
      return tf.tidy(() => lossOf(va.x, va.y, va.s, false).dataSync()[0]);
    },
    snapshot: async () => ({
      weights: W.map((v) => Float32Array.from(v.dataSync())),
      biases: B.map((v) => Float32Array.from(v.dataSync())),
      alphas: A.map((v) => (v ? Float32Array.from(v.dataSync()) : new Float32Array(0))),
    }),
    dispose() {
      optimizer.dispose();
      for (const v of trainable) v.dispose();
      for (const t of [tr.x, tr.y, tr.s]) t.dispose();
      if (va !== tr) for (const t of [va.x, va.y, va.s]) t.dispose();
    },
  };
}
