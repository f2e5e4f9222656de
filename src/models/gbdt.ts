/**
 * Histogram gradient boosting (scikit-learn's HistGradientBoostingClassifier / LightGBM) for the
 * binary target "positive class vs the rest": the baseline users actually run.
 *
 * Defaults as scikit-learn 1.2: maxIter 100, learningRate 0.1, maxLeafNodes 31, maxDepth none,
 * minSamplesLeaf 20, l2Regularization 0, min hessian 1e-3, at most 255 bins per feature (plus one
 * for missing values; thresholds from at most 200,000 rows), early stopping 'auto' (on when there
 * are more than 10,000 rows: a stratified 10% validation split, validation log loss, stop when
 * none of the last 10 iterations beat the one before them by more than 1e-7). Raw score starts at
 * the log-odds of the (weighted) positive share; each tree fits the logistic loss's gradients and
 * hessians, times the sample weights ('balanced' class weights, scalePosWeight on positive rows).
 * Missing values (NaN) are allowed: each split learns which side they take. Categorical features
 * split natively on category sets (see tree/grower.ts).
 *
 * Multi-class data (more than two classes in the training rows): scikit-learn's multinomial loss.
 * Raw scores start at the centred log of each class's (weighted) share; every iteration grows one
 * tree per class on the softmax gradients p_k - [y = k] and hessians p_k (1 - p_k) (times the
 * weights), and early stopping watches the multinomial log loss. The score is still the positive
 * class's probability (its softmax share). 'balanced' weighs each class by n / (K n_class).
 *
 * Saved model layout: binary models as before (baseline, trees); multinomial ones carry `loss:
 * 'multinomial'`, `classes` (K), `positive` (its index among the K outputs), `baselines` (K) and
 * trees in iteration order (tree t raises class t mod K), and no `baseline`, so an older reader
 * refuses them instead of misreading them.
 */
import { availableParallelism } from 'node:os';
import { BackendUnavailableError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import { balancedWeights, binaryTarget, checkFeatureCount, requireBothClasses } from './features.js';
import { badModel, envelope, readNumber, readNumbers, readObjects, readStrings, type JsonObject } from './json.js';
import { stratifiedHoldout } from './split.js';
import { applyBins, checkNoInfinity, fitBins, type FeatureBins } from './tree/binning.js';
import { describeTrain, growGradientTree, GrowerWorkspace, type GrowerParams } from './tree/grower.js';
import { PARALLEL_ROWS, WasmHistograms } from './tree/hist-wasm.js';
import { logisticGradients } from './tree/loss.js';
import { addTreeOutput, featureBinsFromJSON, featureBinsToJSON, treeFromJSON, treeToJSON, type BinnedTree } from './tree/tree.js';

export interface GbdtOptions {
  /** Boosting iterations (trees) at most (default 100). */
  readonly maxIter?: number;
  /** Shrinkage of each tree's values (default 0.1). */
  readonly learningRate?: number;
  /** Leaves per tree at most (default 31). */
  readonly maxLeafNodes?: number;
  /** Depth per tree at most (default: none). */
  readonly maxDepth?: number;
  /** Training rows per leaf at least (default 20). */
  readonly minSamplesLeaf?: number;
  /** L2 penalty on leaf values (default 0). */
  readonly l2Regularization?: number;
  /** 'auto' (default: on above 10,000 rows), or on/off. */
  readonly earlyStopping?: 'auto' | boolean;
  /** Validation share when early stopping (default 0.1). */
  readonly validationFraction?: number;
  /** Iterations without improvement before stopping (default 10). */
  readonly nIterNoChange?: number;
  /** 'balanced' weighs each class by n / (2 n_class). */
  readonly classWeight?: 'balanced' | 'none';
  /** Extra weight of positive rows (LightGBM's scale_pos_weight; default 1). */
  readonly scalePosWeight?: number;
  /**
   * Histogram engine: 'wasm' (the WebAssembly SIMD kernel, tree/hist-wasm.ts), 'typescript' (the
   * reference loop), or 'auto' (default: wasm, else typescript when it is not built or supported).
   * Both grow the same trees.
   */
  readonly engine?: 'auto' | 'wasm' | 'typescript';
  /**
   * Threads building the histograms of large nodes with the wasm engine (default: the available
   * cores, at most 8; 1 when the training set has fewer than 65,536 rows).
   */
  readonly threads?: number;
}

const TOL = 1e-7;
const MIN_HESSIAN = 1e-3;
const EARLY_STOP_ROWS = 10_000;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Weighted mean binary log loss of raw scores. */
function logLoss(raw: Float64Array, y: Uint8Array, w: Float64Array): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < raw.length; i++) {
    const z = raw[i];
    const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    s += w[i] * (sp - y[i] * z);
    sw += w[i];
  }
  return s / sw;
}

