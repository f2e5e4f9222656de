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
 * Multi-class data: like every rebalance model, gbdt scores one positive class against the rest
 * (a binary logistic loss), not a softmax over all classes.
 */
import { BackendUnavailableError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import { balancedWeights, binaryTarget, checkFeatureCount, requireBothClasses } from './features.js';
import { envelope, readNumber, readObjects, readStrings, type JsonObject } from './json.js';
import { stratifiedHoldout } from './split.js';
import { applyBins, checkNoInfinity, fitBins, type FeatureBins } from './tree/binning.js';
import { describeTrain, growGradientTree, GrowerWorkspace, type GrowerParams } from './tree/grower.js';
import { WasmHistograms } from './tree/hist-wasm.js';
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

/** scikit-learn's _should_stop on scores (higher is better), the first being the baseline's. */
export function shouldStop(scores: readonly number[], nIterNoChange: number, tol = TOL): boolean {
  const ref = nIterNoChange + 1;
  if (scores.length < ref) return false;
  const reference = scores[scores.length - ref] + tol;
  for (let k = scores.length - ref + 1; k < scores.length; k++) if (scores[k] > reference) return false;
  return true;
}

export class FittedGbdt implements FittedClassifier {
  readonly name = 'gbdt';
  constructor(
    readonly featureNames: readonly string[],
    readonly bins: readonly FeatureBins[],
    readonly baseline: number,
    readonly trees: readonly BinnedTree[],
  ) {}

  /** Raw scores (log-odds) of every row. */
  rawScores(data: Dataset): Float64Array {
    checkFeatureCount(this.name, data, this.featureNames.length);
    checkNoInfinity(this.name, data);
    const x = applyBins(data, this.bins);
    const raw = new Float64Array(data.nRows).fill(this.baseline);
    for (const t of this.trees) addTreeOutput(t, x, data.nRows, raw);
    return raw;
  }

  async predictProba(data: Dataset): Promise<Float32Array> {
    const raw = this.rawScores(data);
    return Float32Array.from(raw, sigmoid);
  }

  toJSON(): unknown {
    return {
      ...envelope(this.name, this.featureNames),
      baseline: this.baseline,
      bins: featureBinsToJSON(this.bins),
      trees: this.trees.map(treeToJSON),
    };
  }

  dispose(): void {}
}

export function gbdtFromJSON(obj: JsonObject): FittedGbdt {
  const featureNames = readStrings(obj, 'featureNames');
  const bins = featureBinsFromJSON(readObjects(obj, 'bins'), featureNames.length);
  const baseline = readNumber(obj, 'baseline');
  const trees = readObjects(obj, 'trees').map((t, k) => treeFromJSON(t, bins, k));
  return new FittedGbdt(featureNames, bins, baseline, trees);
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

/** The WebAssembly histogram kernel for this fit, or null for the TypeScript loop. */
async function histogramKernel(engine: 'auto' | 'wasm' | 'typescript', m: number, d: number, nHists: number): Promise<WasmHistograms | null> {
  if (engine === 'typescript') return null;
  try {
    const k = await WasmHistograms.create(m, d, nHists);
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
  const params: GrowerParams = { maxLeafNodes, maxDepth, minSamplesLeaf, l2, minHessian: MIN_HESSIAN, learningRate };

  return {
    name: 'gbdt',
    async fit(train: Dataset, rng: Rng, fitOptions: FitOptions): Promise<FittedClassifier> {
      checkNoInfinity('gbdt', train);
      const yAll = binaryTarget(train.labels, fitOptions.positive);
      requireBothClasses('gbdt', yAll);
      const wAll = sampleWeights(yAll, options.classWeight, scalePosWeight);
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
      const bins = fitBins(train, trainRows, rng.fork('gbdt/bins'));
      const kernel = await histogramKernel(engine, m, bins.length, maxLeafNodes + 2);
      const binned = describeTrain(applyBins(train, bins, trainRows, kernel?.x), m, bins);

      let sw = 0;
      let swy = 0;
      for (let i = 0; i < m; i++) {
        sw += w[i];
        swy += w[i] * y[i];
      }
      const eps = Number.EPSILON;
      const prior = Math.min(1 - eps, Math.max(eps, swy / sw));
      const baseline = Math.log(prior / (1 - prior));

      const raw = new Float64Array(m).fill(baseline);
      const g = kernel?.g ?? new Float64Array(m);
      const h = kernel?.h ?? new Float64Array(m);
      const ws = new GrowerWorkspace(m, bins.length, kernel, kernel);
      const trees: BinnedTree[] = [];

      let xVal: Uint8Array | null = null;
      let yVal: Uint8Array | null = null;
      let wVal: Float64Array | null = null;
      let rawVal: Float64Array | null = null;
      const scores: number[] = [];
      if (valRows) {
        xVal = applyBins(train, bins, valRows);
        yVal = pick(yAll, valRows);
        wVal = pick(wAll, valRows);
        rawVal = new Float64Array(valRows.length).fill(baseline);
        scores.push(-logLoss(rawVal, yVal, wVal));
      }
      let lastPause = Date.now();
      for (let it = 0; it < maxIter; it++) {
        fitOptions.signal?.throwIfAborted();
        for (let i = 0; i < m; i++) {
          const p = sigmoid(raw[i]);
          g[i] = (p - y[i]) * w[i];
          h[i] = p * (1 - p) * w[i];
        }
        const tree = growGradientTree(binned, ws, g, h, raw, params);
        trees.push(tree);
        if (rawVal && xVal && yVal && wVal) {
          addTreeOutput(tree, xVal, rawVal.length, rawVal);
          scores.push(-logLoss(rawVal, yVal, wVal));
          if (shouldStop(scores, nIterNoChange)) break;
        }
        // Let the event loop turn (an abort signal is heard) every 100 ms or so.
        if (fitOptions.signal && Date.now() - lastPause > 100) {
          await new Promise((r) => setImmediate(r));
          lastPause = Date.now();
        }
      }
      return new FittedGbdt(train.featureNames, bins, baseline, trees);
    },
  };
}
