/**
 * The classification tree grower of the forests and boosted stumps: scikit-learn's
 * DecisionTreeClassifier (criterion 'gini', splitter 'best') on binned features, binary target,
 * weighted rows (bootstrap counts x class or boosting weights), grown depth-first.
 *
 * - A node becomes a leaf when it is pure, holds fewer than 2 rows (distinct rows: a bootstrap
 *   duplicate is one row of weight 2), reaches maxDepth, or no feature has a valid split.
 * - At each node features are drawn without replacement until maxFeatures of them proved
 *   non-constant in the node (scikit-learn's rule: constant features do not count), or none are left.
 * - Candidate splits of a feature: every bin boundary, missing values (NaN) on the right, then
 *   (when the node has missing values) on the left; categorical features: categories sorted by
 *   their positive share, every prefix (the optimal binary-gini partition, Breiman 1984).
 *   A split needs minSamplesLeaf rows on each side; the best weighted gini decrease wins (first
 *   feature drawn wins ties), even when it is 0, as in scikit-learn.
 * - Leaf value: the weighted share of positive rows.
 */
import type { Rng } from '../../core/rng.js';
import { MISSING_BIN } from './binning.js';
import type { BinnedTrain } from './grower.js';
import { BITSET_WORDS, TreeBuilder, type BinnedTree } from './tree.js';

export interface GiniParams {
  /** Features examined per node (non-constant ones), at most. */
  readonly maxFeatures: number;
  /** null: no limit. */
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
}

/** Per feature: 256 bins x [negative weight, positive weight, rows]. */
const STRIDE = 256 * 3;

/** Reusable buffers for growing many trees on the same rows. */
export class GiniWorkspace {
  readonly rows: Int32Array;
  readonly scratch: Int32Array;
  readonly hist = new Float64Array(STRIDE);
  readonly features: Int32Array;
  constructor(m: number, d: number) {
    this.rows = new Int32Array(m);
    this.scratch = new Int32Array(m);
    this.features = new Int32Array(d);
  }
}

interface Best {
  score: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  bitset: Uint32Array | null;
}

/** Sum over sides of (w0^2 + w1^2) / w: larger is a larger gini decrease. */
const proxy = (a0: number, a1: number): number => {
  const w = a0 + a1;
  return w > 0 ? (a0 * a0 + a1 * a1) / w : 0;
};

/**
 * Grows one tree on the rows with weight > 0. `y` is the binary target, `w` the row weights
 * (length m; rows with w = 0 are not in the tree). `rng` draws the features of each node.
 */