/** Weighted mean multinomial log loss (logsumexp(raw) - raw[y]) of K raw score arrays. */
function multinomialLoss(raw: readonly Float64Array[], y: Uint8Array, w: Float64Array): number {
  const K = raw.length;
  let s = 0;
  let sw = 0;
  for (let i = 0; i < y.length; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (raw[k][i] > max) max = raw[k][i];
    let e = 0;
    for (let k = 0; k < K; k++) e += Math.exp(raw[k][i] - max);
    s += w[i] * (max + Math.log(e) - raw[y[i]][i]);
    sw += w[i];
  }
  return s / sw;
}

/** The softmax of K raw score arrays into K probability arrays (all of length n). */
function softmax(raw: readonly Float64Array[], out: Float64Array[], n: number): void {
  const K = raw.length;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (raw[k][i] > max) max = raw[k][i];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(raw[k][i] - max);
      out[k][i] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) out[k][i] /= sum;
  }
}

/** scikit-learn's _should_stop on scores (higher is better), the first being the baseline's. */
export function shouldStop(scores: readonly number[], nIterNoChange: number, tol = TOL): boolean {
  const ref = nIterNoChange + 1;
  if (scores.length < ref) return false;
  const reference = scores[scores.length - ref] + tol;
  for (let k = scores.length - ref + 1; k < scores.length; k++) if (scores[k] > reference) return false;
  return true;
}

/** A multinomial gbdt's classes: K outputs, the positive class's index among them, K baselines. */
export interface GbdtSoftmax {
  readonly classes: number;
  readonly positive: number;
  readonly baselines: Float64Array;
}

export class FittedGbdt implements FittedClassifier {
  readonly name = 'gbdt';
  /**
   * Binary: `baseline` and one tree per iteration. Multinomial (`softmax` set): `baseline` unused
   * (NaN), K trees per iteration, tree t raising class t mod K.
   */
  constructor(
    readonly featureNames: readonly string[],
    readonly bins: readonly FeatureBins[],
    readonly baseline: number,
    readonly trees: readonly BinnedTree[],
    readonly softmax: GbdtSoftmax | null = null,
  ) {}

  /** Raw scores of every row: the log-odds of the positive class (also for a multinomial model). */
  rawScores(data: Dataset): Float64Array {
    if (!this.softmax) {
      const { x, n } = this.binned(data);
      const raw = new Float64Array(n).fill(this.baseline);
      for (const t of this.trees) addTreeOutput(t, x, n, raw);
      return raw;
    }
    const p = this.positiveProbability(data);
    return Float64Array.from(p, (q) => Math.log(q) - Math.log1p(-q));
  }

  /** Raw scores of each class (K arrays) of a multinomial model. */
  classScores(data: Dataset): Float64Array[] {
    const sm = this.softmax;
    if (!sm) throw new RangeError('gbdt: classScores needs a multinomial model');
    const { x, n } = this.binned(data);
    const raw = Array.from(sm.baselines, (b) => new Float64Array(n).fill(b));
    this.trees.forEach((t, i) => addTreeOutput(t, x, n, raw[i % sm.classes]));
    return raw;
  }

  private binned(data: Dataset): { x: Uint8Array; n: number } {
    checkFeatureCount(this.name, data, this.featureNames.length);
    checkNoInfinity(this.name, data);
    return { x: applyBins(data, this.bins), n: data.nRows };
  }

  private positiveProbability(data: Dataset): Float64Array {
    const sm = this.softmax!;
    const raw = this.classScores(data);
    const prob = raw.map((r) => new Float64Array(r.length));
    softmax(raw, prob, data.nRows);
    return prob[sm.positive];
  }

  async predictProba(data: Dataset): Promise<Float32Array> {
    if (this.softmax) return Float32Array.from(this.positiveProbability(data));
    const raw = this.rawScores(data);
    return Float32Array.from(raw, sigmoid);
  }

