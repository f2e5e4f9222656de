/**
 * Random forests on binned features (tree/gini-grower.ts), binary target "positive vs the rest".
 *
 * - `random-forest`: scikit-learn's RandomForestClassifier(n_estimators=100): each tree on a
 *   bootstrap of n rows (drawn with replacement: a row drawn k times weighs k), max_features
 *   'sqrt' (floor(sqrt(d)), at least 1) per node, gini on class-weighted counts, minSamplesLeaf 1,
 *   fully grown; score = mean over trees of the leaf's weighted positive share.
 * - `balanced-random-forest`: imbalanced-learn's BalancedRandomForestClassifier (0.10 defaults):
 *   each tree first under-samples every class to the smaller class's size (without replacement),
 *   then bootstraps that balanced subset.
 *
 * Thresholds are the 255-bin edges of tree/binning.ts (exact on features with at most 255
 * distinct values; quantile bins beyond), fitted once on the training rows and shared by the
 * trees. Missing values (NaN) are allowed: each split learns their side.
 */
import { UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import { balancedWeights, binaryTarget, checkFeatureCount, requireBothClasses } from './features.js';
import { envelope, readObjects, readStrings, type JsonObject } from './json.js';
import { applyBins, checkNoInfinity, fitBins, type FeatureBins } from './tree/binning.js';
import { GiniWorkspace, growGiniTree } from './tree/gini-grower.js';
import { describeTrain, type BinnedTrain } from './tree/grower.js';
import { addTreeOutput, featureBinsFromJSON, featureBinsToJSON, treeFromJSON, treeToJSON, type BinnedTree } from './tree/tree.js';
import { badModel } from './json.js';

export type ForestName = 'random-forest' | 'balanced-random-forest';

export interface RandomForestOptions {
  /** Trees (default 100). */
  readonly nEstimators?: number;
  /** Features per node: 'sqrt' (default), 'all', or a count. */
  readonly maxFeatures?: 'sqrt' | 'all' | number;
  /** Depth at most (default: none, fully grown). */
  readonly maxDepth?: number;
  /** Rows per leaf at least (default 1). */
  readonly minSamplesLeaf?: number;
  /** 'balanced' weighs each class by n / (2 n_class). */
  readonly classWeight?: 'balanced' | 'none';
}

/** Trees whose leaf values (positive shares) are averaged. */
export class FittedForest implements FittedClassifier {
  constructor(
    readonly name: ForestName,
    readonly featureNames: readonly string[],
    readonly bins: readonly FeatureBins[],
    readonly trees: readonly BinnedTree[],
  ) {}

  async predictProba(data: Dataset): Promise<Float32Array> {
    checkFeatureCount(this.name, data, this.featureNames.length);
    checkNoInfinity(this.name, data);
    const x = applyBins(data, this.bins);
    const sum = new Float64Array(data.nRows);
    for (const t of this.trees) addTreeOutput(t, x, data.nRows, sum);
    return Float32Array.from(sum, (s) => s / this.trees.length);
  }

  toJSON(): unknown {
    return { ...envelope(this.name, this.featureNames), bins: featureBinsToJSON(this.bins), trees: this.trees.map(treeToJSON) };
  }

  dispose(): void {}
}

export function forestFromJSON(name: ForestName, obj: JsonObject): FittedForest {
  const featureNames = readStrings(obj, 'featureNames');
  const bins = featureBinsFromJSON(readObjects(obj, 'bins'), featureNames.length);
  const trees = readObjects(obj, 'trees').map((t, k) => treeFromJSON(t, bins, k));
  if (trees.length === 0) badModel('expected at least one tree');
  trees.forEach((t, k) => {
    for (const v of t.value) if (v < 0 || v > 1) badModel(`tree ${k}: expected leaf values in [0, 1], found ${v}`);
  });
  return new FittedForest(name, featureNames, bins, trees);
}

/** Features examined per node for d features. */
export function featuresPerNode(maxFeatures: RandomForestOptions['maxFeatures'], d: number): number {
  if (maxFeatures === undefined || maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (maxFeatures === 'all') return d;
  return Math.min(d, maxFeatures);
}

/** Rows 0..n-1 of class `cls` (y). */
/**
 * The start of every tree ensemble's fit: finite features, the binary target (both classes
 * present), bins fitted on every row (seeded by `<name>/bins`) and the binned rows.
 */
export function binnedBinaryTrain(
  name: string,
  train: Dataset,
  positive: number,
  rng: Rng,
): { y: Uint8Array; n: number; bins: FeatureBins[]; binned: BinnedTrain } {
  checkNoInfinity(name, train);
  const y = binaryTarget(train.labels, positive);
  requireBothClasses(name, y);
  const n = train.nRows;
  const bins = fitBins(train, null, rng.fork(`${name}/bins`));
  return { y, n, bins, binned: describeTrain(applyBins(train, bins), n, bins) };
}

function rowsOf(y: Uint8Array, cls: number): Int32Array {
  let k = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === cls) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === cls) out[k++] = i;
  return out;
}

