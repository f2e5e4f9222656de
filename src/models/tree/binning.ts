/**
 * Feature binning for the tree learners, scikit-learn's _BinMapper semantics:
 *
 * - numeric features: at most MAX_BINS (255) bins for non-missing values. Thresholds come from a
 *   subsample of at most 200,000 rows (drawn without replacement from the Rng): the midpoints
 *   between distinct values when there are at most 255 of them, else the 1/255 ... 254/255
 *   percentiles (numpy's 'midpoint' method). A value x goes to bin b = #(thresholds < x), i.e.
 *   x <= thresholds[b]; so "bin <= b" and "x <= thresholds[b]" are the same test.
 * - categorical features (integer codes into data.categories[j]): one bin per code. With more
 *   than 255 codes the 255 most frequent ones keep a bin each (in code order) and the others share
 *   the missing-value bin (scikit-learn refuses such features instead).
 * - missing values (NaN) go to bin MISSING_BIN (255) for every feature.
 *
 * Bins are stored column-major in one Uint8Array: bins[j * n + i].
 */
import { DataError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Dataset } from '../../types.js';

/** Bins for non-missing values, at most. */
export const MAX_BINS = 255;
/** The bin of missing values (and of categories without a bin of their own). */
export const MISSING_BIN = 255;
/** Rows used to find numeric thresholds, at most (scikit-learn's subsample=int(2e5)). */
export const BINNING_SUBSAMPLE = 200_000;

export type FeatureBins =
  /** x <= thresholds[b] <=> bin <= b; thresholds.length + 1 non-missing bins. */
  | { readonly kind: 'numeric'; readonly thresholds: Float64Array }
  /** codes[b] = the category code of bin b; codes without a bin go to the missing bin. */
  | { readonly kind: 'categorical'; readonly codes: Int32Array };

/** Non-missing bins of a feature (scikit-learn's n_bins_non_missing). */
export function nonMissingBins(f: FeatureBins): number {
  return f.kind === 'numeric' ? f.thresholds.length + 1 : f.codes.length;
}

/**
 * Thresholds of one numeric column's (subsampled) non-missing values. Self-contained (no outside
 * names): the wasm engine's worker threads run its source text (tree/hist-wasm.ts).
 */
export function numericThresholds(values: Float64Array, maxBins = 255): Float64Array {
  // scikit-learn's ALMOST_INF: thresholds are clipped to it (+inf is kept for "split on NaN").
  const almostInf = 1e300;
  // numpy.percentile(sorted, q, method='midpoint') for q in percent, on an ascending array.
  const percentileMidpoint = (sorted: Float64Array, q: number): number => {
    const v = (q / 100) * (sorted.length - 1);
    const lo = Math.floor(v);
    const hi = Math.ceil(v);
    if (lo === hi) return sorted[lo];
    const a = sorted[lo];
    const b = sorted[hi];
    // numpy's _lerp at t = 0.5 (t >= 0.5 branch): b - (b - a) * (1 - t)
    return b - (b - a) * 0.5;
  };
  const sorted = Float64Array.from(values).sort();
  let nd = 0;
  const distinct = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[nd++] = sorted[i];
  let out: Float64Array;
  if (nd <= maxBins) {
    out = new Float64Array(Math.max(0, nd - 1));
    for (let i = 0; i + 1 < nd; i++) out[i] = (distinct[i] + distinct[i + 1]) * 0.5;
  } else {
    out = new Float64Array(maxBins - 1);
    const step = 100 / maxBins;
    for (let k = 1; k < maxBins; k++) out[k - 1] = percentileMidpoint(sorted, k * step);
    // np.unique in scikit-learn's BinMapper.fit: equal percentiles collapse into one threshold.
    let m = 0;
    for (let i = 0; i < out.length; i++) if (i === 0 || out[i] !== out[m - 1]) out[m++] = out[i];
    out = out.slice(0, m);
  }
  for (let i = 0; i < out.length; i++) if (out[i] > almostInf) out[i] = almostInf;
  return out;
}

/**
 * Computes numericThresholds of several features at once (the wasm engine: on its threads).
 * stage(slot, n) gives room for a feature's sample values; run(lengths) returns the thresholds
 * of slots 0..lengths.length-1, exactly as numericThresholds would.
 */
export interface ThresholdRunner {
  readonly slots: number;
  stage(slot: number, n: number): Float64Array;
  run(lengths: readonly number[]): Float64Array[];
}

/** Category codes that get a bin: all of them up to 255, else the 255 most frequent (code order). */
function categoricalCodes(col: Float64Array, rows: Int32Array | null, nCodes: number): Int32Array {
  const counts = new Float64Array(nCodes);
  const n = rows ? rows.length : col.length;
  for (let t = 0; t < n; t++) {
    const v = col[rows ? rows[t] : t];
    if (v === v && v >= 0 && v < nCodes) counts[v]++;
  }
  const present: number[] = [];
  for (let c = 0; c < nCodes; c++) if (counts[c] > 0) present.push(c);
  if (present.length <= MAX_BINS) return Int32Array.from(present);
  const byCount = present.slice().sort((a, b) => counts[b] - counts[a] || a - b).slice(0, MAX_BINS);
  return Int32Array.from(byCount.sort((a, b) => a - b));
}

