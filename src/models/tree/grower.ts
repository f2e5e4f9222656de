/**
 * The gradient tree grower of gbdt: scikit-learn's TreeGrower / LightGBM leaf-wise growth on
 * binned features.
 *
 * - Histograms: per node, per feature, per bin [sum gradient, sum hessian, count] in one
 *   Float64Array (HIST_STRIDE = 256 bins x 3 per feature). The smaller child's histogram is built
 *   from its rows, the larger child's is the parent's minus the smaller's.
 * - Split gain (no 1/2 factor, as scikit-learn): GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2); a split
 *   needs gain > 0, minSamplesLeaf rows and minHessian on each side.
 * - Numeric features: bins scanned left to right with missing values on the right (including the
 *   "split on NaN" threshold, when the feature had missing values), then right to left with them
 *   on the left. A feature without missing values in training sends them (at predict time) to the
 *   child with more rows.
 * - Categorical features: categories with at least 10 rows sorted by G/(H + 10), scanned from both
 *   ends for at most min(32, (used + 1) / 2) categories on the left (scikit-learn/LightGBM).
 * - Best-first: the leaf with the largest gain is split next, until maxLeafNodes leaves (or
 *   maxDepth, or no leaf has a valid split). Leaf value = -G/(H + l2) * learningRate.
 */
import { MISSING_BIN, nonMissingBins, type FeatureBins } from './binning.js';
import { BITSET_WORDS, TreeBuilder, type BinnedTree } from './tree.js';

/** Histogram floats per feature: 256 bins x [gradient, hessian, count]. */
export const HIST_STRIDE = 256 * 3;
const MIN_CAT_SUPPORT = 10;
const MAX_CAT_THRESHOLD = 32;

export interface GrowerParams {
  readonly maxLeafNodes: number;
  /** null: no limit. */
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2: number;
  readonly minHessian: number;
  readonly learningRate: number;
}

/** What the grower reads: training bins, their specs, and which features had missing values. */
export interface BinnedTrain {
  /** Column-major bins of the m training rows: x[j * m + i]. */
  readonly x: Uint8Array;
  readonly m: number;
  readonly specs: readonly FeatureBins[];
  readonly nonMissing: Int32Array;
  readonly isCategorical: Uint8Array;
  readonly hasMissing: Uint8Array;
}

export function describeTrain(x: Uint8Array, m: number, specs: readonly FeatureBins[]): BinnedTrain {
  const d = specs.length;
  const hasMissing = new Uint8Array(d);
  for (let j = 0; j < d; j++) {
    const col = x.subarray(j * m, (j + 1) * m);
    hasMissing[j] = col.includes(MISSING_BIN) ? 1 : 0;
  }
  return {
    x,
    m,
    specs,
    nonMissing: Int32Array.from(specs, (s) => nonMissingBins(s)),
    isCategorical: Uint8Array.from(specs, (s) => (s.kind === 'categorical' ? 1 : 0)),
    hasMissing,
  };
}

interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  bitset: Uint32Array | null;
  gL: number;
  hL: number;
  nL: number;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  g: number;
  h: number;
  hist: Float64Array | null;
  split: Split | null;
}

/**
 * A faster builder of node histograms (tree/hist-wasm.ts): `build` adds the histogram of
 * rows[start, end) to `out` exactly as buildHistogram does, `subtract` does a -= b; each returns
 * false (and does nothing) when it cannot take these buffers, and the TypeScript loop runs instead.
 */
export interface HistogramKernel {
  build(t: BinnedTrain, rows: Int32Array, start: number, end: number, g: Float64Array, h: Float64Array, out: Float64Array): boolean;
  subtract(a: Float64Array, b: Float64Array): boolean;
  /** partition() below on rows[start, end) (scratch: room for the right rows); -1 when it cannot. */
  partition(t: BinnedTrain, rows: Int32Array, scratch: Int32Array, start: number, end: number, feature: number, bin: number, missingLeft: boolean, bitset: Uint32Array | null): number;
  /** raw[rows[k]] += value for k in [start, end) (a leaf's value); false when it cannot. */
  addToRows(rows: Int32Array, start: number, end: number, value: number, raw: Float64Array): boolean;
}

/** Buffers a kernel provides (in its own memory) for a workspace. */
export interface GrowerBuffers {
  readonly rows: Int32Array;
  readonly scratch: Int32Array;
  /** Zeroed histograms (d * HIST_STRIDE each) to start the pool with. */
  readonly hists: readonly Float64Array[];
}

