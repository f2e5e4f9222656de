/**
 * Stratified k-fold splits (scikit-learn StratifiedKFold(shuffle=True) semantics, our Rng).
 *
 * Allocation follows scikit-learn: rows are laid out class by class (classes in order of first
 * appearance, as scikit-learn encodes them) and dealt
 * round robin to the folds, so every class is spread over the folds with per-fold sizes that
 * differ by at most one, and total fold sizes differ by at most one too. Within each class the
 * fold assignments are then shuffled with the given stream.
 */
import { DataError, UsageError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

function checkFolds(folds: number): void {
  if (!Number.isInteger(folds) || folds < 2) {
    throw new UsageError(
      'REBALANCE_BAD_FOLDS',
      `expected --folds to be an integer >= 2, got ${folds}; pass e.g. --folds 5`,
    );
  }
}

/**
 * Splits rows into `folds` stratified test folds.
 *
 * @param labels class code of each row
 * @param nClasses number of class codes (classes with no rows are ignored)
 * @param folds number of folds (>= 2)
 * @param rng the stream that shuffles fold assignments within each class
 * @returns the test-fold row indices of each fold, each ascending; together a partition of the rows
 * @throws DataError REBALANCE_TOO_FEW_ROWS when a present class has fewer rows than folds
 *   (some test fold would miss that class entirely)
 */
export function stratifiedKFold(labels: Int32Array, nClasses: number, folds: number, rng: Rng): Int32Array[] {
  checkFolds(folds);
  const n = labels.length;
  const counts = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0 || c >= nClasses) {
      throw new DataError('REBALANCE_BAD_LABEL', `expected class codes in [0, ${nClasses}), found ${c} at row ${i}`);
    }
    counts[c]++;
  }
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] > 0 && counts[c] < folds) {
      throw new DataError(
        'REBALANCE_TOO_FEW_ROWS',
        `expected at least ${folds} rows of class code ${c} for ${folds} folds, found ${counts[c]}; use fewer --folds or gather more rows of that class`,
      );
    }
  }

  // Classes in order of first appearance (scikit-learn's encoding), then row indices grouped by
  // class in that order, ascending within a class.
  const order: number[] = [];
  const listed = new Uint8Array(nClasses);
  for (let i = 0; i < n; i++) {
    if (!listed[labels[i]]) {
      listed[labels[i]] = 1;
      order.push(labels[i]);
    }
  }
  const start = new Int32Array(nClasses + 1);
  const first = new Int32Array(nClasses);
  for (let o = 0; o < order.length; o++) {
    first[order[o]] = start[o];
    start[o + 1] = start[o] + counts[order[o]];
  }
  const byClass = new Int32Array(n);
  for (let i = 0; i < n; i++) byClass[first[labels[i]]++] = i;

  // Position p in the class-ordered layout goes to fold p % folds (round robin over sorted y).
  const foldOf = new Int32Array(n);
  const assign = new Int32Array(n);
  for (let p = 0; p < n; p++) assign[p] = p % folds;
  for (let o = 0; o < order.length; o++) {
    const lo = start[o];
    const hi = start[o + 1];
    // sklearn repeats fold ids in blocks then shuffles; the multiset is what matters.
    assign.subarray(lo, hi).sort();
    for (let i = hi - 1; i > lo; i--) {
      const j = lo + rng.nextInt(i - lo + 1);
      const t = assign[i];
      assign[i] = assign[j];
      assign[j] = t;
    }
    for (let p = lo; p < hi; p++) foldOf[byClass[p]] = assign[p];
  }

  const sizes = new Int32Array(folds);
  for (let i = 0; i < n; i++) sizes[foldOf[i]]++;
  const out = Array.from(sizes, (s) => new Int32Array(s));
  const pos = new Int32Array(folds);
  for (let i = 0; i < n; i++) {
    const f = foldOf[i];
    out[f][pos[f]++] = i;
  }
  return out;
}

/**
 * `repeats` independent stratified k-fold splits, repeat r drawn from `rng.fork('repeat/' + r)`.
 *
 * @returns repeats * folds test folds; fold f of repeat r is at index r * folds + f
 */
export function repeatedStratifiedKFold(
  labels: Int32Array,
  nClasses: number,
  folds: number,
  rng: Rng,
  repeats: number,
): Int32Array[] {
  if (!Number.isInteger(repeats) || repeats < 1) {
    throw new UsageError(
      'REBALANCE_BAD_REPEATS',
      `expected --repeats to be an integer >= 1, got ${repeats}; pass e.g. --repeats 1`,
    );
  }
  const out: Int32Array[] = [];
  for (let r = 0; r < repeats; r++) out.push(...stratifiedKFold(labels, nClasses, folds, rng.fork('repeat/' + r)));
  return out;
}

/** The rows of 0..n-1 not in `test` (ascending `test`), ascending: the training rows of a fold. */
export function complementRows(n: number, test: Int32Array): Int32Array {
  const out = new Int32Array(n - test.length);
  let t = 0;
  let o = 0;
  for (let i = 0; i < n; i++) {
    if (t < test.length && test[t] === i) t++;
    else out[o++] = i;
  }
  return out;
}