/** Rejects +-Infinity (NaN is a missing value, which the tree learners handle). */
export function checkNoInfinity(model: string, data: Dataset): void {
  for (let j = 0; j < data.features.length; j++) {
    const col = data.features[j];
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v === Infinity || v === -Infinity) {
        throw new DataError(
          'REBALANCE_NOT_FINITE',
          `${model}: expected finite or missing feature values, found ${v} in column '${data.featureNames[j]}' at row ${i + 1}; replace infinite values first`,
          { where: { row: i + 1, column: data.featureNames[j] } },
        );
      }
    }
  }
}

/**
 * Finds the bins of every feature from `rows` of `data` (all rows when null). The threshold
 * subsample (only when more than 200,000 rows) is drawn from `rng`.
 */
export function fitBins(data: Dataset, rows: Int32Array | null, rng: Rng, runner: ThresholdRunner | null = null): FeatureBins[] {
  const n = rows ? rows.length : data.nRows;
  let sample: Int32Array | null = rows;
  if (n > BINNING_SUBSAMPLE) {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = rows ? rows[i] : i;
    for (let i = 0; i < BINNING_SUBSAMPLE; i++) {
      const j = i + rng.nextInt(n - i);
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    sample = idx.slice(0, BINNING_SUBSAMPLE).sort();
  }
  const m = sample ? sample.length : n;
  const out: FeatureBins[] = new Array(data.features.length);
  const numeric: number[] = [];
  data.features.forEach((col, j) => {
    if (data.featureKinds[j] === 'categorical') out[j] = { kind: 'categorical', codes: categoricalCodes(col, rows, data.categories[j]?.length ?? 0) };
    else numeric.push(j);
  });
  const slots = runner ? Math.max(1, runner.slots) : 1;
  const buf = runner ? null : new Float64Array(m);
  for (let i = 0; i < numeric.length; i += slots) {
    const batch = numeric.slice(i, i + slots);
    const lengths = batch.map((j, slot) => {
      const col = data.features[j];
      const v = runner ? runner.stage(slot, m) : buf!;
      let k = 0;
      for (let t = 0; t < m; t++) {
        const x = col[sample ? sample[t] : t];
        if (x === x) v[k++] = x;
      }
      if (!runner) out[j] = { kind: 'numeric', thresholds: numericThresholds(v.subarray(0, k)) };
      return k;
    });
    if (runner) runner.run(lengths).forEach((thresholds, slot) => (out[batch[slot]] = { kind: 'numeric', thresholds }));
  }
  return out;
}

/** Bin of a numeric value: the number of thresholds strictly below it (NaN: MISSING_BIN). */
export function binOf(thresholds: Float64Array, v: number): number {
  if (v !== v) return MISSING_BIN;
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (thresholds[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bins of one numeric column's values: out[t] = binOf(thresholds, col[rows ? rows[t] : t]). */
function binNumeric(col: Float64Array, rows: Int32Array | null, th: Float64Array, o: Uint8Array): void {
  const m = o.length;
  const nt = th.length;
  if (nt === 0) {
    for (let t = 0; t < m; t++) {
      const v = col[rows ? rows[t] : t];
      o[t] = v === v ? 0 : MISSING_BIN;
    }
    return;
  }
  // Branch-free search: the thresholds padded with +Infinity to 255 (values are finite), eight
  // halvings count the thresholds strictly below v (binOf's answer).
  const pad = new Float64Array(255).fill(Infinity);
  pad.set(th);
  for (let t = 0; t < m; t++) {
    const v = rows ? col[rows[t]] : col[t];
    if (v !== v) {
      o[t] = MISSING_BIN;
      continue;
    }
    let b = pad[127] < v ? 128 : 0;
    b += pad[b + 63] < v ? 64 : 0;
    b += pad[b + 31] < v ? 32 : 0;
    b += pad[b + 15] < v ? 16 : 0;
    b += pad[b + 7] < v ? 8 : 0;
    b += pad[b + 3] < v ? 4 : 0;
    b += pad[b + 1] < v ? 2 : 0;
    b += pad[b] < v ? 1 : 0;
    o[t] = b;
  }
}

/**
 * Column-major Uint8 bins of `rows` of `data` (all rows when null) under `bins`:
 * out[j * m + t] is the bin of row rows[t] in feature j. Written into `into` when given (its
 * length must be m * bins.length).
 */
export function applyBins(data: Dataset, bins: readonly FeatureBins[], rows: Int32Array | null = null, into?: Uint8Array): Uint8Array {
  const m = rows ? rows.length : data.nRows;
  const out = into ?? new Uint8Array(m * bins.length);
  if (out.length !== m * bins.length) throw new RangeError(`applyBins: expected ${m * bins.length} bytes to write into, got ${out.length}`);
  for (let j = 0; j < bins.length; j++) binColumn(data.features[j], rows, bins[j], out.subarray(j * m, (j + 1) * m));
  return out;
}

/** Bins of one column's values under fb: o[t] = the bin of col[rows ? rows[t] : t]. */
export function binColumn(col: Float64Array, rows: Int32Array | null, fb: FeatureBins, o: Uint8Array): void {
  const m = o.length;
  if (fb.kind === 'numeric') {
    binNumeric(col, rows, fb.thresholds, o);
    return;
  }
  let maxCode = 0;
  for (let b = 0; b < fb.codes.length; b++) maxCode = Math.max(maxCode, fb.codes[b]);
  const lut = new Uint8Array(maxCode + 1).fill(MISSING_BIN);
  for (let b = 0; b < fb.codes.length; b++) lut[fb.codes[b]] = b;
  for (let t = 0; t < m; t++) {
    const v = col[rows ? rows[t] : t];
    o[t] = v >= 0 && v <= maxCode && Number.isInteger(v) ? lut[v] : MISSING_BIN;
  }
}