/** Reusable buffers across the trees of one fit (and the histogram kernel, if any). */
export class GrowerWorkspace {
  readonly rows: Int32Array;
  readonly scratch: Int32Array;
  private gathered: { og: Float64Array; oh: Float64Array } | null = null;
  private pool: Float64Array[] = [];
  constructor(
    readonly m: number,
    readonly d: number,
    readonly kernel: HistogramKernel | null = null,
    buffers: GrowerBuffers | null = null,
  ) {
    this.rows = buffers?.rows ?? new Int32Array(m);
    this.scratch = buffers?.scratch ?? new Int32Array(m);
    if (buffers) this.pool.push(...buffers.hists);
  }
  /** The TypeScript path's gathered gradients and hessians (allocated on first use). */
  get og(): Float64Array {
    this.gathered ??= { og: new Float64Array(this.m), oh: new Float64Array(this.m) };
    return this.gathered.og;
  }
  get oh(): Float64Array {
    this.gathered ??= { og: new Float64Array(this.m), oh: new Float64Array(this.m) };
    return this.gathered.oh;
  }
  take(): Float64Array {
    const h = this.pool.pop();
    if (h) {
      h.fill(0);
      return h;
    }
    return new Float64Array(this.d * HIST_STRIDE);
  }
  give(h: Float64Array | null): void {
    if (h && !this.pool.includes(h)) this.pool.push(h);
  }
}

const score = (g: number, h: number, l2: number): number => (g * g) / (h + l2);

/**
 * Builds the histogram of rows[start, end) from scratch. The gradients of the rows are gathered
 * once (ordered), then features are processed four at a time so each row's index and gradient
 * pair are loaded once per four features (this loop is nearly all of a gbdt fit's time).
 */
function buildHistogram(
  t: BinnedTrain,
  ws: GrowerWorkspace,
  start: number,
  end: number,
  g: Float64Array,
  h: Float64Array,
  out: Float64Array,
): void {
  if (ws.kernel?.build(t, ws.rows, start, end, g, h, out)) return;
  const { x, m } = t;
  const d = t.specs.length;
  const rows = ws.rows;
  const n = end - start;
  const og = ws.og;
  const oh = ws.oh;
  const idx = ws.scratch;
  if (n === m) {
    og.set(g);
    oh.set(h);
    for (let k = 0; k < n; k++) idx[k] = k;
  } else {
    for (let k = 0; k < n; k++) {
      const r = rows[start + k];
      idx[k] = r;
      og[k] = g[r];
      oh[k] = h[r];
    }
  }
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const b0 = j * HIST_STRIDE;
    const b1 = b0 + HIST_STRIDE;
    const b2 = b1 + HIST_STRIDE;
    const b3 = b2 + HIST_STRIDE;
    const x0 = x.subarray(j * m, (j + 1) * m);
    const x1 = x.subarray((j + 1) * m, (j + 2) * m);
    const x2 = x.subarray((j + 2) * m, (j + 3) * m);
    const x3 = x.subarray((j + 3) * m, (j + 4) * m);
    for (let k = 0; k < n; k++) {
      const r = idx[k];
      const gv = og[k];
      const hv = oh[k];
      let o = b0 + x0[r] * 3;
      out[o] += gv;
      out[o + 1] += hv;
      out[o + 2] += 1;
      o = b1 + x1[r] * 3;
      out[o] += gv;
      out[o + 1] += hv;
      out[o + 2] += 1;
      o = b2 + x2[r] * 3;
      out[o] += gv;
      out[o + 1] += hv;
      out[o + 2] += 1;
      o = b3 + x3[r] * 3;
      out[o] += gv;
      out[o + 1] += hv;
      out[o + 2] += 1;
    }
  }
  for (; j < d; j++) {
    const base = j * HIST_STRIDE;
    const xj = x.subarray(j * m, (j + 1) * m);
    for (let k = 0; k < n; k++) {
      const o = base + xj[idx[k]] * 3;
      out[o] += og[k];
      out[o + 1] += oh[k];
      out[o + 2] += 1;
    }
  }
}