export function growGiniTree(
  t: BinnedTrain,
  ws: GiniWorkspace,
  y: Uint8Array,
  w: Float64Array,
  p: GiniParams,
  rng: Rng,
): BinnedTree {
  const { x, m } = t;
  const d = t.specs.length;
  const rows = ws.rows;
  let n = 0;
  for (let i = 0; i < m; i++) if (w[i] > 0) rows[n++] = i;
  const tb = new TreeBuilder();
  const hist = ws.hist;
  const feats = ws.features;

  let w0 = 0;
  let w1 = 0;
  for (let k = 0; k < n; k++) {
    const r = rows[k];
    if (y[r]) w1 += w[r];
    else w0 += w[r];
  }
  // Stack of [node id, start, end, depth, w0, w1].
  const stack: number[][] = [[tb.add(w0 + w1 > 0 ? w1 / (w0 + w1) : 0), 0, n, 0, w0, w1]];
  const catBins: number[] = [];
  while (stack.length > 0) {
    const [id, start, end, depth, n0, n1] = stack.pop()!;
    const count = end - start;
    if (count < 2 || n0 === 0 || n1 === 0 || (p.maxDepth !== null && depth >= p.maxDepth) || count < 2 * p.minSamplesLeaf) continue;
    let best: Best | null = null;
    for (let j = 0; j < d; j++) feats[j] = j;
    let remaining = d;
    let visited = 0;
    while (remaining > 0 && visited < p.maxFeatures) {
      const pick = rng.nextInt(remaining);
      const f = feats[pick];
      feats[pick] = feats[remaining - 1];
      remaining--;
      // Histogram of this feature over the node's rows, noting the range of bins used.
      const col = x.subarray(f * m, (f + 1) * m);
      let lo = 255;
      let hi = 0;
      let missing = false;
      for (let k = start; k < end; k++) {
        const r = rows[k];
        const b = col[r];
        const o = b * 3;
        hist[o + y[r]] += w[r];
        hist[o + 2] += 1;
        if (b === MISSING_BIN) missing = true;
        else {
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      const constant = missing ? lo > hi : lo >= hi;
      if (!constant) {
        visited++;
        if (t.isCategorical[f]) {
          catBins.length = 0;
          for (let b = lo; b <= hi; b++) if (hist[b * 3 + 2] > 0) catBins.push(b);
          if (missing) catBins.push(MISSING_BIN);
          const share = (b: number): number => hist[b * 3 + 1] / (hist[b * 3] + hist[b * 3 + 1] || 1);
          catBins.sort((a, b) => share(a) - share(b) || a - b);
          let a0 = 0;
          let a1 = 0;
          let c = 0;
          let bestK = -1;
          for (let k = 0; k + 1 < catBins.length; k++) {
            const o = catBins[k] * 3;
            a0 += hist[o];
            a1 += hist[o + 1];
            c += hist[o + 2];
            if (c < p.minSamplesLeaf) continue;
            if (count - c < p.minSamplesLeaf) break;
            const s = proxy(a0, a1) + proxy(n0 - a0, n1 - a1);
            if (!best || s > best.score) {
              best = { score: s, feature: f, bin: 0, missingLeft: false, bitset: null };
              bestK = k;
            }
          }
          if (bestK >= 0 && best && best.feature === f) {
            const bitset = new Uint32Array(BITSET_WORDS);
            for (let k = 0; k <= bestK; k++) bitset[catBins[k] >>> 5] |= 1 << (catBins[k] & 31);
            best.bitset = bitset;
            best.missingLeft = ((bitset[MISSING_BIN >>> 5] >>> (MISSING_BIN & 31)) & 1) === 1;
          }
        } else {
          // Missing values on the right: thresholds lo .. hi-1, plus hi when there are missing values.
          let a0 = 0;
          let a1 = 0;
          let c = 0;
          const last = missing ? hi : hi - 1;
          for (let b = lo; b <= last; b++) {
            const o = b * 3;
            if (hist[o + 2] === 0) continue;
            a0 += hist[o];
            a1 += hist[o + 1];
            c += hist[o + 2];
            if (c < p.minSamplesLeaf) continue;
            if (count - c < p.minSamplesLeaf) break;
            const s = proxy(a0, a1) + proxy(n0 - a0, n1 - a1);
            if (!best || s > best.score) best = { score: s, feature: f, bin: b, missingLeft: false, bitset: null };
          }
          if (missing) {
            // Missing values on the left.
            const mo = MISSING_BIN * 3;
            a0 = hist[mo];
            a1 = hist[mo + 1];
            c = hist[mo + 2];
            for (let b = lo; b < hi; b++) {
              const o = b * 3;
              if (hist[o + 2] === 0) continue;
              a0 += hist[o];
              a1 += hist[o + 1];
              c += hist[o + 2];
              if (c < p.minSamplesLeaf) continue;
              if (count - c < p.minSamplesLeaf) break;
              const s = proxy(a0, a1) + proxy(n0 - a0, n1 - a1);
              if (!best || s > best.score) best = { score: s, feature: f, bin: b, missingLeft: true, bitset: null };
            }
          }
        }
      }
      // Clear what this feature used.
      if (lo <= hi) hist.fill(0, lo * 3, hi * 3 + 3);
      if (missing) hist.fill(0, MISSING_BIN * 3, MISSING_BIN * 3 + 3);
    }
    if (!best) continue;
    // Partition (stable) and push the children.
    const col = x.subarray(best.feature * m, (best.feature + 1) * m);
    let l = start;
    let r = 0;
    let l0 = 0;
    let l1 = 0;
    let r0 = 0;
    let r1 = 0;
    const bs = best.bitset;
    for (let k = start; k < end; k++) {
      const row = rows[k];
      const b = col[row];
      const goLeft = b === MISSING_BIN ? best.missingLeft : bs ? ((bs[b >>> 5] >>> (b & 31)) & 1) === 1 : b <= best.bin;
      if (goLeft) {
        rows[l++] = row;
        if (y[row]) l1 += w[row];
        else l0 += w[row];
      } else {
        ws.scratch[r++] = row;
        if (y[row]) r1 += w[row];
        else r0 += w[row];
      }
    }
    rows.set(ws.scratch.subarray(0, r), l);
    const missingLeft = t.hasMissing[best.feature] ? best.missingLeft : l - start > r;
    const [lid, rid] = tb.split(id, best.feature, best.bin, missingLeft, bs, l1 / (l0 + l1), r1 / (r0 + r1));
    stack.push([rid, l, end, depth + 1, r0, r1], [lid, start, l, depth + 1, l0, l1]);
  }
  return tb.build();
}
