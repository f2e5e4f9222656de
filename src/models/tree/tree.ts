/**
 * One decision tree over binned features, in flat arrays, shared by every tree model
 * (gbdt, random forests): the predictor, and its strict JSON form.
 *
 * Node i is a leaf when feature[i] === -1 (its output is value[i]). Otherwise a row goes left when
 * - its bin is MISSING_BIN (NaN, or a category without a bin): missingLeft[i] === 1;
 * - numeric split (catSet[i] === -1): bin <= bin[i] (the same as x <= thresholds[bin[i]]);
 * - categorical split: bit `bin` of bitset catSet[i] (8 x 32-bit words per bitset) is set.
 * Children always come after their parent (left[i], right[i] > i).
 */
import { badModel, readInts, readNumbers, toNumbers, type JsonObject } from '../json.js';
import { MISSING_BIN, nonMissingBins, type FeatureBins } from './binning.js';

export interface BinnedTree {
  readonly feature: Int32Array;
  readonly bin: Int32Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly catSet: Int32Array;
  /** 8 words (256 bits, one per bin) per categorical split. */
  readonly bitsets: Uint32Array;
}

/** Words per categorical bitset (256 bins). */
export const BITSET_WORDS = 8;

/** Growable node arrays used while a tree is grown. */
export class TreeBuilder {
  feature: number[] = [];
  bin: number[] = [];
  missingLeft: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  catSet: number[] = [];
  bitsets: number[] = [];

  /** A new leaf node; returns its id. */
  add(value: number): number {
    this.feature.push(-1);
    this.bin.push(0);
    this.missingLeft.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(value);
    this.catSet.push(-1);
    return this.feature.length - 1;
  }

  /** Turns leaf `node` into a split with two new leaf children; returns [left, right]. */
  split(
    node: number,
    feature: number,
    bin: number,
    missingLeft: boolean,
    bitset: Uint32Array | null,
    leftValue: number,
    rightValue: number,
  ): [number, number] {
    const l = this.add(leftValue);
    const r = this.add(rightValue);
    this.feature[node] = feature;
    this.bin[node] = bin;
    this.missingLeft[node] = missingLeft ? 1 : 0;
    this.left[node] = l;
    this.right[node] = r;
    if (bitset) {
      this.catSet[node] = this.bitsets.length / BITSET_WORDS;
      for (let w = 0; w < BITSET_WORDS; w++) this.bitsets.push(bitset[w]);
    }
    return [l, r];
  }

  build(): BinnedTree {
    return {
      feature: Int32Array.from(this.feature),
      bin: Int32Array.from(this.bin),
      missingLeft: Uint8Array.from(this.missingLeft),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      value: Float64Array.from(this.value),
      catSet: Int32Array.from(this.catSet),
      bitsets: Uint32Array.from(this.bitsets),
    };
  }
}

/**
 * Adds scale * (leaf value) of `tree` for each of the m rows of the column-major bins `x`
 * (x[j * m + i]) into out[i].
 */
export function addTreeOutput(tree: BinnedTree, x: Uint8Array, m: number, out: Float64Array, scale = 1): void {
  const { feature, bin, missingLeft, left, right, value, catSet, bitsets } = tree;
  if (feature[0] < 0) {
    const v = value[0] * scale;
    for (let i = 0; i < m; i++) out[i] += v;
    return;
  }
  for (let i = 0; i < m; i++) {
    let node = 0;
    let f = feature[0];
    while (f >= 0) {
      const b = x[f * m + i];
      let goLeft: boolean;
      if (b === MISSING_BIN) goLeft = missingLeft[node] === 1;
      else {
        const c = catSet[node];
        goLeft = c < 0 ? b <= bin[node] : ((bitsets[c * BITSET_WORDS + (b >>> 5)] >>> (b & 31)) & 1) === 1;
      }
      node = goLeft ? left[node] : right[node];
      f = feature[node];
    }
    out[i] += value[node] * scale;
  }
}

/** Nodes in a tree (for reports). */
export function leafCount(tree: BinnedTree): number {
  let k = 0;
  for (let i = 0; i < tree.feature.length; i++) if (tree.feature[i] < 0) k++;
  return k;
}

// ---------------------------------------------------------------- JSON