/** Best split of one node over every feature; null when none is valid. */
function findSplit(t: BinnedTrain, node: GrowNode, p: GrowerParams): Split | null {
  const hist = node.hist!;
  const d = t.specs.length;
  const n = node.end - node.start;
  const G = node.g;
  const H = node.h;
  const l2 = p.l2;
  const msl = p.minSamplesLeaf;
  const mh = p.minHessian;
  const parent = score(G, H, l2);
  let best: Split | null = null;
  let bestGain = 0;
  for (let f = 0; f < d; f++) {
    const base = f * HIST_STRIDE;
    const nb = t.nonMissing[f];
    const hasMissing = t.hasMissing[f] === 1;
    if (t.isCategorical[f]) {
      const s = categoricalSplit(hist, base, nb, hasMissing, n, G, H, p, parent);
      if (s && s.gain > bestGain) {
        s.feature = f;
        best = s;
        bestGain = s.gain;
      }
      continue;
    }
    // Left to right, missing values on the right.
    let gL = 0;
    let hL = 0;
    let nL = 0;
    const end = nb - 1 + (hasMissing ? 1 : 0);
    for (let b = 0; b < end; b++) {
      const o = base + b * 3;
      gL += hist[o];
      hL += hist[o + 1];
      nL += hist[o + 2];
      if (nL < msl || hL < mh) continue;
      const nR = n - nL;
      const hR = H - hL;
      if (nR < msl || hR < mh) break;
      const gain = score(gL, hL, l2) + score(G - gL, hR, l2) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { gain, feature: f, bin: b, missingLeft: false, bitset: null, gL, hL, nL };
      }
    }
    if (!hasMissing) continue;
    // Right to left, missing values on the left.
    let gR = 0;
    let hR = 0;
    let nR = 0;
    for (let b = nb - 2; b >= 0; b--) {
      const o = base + (b + 1) * 3;
      gR += hist[o];
      hR += hist[o + 1];
      nR += hist[o + 2];
      if (nR < msl || hR < mh) continue;
      const nl = n - nR;
      const hl = H - hR;
      if (nl < msl || hl < mh) break;
      const gain = score(G - gR, hl, l2) + score(gR, hR, l2) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        best = { gain, feature: f, bin: b, missingLeft: true, bitset: null, gL: G - gR, hL: hl, nL: nl };
      }
    }
  }
  return best;
}

function categoricalSplit(
  hist: Float64Array,
  base: number,
  nb: number,
  hasMissing: boolean,
  n: number,
  G: number,
  H: number,
  p: GrowerParams,
  parent: number,
): Split | null {
  const bins: number[] = [];
  for (let b = 0; b < nb; b++) if (hist[base + b * 3 + 2] >= MIN_CAT_SUPPORT) bins.push(b);
  if (hasMissing && hist[base + MISSING_BIN * 3 + 2] >= MIN_CAT_SUPPORT) bins.push(MISSING_BIN);
  const used = bins.length;
  if (used <= 1) return null;
  const val = (b: number): number => hist[base + b * 3] / (hist[base + b * 3 + 1] + MIN_CAT_SUPPORT);
  bins.sort((a, b) => val(a) - val(b) || a - b);
  const maxCat = Math.min(MAX_CAT_THRESHOLD, Math.floor((used + 1) / 2));
  let best: Split | null = null;
  let bestGain = 0;
  let bestK = -1;
  let bestDir = 1;
  for (const dir of [1, -1]) {
    let gL = 0;
    let hL = 0;
    let nL = 0;
    for (let i = 0; i < maxCat; i++) {
      const b = bins[dir === 1 ? i : used - 1 - i];
      const o = base + b * 3;
      gL += hist[o];
      hL += hist[o + 1];
      nL += hist[o + 2];
      if (nL < p.minSamplesLeaf || hL < p.minHessian) continue;
      const nR = n - nL;
      const hR = H - hL;
      if (nR < p.minSamplesLeaf || hR < p.minHessian) break;
      const gain = score(gL, hL, p.l2) + score(G - gL, hR, p.l2) - parent;
      if (gain > bestGain) {
        bestGain = gain;
        bestK = i;
        bestDir = dir;
        best = { gain, feature: -1, bin: 0, missingLeft: false, bitset: null, gL, hL, nL };
      }
    }
  }
  if (!best) return null;
  const bitset = new Uint32Array(BITSET_WORDS);
  for (let i = 0; i <= bestK; i++) {
    const b = bins[bestDir === 1 ? i : used - 1 - i];
    bitset[b >>> 5] |= 1 << (b & 31);
  }
  best.bitset = bitset;
  best.missingLeft = ((bitset[MISSING_BIN >>> 5] >>> (MISSING_BIN & 31)) & 1) === 1;
  return best;
}

/** Splits rows[start, end) in place (stable): left rows first; returns the first right position. */
function partition(t: BinnedTrain, ws: GrowerWorkspace, node: GrowNode, s: Split): number {
  const { rows, scratch } = ws;
  const fast = ws.kernel ? ws.kernel.partition(t, rows, scratch, node.start, node.end, s.feature, s.bin, s.missingLeft, s.bitset) : -1;
  if (fast >= 0) return fast;
  const col = t.x.subarray(s.feature * t.m, (s.feature + 1) * t.m);
  let l = node.start;
  let r = 0;
  const bitset = s.bitset;
  const ml = s.missingLeft;
  for (let k = node.start; k < node.end; k++) {
    const row = rows[k];
    const b = col[row];
    const goLeft =
      b === MISSING_BIN ? ml : bitset ? ((bitset[b >>> 5] >>> (b & 31)) & 1) === 1 : b <= s.bin;
    if (goLeft) rows[l++] = row;
    else scratch[r++] = row;
  }
  rows.set(scratch.subarray(0, r), l);
  return l;
}

