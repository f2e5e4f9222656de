/**
 * Isolation forest (Liu, Ting & Zhou 2008; scikit-learn's IsolationForest): the unsupervised
 * anomaly baseline. Labels are not used to fit: a rare class that is also "odd" scores high
 * without any supervision, which tells whether a supervised model adds anything.
 *
 * Like scikit-learn: nEstimators = 100 trees, each on min(256, n) rows drawn without
 * replacement, grown to depth ceil(log2(maxSamples)); a node splits on a feature drawn at random
 * among those not constant in it, at a threshold uniform in [min, max) (rows <= threshold go
 * left). Score = 2^(-E[h(x)] / c(maxSamples)), h = depth of the leaf + c(rows in that leaf),
 * c(n) = 2 H(n - 1) - 2 (n - 1) / n: in (0, 1], higher = more anomalous (scikit-learn's
 * score_samples is its negation). Raw features (trees are scale-invariant).
 */
import type { Rng } from '../core/rng.js';
import { UsageError } from '../core/errors.js';
import type { Classifier, Dataset, FitOptions, FittedClassifier } from '../types.js';
import { checkFeatureCount, checkFinite } from './features.js';
import { badModel, envelope, readInts, readNumber, readNumbers, readObjects, readStrings, toNumbers, type JsonObject } from './json.js';

export interface IsolationForestOptions {
  /** Trees (default 100). */
  readonly nEstimators?: number;
  /** Rows per tree (default 256, clamped to n). */
  readonly maxSamples?: number;
}

/** One tree in flat arrays; feature -1 marks a leaf, whose `size` is its training row count. */
export interface IsolationTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly size: Int32Array;
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points (scikit-learn's _average_path_length). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Grows one isolation tree on `rows` of the columns `cols`. */
export function growTree(cols: readonly Float64Array[], rows: Int32Array, maxDepth: number, rng: Rng): IsolationTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const size: number[] = [];
  const d = cols.length;
  const candidates = new Int32Array(d);
  // Stack of (node id, start, end, depth) over a working copy of the row ids.
  const work = Int32Array.from(rows);
  const stack: [number, number, number, number][] = [];
  const newNode = (): number => {
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    size.push(0);
    return feature.length - 1;
  };
  stack.push([newNode(), 0, work.length, 0]);
  while (stack.length > 0) {
    const [node, start, end, depth] = stack.pop()!;
    const n = end - start;
    size[node] = n;
    if (n <= 1 || depth >= maxDepth) continue;
    // Draw features without replacement until one is not constant in this node.
    for (let j = 0; j < d; j++) candidates[j] = j;
    let remaining = d;
    let chosen = -1;
    let lo = 0;
    let hi = 0;
    while (remaining > 0) {
      const pick = rng.nextInt(remaining);
      const f = candidates[pick];
      candidates[pick] = candidates[remaining - 1];
      remaining--;
      const col = cols[f];
      lo = Infinity;
      hi = -Infinity;
      for (let i = start; i < end; i++) {
        const v = col[work[i]];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi > lo) {
        chosen = f;
        break;
      }
    }
    if (chosen < 0) continue;
    let t = lo + rng.nextFloat() * (hi - lo);
    if (t >= hi) t = lo;
    const col = cols[chosen];
    // Partition rows <= t to the front.
    let mid = start;
    for (let i = start; i < end; i++) {
      if (col[work[i]] <= t) {
        const tmp = work[i];
        work[i] = work[mid];
        work[mid] = tmp;
        mid++;
      }
    }
    feature[node] = chosen;
    threshold[node] = t;
    const l = newNode();
    const r = newNode();
    left[node] = l;
    right[node] = r;
    stack.push([r, mid, end, depth + 1], [l, start, mid, depth + 1]);
  }
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    size: Int32Array.from(size),
  };
}

/** A fitted forest: trees plus the per-tree sample size that normalises path lengths. */
export class FittedIsolationForest implements FittedClassifier {
  readonly name = 'isolation-forest';
  constructor(
    readonly featureNames: readonly string[],
    readonly trees: readonly IsolationTree[],
    readonly maxSamples: number,
  ) {}