export function featureBinsToJSON(bins: readonly FeatureBins[]): unknown[] {
  return bins.map((b) =>
    b.kind === 'numeric' ? { kind: 'numeric', thresholds: toNumbers(b.thresholds) } : { kind: 'categorical', codes: toNumbers(b.codes) },
  );
}

export function featureBinsFromJSON(items: readonly JsonObject[], d: number): FeatureBins[] {
  if (items.length !== d) badModel(`expected ${d} feature bin specs at 'bins', found ${items.length}`);
  return items.map((o, j): FeatureBins => {
    if (o.kind === 'numeric') {
      const thresholds = readNumbers(o, 'thresholds');
      if (thresholds.length > 254) badModel(`expected at most 254 thresholds for feature ${j}, found ${thresholds.length}`);
      for (let i = 1; i < thresholds.length; i++) {
        if (!(thresholds[i] > thresholds[i - 1])) badModel(`expected increasing thresholds for feature ${j} at index ${i}`);
      }
      return { kind: 'numeric', thresholds };
    }
    if (o.kind === 'categorical') {
      const codes = readInts(o, 'codes', 0, 2 ** 31 - 1);
      if (codes.length > 255) badModel(`expected at most 255 category codes for feature ${j}, found ${codes.length}`);
      for (let i = 1; i < codes.length; i++) {
        if (!(codes[i] > codes[i - 1])) badModel(`expected increasing category codes for feature ${j} at index ${i}`);
      }
      return { kind: 'categorical', codes };
    }
    return badModel(`expected 'kind' of feature ${j} to be 'numeric' or 'categorical'`);
  });
}

export function treeToJSON(t: BinnedTree): unknown {
  return {
    feature: toNumbers(t.feature),
    bin: toNumbers(t.bin),
    missingLeft: toNumbers(t.missingLeft),
    left: toNumbers(t.left),
    right: toNumbers(t.right),
    value: toNumbers(t.value),
    catSet: toNumbers(t.catSet),
    bitsets: toNumbers(t.bitsets),
  };
}

/** Reads one tree and checks it against the feature bins (indices, bins, children after parents). */
export function treeFromJSON(o: JsonObject, bins: readonly FeatureBins[], k: number): BinnedTree {
  const d = bins.length;
  const feature = readInts(o, 'feature', -1, d - 1);
  const m = feature.length;
  if (m === 0) badModel(`tree ${k} has no nodes`);
  const bin = readInts(o, 'bin', 0, 254, m);
  const missingLeft = Uint8Array.from(readInts(o, 'missingLeft', 0, 1, m));
  const left = readInts(o, 'left', -1, m - 1, m);
  const right = readInts(o, 'right', -1, m - 1, m);
  const value = readNumbers(o, 'value', m);
  const bitsetsInts = readNumbers(o, 'bitsets');
  if (bitsetsInts.length % BITSET_WORDS !== 0) badModel(`tree ${k}: expected a multiple of ${BITSET_WORDS} bitset words`);
  const bitsets = new Uint32Array(bitsetsInts.length);
  for (let i = 0; i < bitsetsInts.length; i++) {
    const w = bitsetsInts[i];
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) badModel(`tree ${k}: expected 32-bit unsigned words at 'bitsets[${i}]', found ${w}`);
    bitsets[i] = w;
  }
  const catSet = readInts(o, 'catSet', -1, bitsets.length / BITSET_WORDS - 1, m);
  for (let i = 0; i < m; i++) {
    const f = feature[i];
    if (f < 0) {
      if (left[i] !== -1 || right[i] !== -1 || catSet[i] !== -1) badModel(`tree ${k} leaf ${i} has children or a category set`);
      continue;
    }
    if (left[i] <= i || right[i] <= i || left[i] === right[i]) badModel(`tree ${k} node ${i} has invalid children (${left[i]}, ${right[i]})`);
    const isCat = bins[f].kind === 'categorical';
    if (isCat !== catSet[i] >= 0) badModel(`tree ${k} node ${i}: split kind does not match feature ${f}`);
    if (!isCat && bin[i] >= nonMissingBins(bins[f])) badModel(`tree ${k} node ${i}: bin ${bin[i]} out of range for feature ${f}`);
  }
  return { feature, bin, missingLeft, left, right, value, catSet, bitsets };
}