/**
 * Rows of a random under-sample balancing both classes to the smaller one's size (imblearn
 * RandomUnderSampler 'auto', without replacement), in ascending order.
 */
export function balancedSubset(pos: Int32Array, neg: Int32Array, rng: Rng): Int32Array {
  const k = Math.min(pos.length, neg.length);
  const out = new Int32Array(2 * k);
  let o = 0;
  for (const rows of [pos, neg]) {
    if (rows.length === k) {
      out.set(rows, o);
    } else {
      const idx = Int32Array.from(rows);
      for (let i = 0; i < k; i++) {
        const j = i + rng.nextInt(idx.length - i);
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      out.set(idx.subarray(0, k), o);
    }
    o += k;
  }
  return out.sort();
}

export function checkPositiveInt(model: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new UsageError('REBALANCE_BAD_OPTION', `${model}: expected ${name} to be a positive integer, got ${v}`);
  }
}

export function createForest(name: ForestName, options: RandomForestOptions = {}): Classifier {
  const nEstimators = options.nEstimators ?? 100;
  const minSamplesLeaf = options.minSamplesLeaf ?? 1;
  const maxDepth = options.maxDepth ?? null;
  checkPositiveInt(name, 'nEstimators', nEstimators);
  checkPositiveInt(name, 'minSamplesLeaf', minSamplesLeaf);
  if (maxDepth !== null) checkPositiveInt(name, 'maxDepth', maxDepth);
  const mf = options.maxFeatures;
  if (mf !== undefined && mf !== 'sqrt' && mf !== 'all') checkPositiveInt(name, 'maxFeatures', mf);
  const balance = name === 'balanced-random-forest';
  return {
    name,
    async fit(train: Dataset, rng: Rng, fitOptions: FitOptions): Promise<FittedClassifier> {
      const { y, n, bins, binned } = binnedBinaryTrain(name, train, fitOptions.positive, rng);
      const cw = options.classWeight === 'balanced' ? balancedWeights(y) : null;
      const pos = rowsOf(y, 1);
      const neg = rowsOf(y, 0);
      const params = { maxFeatures: featuresPerNode(mf, bins.length), maxDepth, minSamplesLeaf };
      const ws = new GiniWorkspace(n, bins.length);
      const w = new Float64Array(n);
      const trees: BinnedTree[] = [];
      let lastPause = Date.now();
      for (let t = 0; t < nEstimators; t++) {
        fitOptions.signal?.throwIfAborted();
        const r = rng.fork(`${name}/tree${t}`);
        w.fill(0);
        if (balance) {
          const subset = balancedSubset(pos, neg, r);
          for (let k = 0; k < subset.length; k++) w[subset[r.nextInt(subset.length)]] += 1;
        } else {
          for (let k = 0; k < n; k++) w[r.nextInt(n)] += 1;
        }
        if (cw) for (let i = 0; i < n; i++) w[i] *= cw[i];
        trees.push(growGiniTree(binned, ws, y, w, params, r));
        if (fitOptions.signal && Date.now() - lastPause > 100) {
          await new Promise((res) => setImmediate(res));
          lastPause = Date.now();
        }
      }
      return new FittedForest(name, train.featureNames, bins, trees);
    },
  };
}

export const createRandomForest = (o: RandomForestOptions = {}): Classifier => createForest('random-forest', o);
export const createBalancedRandomForest = (o: RandomForestOptions = {}): Classifier => createForest('balanced-random-forest', o);