  toJSON(): unknown {
    const sm = this.softmax;
    const head = { ...envelope(this.name, this.featureNames) };
    if (!sm) return { ...head, baseline: this.baseline, bins: featureBinsToJSON(this.bins), trees: this.trees.map(treeToJSON) };
    return {
      ...head,
      loss: 'multinomial',
      classes: sm.classes,
      positive: sm.positive,
      baselines: Array.from(sm.baselines),
      bins: featureBinsToJSON(this.bins),
      trees: this.trees.map(treeToJSON),
    };
  }

  dispose(): void {}
}

export function gbdtFromJSON(obj: JsonObject): FittedGbdt {
  const featureNames = readStrings(obj, 'featureNames');
  const bins = featureBinsFromJSON(readObjects(obj, 'bins'), featureNames.length);
  const trees = readObjects(obj, 'trees').map((t, k) => treeFromJSON(t, bins, k));
  if (obj.loss === undefined) return new FittedGbdt(featureNames, bins, readNumber(obj, 'baseline'), trees);
  if (obj.loss !== 'multinomial') badModel(`expected 'loss' to be 'multinomial' or absent, found ${JSON.stringify(obj.loss)}`);
  const classes = readNumber(obj, 'classes', { int: true, min: 3, max: 255 });
  const positive = readNumber(obj, 'positive', { int: true, min: 0, max: classes - 1 });
  const baselines = readNumbers(obj, 'baselines', classes);
  if (trees.length % classes !== 0) badModel(`expected a multiple of ${classes} trees (one per class per iteration), found ${trees.length}`);
  return new FittedGbdt(featureNames, bins, NaN, trees, { classes, positive, baselines });
}

function checkOption(name: string, v: number, ok: boolean, expected: string): void {
  if (!ok || !Number.isFinite(v)) {
    throw new UsageError('REBALANCE_BAD_OPTION', `gbdt: expected ${name} to be ${expected}, got ${v}`);
  }
}

/** Sample weights of the binary target: class weights, then scalePosWeight on positive rows. */
export function sampleWeights(y: Uint8Array, classWeight: 'balanced' | 'none' | undefined, scalePosWeight: number): Float64Array {
  const w = classWeight === 'balanced' ? balancedWeights(y) : new Float64Array(y.length).fill(1);
  if (scalePosWeight !== 1) for (let i = 0; i < y.length; i++) if (y[i]) w[i] *= scalePosWeight;
  return w;
}

/**
 * Sample weights of a K-class target y (0..K-1): 'balanced' weighs class k by n / (K n_k), then
 * scalePosWeight multiplies the positive rows (yBin).
 */
export function multiclassWeights(y: Uint8Array, K: number, yBin: Uint8Array, classWeight: 'balanced' | 'none' | undefined, scalePosWeight: number): Float64Array {
  const n = y.length;
  const w = new Float64Array(n).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) counts[y[i]]++;
    for (let i = 0; i < n; i++) w[i] = n / (K * counts[y[i]]);
  }
  if (scalePosWeight !== 1) for (let i = 0; i < n; i++) if (yBin[i]) w[i] *= scalePosWeight;
  return w;
}

/** The WebAssembly histogram kernel for this fit, or null for the TypeScript loop. */
async function histogramKernel(engine: 'auto' | 'wasm' | 'typescript', m: number, d: number, nHists: number, threads: number): Promise<WasmHistograms | null> {
  if (engine === 'typescript') return null;
  try {
    const k = await WasmHistograms.create(m, d, nHists, m >= 2 * PARALLEL_ROWS ? threads : 1);
    if (!k && engine === 'wasm') {
      throw new BackendUnavailableError('REBALANCE_WASM_TOO_LARGE', `gbdt: expected the binned training data to fit 2 GiB of WebAssembly memory, it needs ${WasmHistograms.bytes(m, d, nHists)} bytes; use engine 'typescript'`);
    }
    return k;
  } catch (e) {
    if (engine === 'auto' && e instanceof BackendUnavailableError) return null;
    throw e;
  }
}

