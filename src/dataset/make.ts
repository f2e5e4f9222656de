/**
 * Building Datasets from plain arrays (library users, tests) and taking row subsets.
 */
import { DataError } from '../core/errors.js';
import type { Dataset, FeatureKind } from '../types.js';

/** Sorts class names as numpy.unique does for the column pandas would read: numerically if all are numbers. */
export function sortClassNames(names: Iterable<string>): string[] {
  const list = [...new Set(names)];
  const numeric = list.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  if (numeric) return list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface MakeDatasetInput {
  /** Feature columns by name, in order. */
  readonly features: Readonly<Record<string, ArrayLike<number>>>;
  /** Class label of each row. */
  readonly labels: ArrayLike<string | number>;
  readonly featureKinds?: Readonly<Record<string, FeatureKind>>;
  readonly categories?: Readonly<Record<string, readonly string[]>>;
  readonly passthrough?: Readonly<Record<string, readonly (string | null)[]>>;
}

/** Builds a Dataset, inferring 'int' for all-integer columns and 'float' otherwise. */
export function makeDataset(input: MakeDatasetInput): Dataset {
  const featureNames = Object.keys(input.features);
  const nRows = input.labels.length;
  const features = featureNames.map((name) => {
    const src = input.features[name];
    if (src.length !== nRows) {
      throw new DataError('REBALANCE_SHAPE', `feature '${name}' has ${src.length} values, expected ${nRows} (one per label)`);
    }
    return Float64Array.from(src as ArrayLike<number>);
  });
  const featureKinds = featureNames.map((name, j): FeatureKind => {
    const given = input.featureKinds?.[name];
    if (given) return given;
    return features[j].every((x) => Number.isInteger(x)) ? 'int' : 'float';
  });
  const categories = featureNames.map((name) => input.categories?.[name]);
  const labelStrings = Array.from(input.labels as ArrayLike<string | number>, (v) => String(v));
  const classNames = sortClassNames(labelStrings);
  const codeOf = new Map(classNames.map((c, i) => [c, i]));
  const labels = Int32Array.from(labelStrings, (s) => codeOf.get(s)!);
  const passthrough = new Map(Object.entries(input.passthrough ?? {}));
  return { nRows, featureNames, features, featureKinds, categories, labels, classNames, passthrough };
}

/** Rows of `data` at `rows` (Dataset row indices), keeping rowIds pointing at the source rows. */
export function takeRows(data: Dataset, rows: ArrayLike<number>): Dataset {
  const n = rows.length;
  const features = data.features.map((col) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = col[rows[i]];
    return out;
  });
  const labels = new Int32Array(n);
  const rowIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = data.labels[rows[i]];
    rowIds[i] = data.rowIds ? data.rowIds[rows[i]] : rows[i];
  }
  const passthrough = new Map<string, (string | null)[]>();
  for (const [name, col] of data.passthrough) {
    passthrough.set(name, Array.from({ length: n }, (_, i) => col[rows[i]]));
  }
  return { ...data, nRows: n, features, labels, rowIds, passthrough };
}

/** Number of rows of each class code, over `rows` (Dataset row indices) or every row. */
export function classCounts(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): Int32Array {
  const counts = new Int32Array(nClasses);
  if (rows) for (let i = 0; i < rows.length; i++) counts[labels[rows[i]]]++;
  else for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