/** Max-heap of nodes by split gain. */
class GainHeap {
  private items: GrowNode[] = [];
  get size(): number {
    return this.items.length;
  }
  push(n: GrowNode): void {
    const a = this.items;
    a.push(n);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].split!.gain >= a[i].split!.gain) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop(): GrowNode {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].split!.gain > a[m].split!.gain) m = l;
        if (r < a.length && a[r].split!.gain > a[m].split!.gain) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  drain(): GrowNode[] {
    const a = this.items;
    this.items = [];
    return a;
  }
}

/**
 * Grows one tree on gradients g and hessians h (length m, sample weights already applied) and
 * adds its leaf values to raw[i] for every training row.
 */
export function growGradientTree(
  t: BinnedTrain,
  ws: GrowerWorkspace,
  g: Float64Array,
  h: Float64Array,
  raw: Float64Array,
  p: GrowerParams,
): BinnedTree {
  const m = t.m;
  const rows = ws.rows;
  for (let i = 0; i < m; i++) rows[i] = i;
  let G = 0;
  let H = 0;
  for (let i = 0; i < m; i++) {
    G += g[i];
    H += h[i];
  }
  const tb = new TreeBuilder();
  const value = (gs: number, hs: number): number => (-gs / (hs + p.l2)) * p.learningRate;
  const root: GrowNode = { id: tb.add(0), start: 0, end: m, depth: 0, g: G, h: H, hist: null, split: null };
  const leaves: GrowNode[] = [];
  const heap = new GainHeap();

  const consider = (node: GrowNode): void => {
    node.split = findSplit(t, node, p);
    if (node.split) heap.push(node);
    else {
      ws.give(node.hist);
      node.hist = null;
      leaves.push(node);
    }
  };

  if (m < 2 * p.minSamplesLeaf || H < p.minHessian) {
    leaves.push(root);
  } else {
    root.hist = ws.take();
    buildHistogram(t, ws, 0, m, g, h, root.hist);
    consider(root);
  }

  let nLeaves = 1;
  while (heap.size > 0) {
    const node = heap.pop();
    const s = node.split!;
    const mid = partition(t, ws, node, s);
    const nL = mid - node.start;
    const nR = node.end - mid;
    const missingLeft = t.hasMissing[s.feature] ? s.missingLeft : nL > nR;
    const gR = node.g - s.gL;
    const hR = node.h - s.hL;
    const [lid, rid] = tb.split(node.id, s.feature, s.bin, missingLeft, s.bitset, value(s.gL, s.hL), value(gR, hR));
    const depth = node.depth + 1;
    const left: GrowNode = { id: lid, start: node.start, end: mid, depth, g: s.gL, h: s.hL, hist: null, split: null };
    const right: GrowNode = { id: rid, start: mid, end: node.end, depth, g: gR, h: hR, hist: null, split: null };
    nLeaves++;
    if (nLeaves >= p.maxLeafNodes || (p.maxDepth !== null && depth >= p.maxDepth)) {
      ws.give(node.hist);
      node.hist = null;
      leaves.push(left, right);
      if (nLeaves >= p.maxLeafNodes) {
        for (const rest of heap.drain()) {
          ws.give(rest.hist);
          rest.hist = null;
          leaves.push(rest);
        }
      }
      continue;
    }
    const splitLeft = nL >= 2 * p.minSamplesLeaf;
    const splitRight = nR >= 2 * p.minSamplesLeaf;
    if (!splitLeft && !splitRight) {
      ws.give(node.hist);
      node.hist = null;
      leaves.push(left, right);
      continue;
    }
    // Smaller child from its rows; the larger one by subtraction from the parent (in place).
    const [small, large] = nL <= nR ? [left, right] : [right, left];
    small.hist = ws.take();
    buildHistogram(t, ws, small.start, small.end, g, h, small.hist);
    const ph = node.hist!;
    const sh = small.hist;
    if (!ws.kernel?.subtract(ph, sh)) for (let k = 0; k < ph.length; k++) ph[k] -= sh[k];
    large.hist = ph;
    node.hist = null;
    for (const [child, ok] of [[left, splitLeft], [right, splitRight]] as const) {
      if (ok) consider(child);
      else {
        ws.give(child.hist);
        child.hist = null;
        leaves.push(child);
      }
    }
  }

  for (const leaf of leaves) {
    ws.give(leaf.hist);
    leaf.hist = null;
    const v = tb.value[leaf.id];
    if (!ws.kernel?.addToRows(rows, leaf.start, leaf.end, v, raw)) for (let k = leaf.start; k < leaf.end; k++) raw[rows[k]] += v;
  }
  return tb.build();
}
