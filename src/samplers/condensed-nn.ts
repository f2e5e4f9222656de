/**
 * Condensed nearest neighbour (imbalanced-learn `CondensedNearestNeighbour`, Hart 1968). For each
 * class being cleaned: start a store with every minority row plus one row of the class drawn from
 * `rng.fork('condensed-nn/' + className)`; scan the class's rows in order and add each row that
 * the k-NN vote of the store (k = nNeighbors, default 1; ties to the lower class code) gets
 * wrong. Kept rows of the class: the store's rows of that class. The minority and the classes
 * not cleaned are kept whole.
 *
 * Difference: imbalanced-learn 0.10 mixes row indices and class positions when it skips rows it
 * already classifies correctly; this file implements Hart's rule (a row is added iff the
 * current store misclassifies it), which that code intends. Seeded, so only counts are compared
 * with imbalanced-learn.
 *
 * Neighbours: the first k of each row come from `ctx.knn`; later store additions update them
 * incrementally (exact float64 distances on the packed rows), since each decision depends on the
 * previous ones. Ties go to the lower row index.
 */
import { DataError } from '../core/errors.js';
import { packForKnn } from '../dataset/pack.js';
import type { Dataset, SamplerContext } from '../types.js';
import { CLEANING, defineSampler } from './define.js';
import { cleanClassMask, minorityClass } from './shared/classes.js';
import { queryNeighbors } from './shared/neighbours.js';
import { condenseOptions } from './shared/options.js';
import { condenseEachClass } from './shared/per-class.js';
import { maskToRows, rowsOfClass, throwIfAborted } from './shared/rows.js';

/** Squared float64 distance between packed rows a and b (row-major, dim columns). */
function dist2(packed: Float32Array, dim: number, a: number, b: number): number {
  let s = 0;
  const ia = a * dim;
  const ib = b * dim;
  for (let j = 0; j < dim; j++) {
    const t = packed[ia + j] - packed[ib + j];
    s += t * t;
  }
  return s;
}

/** Majority label of k neighbour rows (ties to the lower class code). */
function vote(labels: Int32Array, rows: Int32Array, base: number, k: number, votes: Int32Array): number {
  votes.fill(0);
  for (let t = 0; t < k; t++) votes[labels[rows[base + t]]]++;
  let best = 0;
  for (let c = 1; c < votes.length; c++) if (votes[c] > votes[best]) best = c;
  return best;
}

/**
 * Hart's condensation of one class. Returns the kept rows of `classRows` (ascending).
 * `store0` = minority rows; `seed` = the drawn row of the class.
 */
export async function condenseClass(
  data: Dataset,
  packed: Float32Array,
  store0: Int32Array,
  classRows: Int32Array,
  seed: number,
  k: number,
  ctx: SamplerContext,
): Promise<Int32Array> {
  const dim = data.features.length;
  const store = Int32Array.from([...store0, seed]);
  if (store.length < k) {
    throw new DataError(
      'REBALANCE_CLASS_TOO_SMALL',
      `condensed-nn needs at least ${k} rows in the minority class plus one seed, found ${store.length}; lower nNeighbors to ${store.length}`,
    );
  }
  const m = classRows.length;
  // top-k of each class row among the store: rows and squared distances, sorted by (d2, row).
  const nnRows = new Int32Array(m * k);
  const nnD2 = new Float64Array(m * k);
  await queryNeighbors(data, store, classRows, k, ctx, (first, count, idx) => {
    for (let q = 0; q < count; q++) {
      const p = first + q;
      for (let t = 0; t < k; t++) {
        const r = store[idx[q * k + t]];
        nnRows[p * k + t] = r;
        nnD2[p * k + t] = dist2(packed, dim, classRows[p], r);
      }
      sortNeighbours(nnRows, nnD2, p * k, k);
    }
  });
  const votes = new Int32Array(data.classNames.length);
  const own = data.labels[seed];
  const kept: number[] = [seed];
  for (let p = 0; p < m; p++) {
    const row = classRows[p];
    if (row === seed) continue;
    if (vote(data.labels, nnRows, p * k, k, votes) === own) continue;
    kept.push(row);
    // The store gained `row`: update the neighbours of the rows still to be scanned.
    for (let q = p + 1; q < m; q++) {
      const d2 = dist2(packed, dim, classRows[q], row);
      insertNeighbour(nnRows, nnD2, q * k, k, row, d2);
    }
    if ((kept.length & 63) === 0) throwIfAborted(ctx);
  }
  return Int32Array.from(kept).sort();
}

/** Sorts one k-block by (distance, row). */
function sortNeighbours(rows: Int32Array, d2: Float64Array, base: number, k: number): void {
  for (let i = 1; i < k; i++) {
    const r = rows[base + i];
    const d = d2[base + i];
    let j = i - 1;
    while (j >= 0 && (d2[base + j] > d || (d2[base + j] === d && rows[base + j] > r))) {
      rows[base + j + 1] = rows[base + j];
      d2[base + j + 1] = d2[base + j];
      j--;
    }
    rows[base + j + 1] = r;
    d2[base + j + 1] = d;
  }
}

/** Inserts (row, d2) into a sorted k-block when it beats the last entry. */
function insertNeighbour(rows: Int32Array, d2: Float64Array, base: number, k: number, row: number, d: number): void {
  const last = base + k - 1;
  if (d > d2[last] || (d === d2[last] && row > rows[last])) return;
  let j = last - 1;
  while (j >= base && (d2[j] > d || (d2[j] === d && rows[j] > row))) {
    rows[j + 1] = rows[j];
    d2[j + 1] = d2[j];
    j--;
  }
  rows[j + 1] = row;
  d2[j + 1] = d;
}

/** `condensed-nn`: options.nNeighbors (1), options.classes; seeded by `rng.fork('condensed-nn/<class>')`. */
export const condensedNnDefinition = defineSampler({
  ...CLEANING,
  name: 'condensed-nn',
  summary: "condensed nearest neighbour (Hart): keep only the rows a growing 1-NN store misclassifies",
  bind: (options) => condenseOptions('condensed-nn', options),
  async run(data, plan, rng, ctx, { k, classes }) {
    const minority = rowsOfClass(data.labels, minorityClass(data.labels, data.classNames.length));
    const packed = packForKnn(data, ctx.scale);
    const keep = await condenseEachClass(data, cleanClassMask(data, plan, classes), rng, 'condensed-nn', ctx, (_c, classRows, seedPos) =>
      condenseClass(data, packed, minority, classRows, classRows[seedPos], k, ctx),
    );
    const indices = maskToRows(keep);
    return { indices, synthetic: null, plan };
  },
});
