/**
 * `easy-ensemble`: imbalanced-learn 0.10's EasyEnsembleClassifier(n_estimators=10) for the binary
 * target "positive vs the rest": 10 AdaBoostClassifier(50 stumps, SAMME.R, learning rate 1),
 * each on its own random under-sample that balances the classes (without replacement); score =
 * mean of their probabilities. Stumps come from tree/gini-grower.ts (maxDepth 1, every feature)
 * on the binned features of tree/binning.ts.
 *
 * (`rus-boost`, rus-boost.ts, is one AdaBoost over all rows with a fresh under-sample per round;
 * its fitted model is a FittedStumpEnsemble with one boost.)
 *
 * SAMME.R (scikit-learn 1.2): a stump gives p = its leaf's weighted positive share (clipped to
 * [eps, 1 - eps] per class); a row's weight is multiplied by exp(-lr/2 * (log p_true - log p_other))
 * (not after the last round), weights renormalised and clipped to >= eps each round; boosting
 * stops early when a stump makes no weighted error. An AdaBoost's probability is
 * sigmoid(mean over its stumps of log p - log(1 - p)).
 */
import { UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import { checkFeatureCount } from './features.js';
import { badModel, envelope, readObjects, readStrings, type JsonObject } from './json.js';
import { balancedSubset, binnedBinaryTrain, checkPositiveInt } from './random-forest.js';
import { applyBins, checkNoInfinity, type FeatureBins } from './tree/binning.js';
import { GiniWorkspace, growGiniTree } from './tree/gini-grower.js';
import { type BinnedTrain } from './tree/grower.js';
import { addTreeOutput, featureBinsFromJSON, featureBinsToJSON, treeFromJSON, treeToJSON, type BinnedTree } from './tree/tree.js';

export type StumpEnsembleName = 'easy-ensemble' | 'rus-boost';

export interface BoostedStumpsOptions {
  /** AdaBoost ensembles (default 10). */
  readonly nEstimators?: number;
  /** Boosting rounds of each AdaBoost (default 50). */
  readonly maxIter?: number;
  /** AdaBoost learning rate (default 1). */
  readonly learningRate?: number;
}

const EPS = Number.EPSILON;

/** log p1 - log p0 of a stump's positive share, both clipped to >= eps as scikit-learn does. */
function logOdds(p1: number): number {
  return Math.log(Math.max(p1, EPS)) - Math.log(Math.max(1 - p1, EPS));
}

export class FittedStumpEnsemble implements FittedClassifier {
  constructor(
    readonly name: StumpEnsembleName,
    readonly featureNames: readonly string[],
    readonly bins: readonly FeatureBins[],
    /** One array of stumps per AdaBoost. */
    readonly boosts: readonly (readonly BinnedTree[])[],
  ) {}

  async predictProba(data: Dataset): Promise<Float32Array> {
    checkFeatureCount(this.name, data, this.featureNames.length);
    checkNoInfinity(this.name, data);
    const n = data.nRows;
    const x = applyBins(data, this.bins);
    const out = new Float64Array(n);
    const dec = new Float64Array(n);
    for (const stumps of this.boosts) {
      dec.fill(0);
      for (const s of stumps) addTreeOutput(logOddsTree(s), x, n, dec);
      for (let i = 0; i < n; i++) out[i] += 1 / (1 + Math.exp(-dec[i] / stumps.length));
    }
    return Float32Array.from(out, (v) => v / this.boosts.length);
  }

  toJSON(): unknown {
    return {
      ...envelope(this.name, this.featureNames),
      bins: featureBinsToJSON(this.bins),
      boosts: this.boosts.map((stumps) => ({ stumps: stumps.map(treeToJSON) })),
    };
  }

  dispose(): void {}
}

const logOddsCache = new WeakMap<BinnedTree, BinnedTree>();
/** The same tree with each leaf's positive share replaced by its clipped log-odds. */
function logOddsTree(t: BinnedTree): BinnedTree {
  let lt = logOddsCache.get(t);
  if (!lt) {
    lt = { ...t, value: Float64Array.from(t.value, (v, i) => (t.feature[i] < 0 ? logOdds(v) : 0)) };
    logOddsCache.set(t, lt);
  }
  return lt;
}

export function stumpEnsembleFromJSON(name: StumpEnsembleName, obj: JsonObject): FittedStumpEnsemble {
  const featureNames = readStrings(obj, 'featureNames');
  const bins = featureBinsFromJSON(readObjects(obj, 'bins'), featureNames.length);
  const boosts = readObjects(obj, 'boosts').map((b, k) => {
    const stumps = readObjects(b, 'stumps').map((t, j) => treeFromJSON(t, bins, k * 1000 + j));
    if (stumps.length === 0) badModel(`boost ${k} has no stumps`);
    for (const s of stumps) for (const v of s.value) if (v < 0 || v > 1) badModel(`boost ${k}: expected leaf values in [0, 1], found ${v}`);
    return stumps;
  });
  if (boosts.length === 0) badModel('expected at least one boost');
  return new FittedStumpEnsemble(name, featureNames, bins, boosts);
}

/**
 * One boosting round's look at its stump: `p1` gets the stump's positive-class probability of
 * every row, the result is the weighted share of rows it gets wrong (weights `sw`).
 */
export function stumpError(stump: BinnedTree, t: BinnedTrain, y: Uint8Array, sw: Float64Array, p1: Float64Array): number {
  const m = t.m;
  p1.fill(0);
  addTreeOutput(stump, t.x, m, p1);
  let err = 0;
  let wsum = 0;
  for (let i = 0; i < m; i++) {
    const pred = p1[i] > 1 - p1[i] ? 1 : 0;
    if (pred !== y[i]) err += sw[i];
    wsum += sw[i];
  }
  return err / wsum;
}

/** One SAMME.R AdaBoost over the rows with initial weight > 0 (`sw`, normalised here; modified). */
export function adaBoost(
  t: BinnedTrain,
  ws: GiniWorkspace,
  y: Uint8Array,
  sw: Float64Array,
  rounds: number,
  learningRate: number,
  rng: Rng,
): BinnedTree[] {
  const m = t.m;
  const zero = Uint8Array.from(sw, (v) => (v === 0 ? 1 : 0));
  let total = 0;
  for (let i = 0; i < m; i++) total += sw[i];
  for (let i = 0; i < m; i++) sw[i] /= total;
  const p1 = new Float64Array(m);
  const stumps: BinnedTree[] = [];
  const params = { maxFeatures: t.specs.length, maxDepth: 1, minSamplesLeaf: 1 };
  for (let it = 0; it < rounds; it++) {
    for (let i = 0; i < m; i++) sw[i] = zero[i] ? 0 : Math.max(sw[i], EPS);
    const stump = growGiniTree(t, ws, y, sw, params, rng.fork(`round${it}`));
    stumps.push(stump);
    if (stumpError(stump, t, y, sw, p1) <= 0) break;
    if (it === rounds - 1) break;
    let sum = 0;
    for (let i = 0; i < m; i++) {
      const lo = logOdds(p1[i]);
      const ew = -learningRate * 0.5 * (y[i] ? lo : -lo);
      if (sw[i] > 0 || ew < 0) sw[i] *= Math.exp(ew);
      sum += sw[i];
    }
    if (!(sum > 0) || !Number.isFinite(sum)) break;
    for (let i = 0; i < m; i++) sw[i] /= sum;
  }
  return stumps;
}

export function createStumpEnsemble(name: StumpEnsembleName, options: BoostedStumpsOptions = {}): Classifier {
  const nEstimators = options.nEstimators ?? 10;
  const rounds = options.maxIter ?? 50;
  const learningRate = options.learningRate ?? 1;
  checkPositiveInt(name, 'nEstimators', nEstimators);
  checkPositiveInt(name, 'maxIter', rounds);
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new UsageError('REBALANCE_BAD_OPTION', `${name}: expected learningRate to be a number > 0, got ${learningRate}`);
  }
  return {
    name,
    async fit(train: Dataset, rng: Rng, fitOptions: FitOptions): Promise<FittedClassifier> {
      const { y, n, bins, binned } = binnedBinaryTrain(name, train, fitOptions.positive, rng);
      const ws = new GiniWorkspace(n, bins.length);
      const pos = Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === 1));
      const neg = Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === 0));
      const boosts: BinnedTree[][] = [];
      const sw = new Float64Array(n);
      for (let e = 0; e < nEstimators; e++) {
        fitOptions.signal?.throwIfAborted();
        const r = rng.fork(`${name}/boost${e}`);
        sw.fill(0);
        for (const i of balancedSubset(pos, neg, r)) sw[i] = 1;
        boosts.push(adaBoost(binned, ws, y, sw, rounds, learningRate, r));
        await new Promise((res) => setImmediate(res));
      }
      return new FittedStumpEnsemble(name, train.featureNames, bins, boosts);
    },
  };
}

export const createEasyEnsemble = (o: BoostedStumpsOptions = {}): Classifier => createStumpEnsemble('easy-ensemble', o);