export function createGbdt(options: GbdtOptions = {}): Classifier {
  const maxIter = options.maxIter ?? 100;
  const learningRate = options.learningRate ?? 0.1;
  const maxLeafNodes = options.maxLeafNodes ?? 31;
  const maxDepth = options.maxDepth ?? null;
  const minSamplesLeaf = options.minSamplesLeaf ?? 20;
  const l2 = options.l2Regularization ?? 0;
  const validationFraction = options.validationFraction ?? 0.1;
  const nIterNoChange = options.nIterNoChange ?? 10;
  const scalePosWeight = options.scalePosWeight ?? 1;
  checkOption('maxIter', maxIter, Number.isInteger(maxIter) && maxIter >= 1, 'an integer >= 1');
  checkOption('learningRate', learningRate, learningRate > 0, 'a number > 0');
  checkOption('maxLeafNodes', maxLeafNodes, Number.isInteger(maxLeafNodes) && maxLeafNodes >= 2, 'an integer >= 2');
  if (maxDepth !== null) checkOption('maxDepth', maxDepth, Number.isInteger(maxDepth) && maxDepth >= 1, 'an integer >= 1');
  checkOption('minSamplesLeaf', minSamplesLeaf, Number.isInteger(minSamplesLeaf) && minSamplesLeaf >= 1, 'an integer >= 1');
  checkOption('l2Regularization', l2, l2 >= 0, 'a number >= 0');
  checkOption('validationFraction', validationFraction, validationFraction > 0 && validationFraction < 1, 'in (0, 1)');
  checkOption('nIterNoChange', nIterNoChange, Number.isInteger(nIterNoChange) && nIterNoChange >= 1, 'an integer >= 1');
  checkOption('scalePosWeight', scalePosWeight, scalePosWeight > 0, 'a number > 0');
  const engine = options.engine ?? 'auto';
  if (engine !== 'auto' && engine !== 'wasm' && engine !== 'typescript') {
    throw new UsageError('REBALANCE_BAD_OPTION', `gbdt: expected engine to be auto, wasm or typescript, got ${String(engine)}`);
  }
  const threads = options.threads ?? Math.min(8, availableParallelism());
  checkOption('threads', threads, Number.isInteger(threads) && threads >= 1, 'an integer >= 1');
  const params: GrowerParams = { maxLeafNodes, maxDepth, minSamplesLeaf, l2, minHessian: MIN_HESSIAN, learningRate };

  return {
    name: 'gbdt',
    async fit(train: Dataset, rng: Rng, fitOptions: FitOptions): Promise<FittedClassifier> {
      checkNoInfinity('gbdt', train);
      const yBin = binaryTarget(train.labels, fitOptions.positive);
      requireBothClasses('gbdt', yBin);
      // Classes present in the training rows: more than two -> multinomial loss.
      const counts = new Float64Array(train.classNames.length);
      for (let i = 0; i < train.nRows; i++) counts[train.labels[i]]++;
      const present: number[] = [];
      for (let c = 0; c < counts.length; c++) if (counts[c] > 0) present.push(c);
      const K = present.length > 2 ? present.length : 1;
      if (K > 255) {
        throw new UsageError('REBALANCE_BAD_OPTION', `gbdt: expected at most 255 classes in the training rows, found ${K}; group rare classes first`);
      }
      let yAll = yBin;
      if (K > 1) {
        const index = new Int32Array(counts.length);
        present.forEach((c, k) => (index[c] = k));
        yAll = Uint8Array.from(train.labels, (c) => index[c]);
      }
      const wAll = K > 1 ? multiclassWeights(yAll, K, yBin, options.classWeight, scalePosWeight) : sampleWeights(yBin, options.classWeight, scalePosWeight);
      const n = train.nRows;
      const early = options.earlyStopping === undefined || options.earlyStopping === 'auto' ? n > EARLY_STOP_ROWS : options.earlyStopping;
      let trainRows: Int32Array | null = null;
      let valRows: Int32Array | null = null;
      if (early) {
        const split = stratifiedHoldout(yAll, validationFraction, rng.fork('gbdt/validation'));
        trainRows = split.train;
        valRows = split.validation;
      }
      const pick = <T extends Uint8Array | Float64Array>(a: T, rows: Int32Array | null): T => {
        if (!rows) return a;
        const out = new (a.constructor as new (n: number) => T)(rows.length);
        for (let k = 0; k < rows.length; k++) out[k] = a[rows[k]];
        return out;
      };
      const y = pick(yAll, trainRows);
      const w = pick(wAll, trainRows);
      const m = y.length;
      const kernel = await histogramKernel(engine, m, train.features.length, maxLeafNodes + 2, threads);
      try {
      const bins = fitBins(train, trainRows, rng.fork('gbdt/bins'), kernel);
      if (kernel) {
        kernel.fillBins(train.features, bins, trainRows);
        kernel.prepareRows();
      }
      const binned = describeTrain(kernel ? kernel.x : applyBins(train, bins, trainRows), m, bins);
      const g = kernel?.g ?? new Float64Array(m);
      const h = kernel?.h ?? new Float64Array(m);
      const ws = new GrowerWorkspace(m, bins.length, kernel, kernel);
      const trees: BinnedTree[] = [];

      // Baselines: the log-odds of the weighted positive share, or the centred logs of the K shares.
      let sw = 0;
      const share = new Float64Array(Math.max(K, 2));
      for (let i = 0; i < m; i++) {
        sw += w[i];
        if (K > 1) share[y[i]] += w[i];
        else share[1] += w[i] * y[i];
      }
      const eps = Number.EPSILON;
      const baselines = new Float64Array(K);
      if (K === 1) {
        const prior = Math.min(1 - eps, Math.max(eps, share[1] / sw));
        baselines[0] = Math.log(prior / (1 - prior));
      } else {
        let meanLog = 0;
        for (let k = 0; k < K; k++) meanLog += Math.log(Math.min(1 - eps, Math.max(eps, share[k] / sw))) / K;
        for (let k = 0; k < K; k++) baselines[k] = Math.log(Math.min(1 - eps, Math.max(eps, share[k] / sw))) - meanLog;
      }
      // Binary fits on the kernel keep raw, y and w in its memory (its threads compute g and h).
      const onKernel = kernel !== null && K === 1;
      if (onKernel) {
        kernel.y.set(y);
        kernel.w.set(w);
      }
      const raw = Array.from(baselines, (b) => (onKernel ? kernel.raw : new Float64Array(m)).fill(b));
      const prob = K > 1 ? raw.map(() => new Float64Array(m)) : [];

      let xVal: Uint8Array | null = null;
      let yVal: Uint8Array | null = null;
      let wVal: Float64Array | null = null;
      let rawVal: Float64Array[] = [];
      const scores: number[] = [];
      const valLoss = (): number => (K > 1 ? multinomialLoss(rawVal, yVal!, wVal!) : logLoss(rawVal[0], yVal!, wVal!));
      if (valRows) {
        xVal = applyBins(train, bins, valRows);
        yVal = pick(yAll, valRows);
        wVal = pick(wAll, valRows);
        rawVal = Array.from(baselines, (b) => new Float64Array(valRows.length).fill(b));
        scores.push(-valLoss());
      }
      let lastPause = Date.now();
      for (let it = 0; it < maxIter; it++) {
        fitOptions.signal?.throwIfAborted();
        if (K > 1) softmax(raw, prob, m);
        for (let k = 0; k < K; k++) {
          if (onKernel) kernel.gradients();
          else if (K === 1) logisticGradients(raw[0], y, w, g, h, 0, m);
          else {
            const pk = prob[k];
            for (let i = 0; i < m; i++) {
              const p = pk[i];
              g[i] = (p - (y[i] === k ? 1 : 0)) * w[i];
              h[i] = p * (1 - p) * w[i];
            }
          }
          const tree = growGradientTree(binned, ws, g, h, raw[k], params);
          trees.push(tree);
          if (xVal) addTreeOutput(tree, xVal, rawVal[k].length, rawVal[k]);
        }
        if (xVal) {
          scores.push(-valLoss());
          if (shouldStop(scores, nIterNoChange)) break;
        }
        // Let the event loop turn (an abort signal is heard) every 100 ms or so.
        if (fitOptions.signal && Date.now() - lastPause > 100) {
          await new Promise((r) => setImmediate(r));
          lastPause = Date.now();
        }
      }
      if (K === 1) return new FittedGbdt(train.featureNames, bins, baselines[0], trees);
      return new FittedGbdt(train.featureNames, bins, NaN, trees, { classes: K, positive: present.indexOf(fitOptions.positive), baselines });
      } finally {
        kernel?.dispose();
      }
    },
  };
}