  async predictProba(data: Dataset): Promise<Float32Array> {
    checkFeatureCount(this.name, data, this.featureNames.length);
    const n = data.nRows;
    const cols = data.features;
    const depth = new Float64Array(n);
    for (const tree of this.trees) {
      for (let i = 0; i < n; i++) {
        let node = 0;
        let h = 0;
        while (tree.feature[node] >= 0) {
          node = cols[tree.feature[node]][i] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
          h++;
        }
        depth[i] += h + averagePathLength(tree.size[node]);
      }
    }
    const denom = this.trees.length * averagePathLength(this.maxSamples);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = 2 ** -(denom !== 0 ? depth[i] / denom : 1);
    return out;
  }

  toJSON(): unknown {
    return {
      ...envelope(this.name, this.featureNames),
      maxSamples: this.maxSamples,
      trees: this.trees.map((t) => ({
        feature: toNumbers(t.feature),
        threshold: toNumbers(t.threshold),
        left: toNumbers(t.left),
        right: toNumbers(t.right),
        size: toNumbers(t.size),
      })),
    };
  }

  dispose(): void {}
}

/** Rebuilds a forest from JSON, checking every tree is a well-formed tree (children after parents). */
export function isolationForestFromJSON(obj: JsonObject): FittedIsolationForest {
  const featureNames = readStrings(obj, 'featureNames');
  const d = featureNames.length;
  const maxSamples = readNumber(obj, 'maxSamples', { int: true, min: 1 });
  const trees = readObjects(obj, 'trees').map((t, k): IsolationTree => {
    const feature = readInts(t, 'feature', -1, d - 1);
    const m = feature.length;
    if (m === 0) badModel(`tree ${k} has no nodes`);
    const left = readInts(t, 'left', -1, m - 1, m);
    const right = readInts(t, 'right', -1, m - 1, m);
    for (let i = 0; i < m; i++) {
      const leaf = feature[i] < 0;
      if (leaf ? left[i] !== -1 || right[i] !== -1 : left[i] <= i || right[i] <= i) {
        badModel(`tree ${k} node ${i} has invalid children (${left[i]}, ${right[i]})`);
      }
    }
    return { feature, left, right, threshold: readNumbers(t, 'threshold', m), size: readInts(t, 'size', 0, maxSamples, m) };
  });
  if (trees.length === 0) badModel('expected at least one tree');
  return new FittedIsolationForest(featureNames, trees, maxSamples);
}

/** The isolation forest Classifier; labels are ignored by fit. */
export function createIsolationForest(options: IsolationForestOptions = {}): Classifier {
  const nEstimators = options.nEstimators ?? 100;
  const maxSamplesOpt = options.maxSamples ?? 256;
  for (const [name, v] of [['nEstimators', nEstimators], ['maxSamples', maxSamplesOpt]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new UsageError('REBALANCE_BAD_OPTION', `isolation-forest: expected ${name} to be a positive integer, got ${v}`);
    }
  }
  return {
    name: 'isolation-forest',
    async fit(train: Dataset, rng: Rng, _fit: FitOptions): Promise<FittedClassifier> {
      checkFinite('isolation-forest', train);
      const n = train.nRows;
      const psi = Math.max(1, Math.min(maxSamplesOpt, n));
      const maxDepth = Math.ceil(Math.log2(Math.max(psi, 2)));
      const all = new Int32Array(n);
      const trees: IsolationTree[] = [];
      for (let t = 0; t < nEstimators; t++) {
        const r = rng.fork(`isolation-forest/tree${t}`);
        for (let i = 0; i < n; i++) all[i] = i;
        // Partial Fisher-Yates: the first psi entries are a uniform sample without replacement.
        for (let i = 0; i < psi && i < n; i++) {
          const j = i + r.nextInt(n - i);
          const tmp = all[i];
          all[i] = all[j];
          all[j] = tmp;
        }
        trees.push(growTree(train.features, all.slice(0, Math.min(psi, n)), maxDepth, r));
      }
      return new FittedIsolationForest(train.featureNames, trees, psi);
    },
  };
}
