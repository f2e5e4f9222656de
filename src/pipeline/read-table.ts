/**
 * A whole table in memory: the counting pass, then every kept row gathered into a Dataset
 * (numeric and categorical features, class codes, pass-through columns). A CSV file whose features
 * are all numbers and that has no pass-through columns is read once: the counting pass keeps the
 * values (ScanOptions.collectValues) and they become the feature columns.
 */
import { scanTable, type ScanOptions, type TableProfile } from '../dataset/scan.js';
import { openTable } from '../dataset/cell-semantics.js';
import type { ReadOptions } from '../io/source.js';
import type { Dataset } from '../types.js';
import { DatasetBuilder } from './collect.js';
import { featureColumns, featureKind } from './columns.js';
import { eachRow } from './passes.js';

/**
 * Reads a CSV or Arrow file (or '-' for stdin) into an in-memory Dataset. CSV cells in pandas'
 * default na_values ('NA', 'null', 'NaN', ...) are missing unless `naValues` says otherwise.
 * @example const data = await readTable('fraud.csv', { label: 'is_fraud' });
 */
export async function readTable(path: string | undefined, options: ReadOptions & ScanOptions = {}): Promise<Dataset> {
  const source = await openTable(path, options, options);
  try {
    const profile = await scanTable(source, { ...options, collectValues: source.format === 'csv' });
    const direct = datasetFromValues(profile);
    if (direct) return direct;
    const builder = new DatasetBuilder(profile, () => true, true);
    await eachRow({ source, profile }, (cells, r, code) => builder.add(cells, r, code));
    return { ...builder.finish(), rowIds: undefined };
  } finally {
    await source.close();
  }
}

/**
 * The Dataset of a counting pass that kept its values (see ScanOptions.collectValues): the same
 * one DatasetBuilder gathers from a second pass, or null when a feature is not a number column
 * or a pass-through column needs its text.
 */
export function datasetFromValues(profile: TableProfile): Dataset | null {
  const values = profile.values;
  if (!values) return null;
  if (profile.columns.some((c) => c.role === 'passthrough')) return null;
  const feats = featureColumns(profile);
  if (feats.some((c) => (c.kind !== 'int' && c.kind !== 'float') || !values[c.index])) return null;
  const { labels: codes, rowsRead, nRows } = profile;
  let features: Float64Array[];
  let labels: Int32Array;
  if (nRows === rowsRead) {
    features = feats.map((c) => values[c.index]!);
    labels = codes;
  } else {
    labels = new Int32Array(nRows);
    features = feats.map((c) => {
      const all = values[c.index]!;
      const out = new Float64Array(nRows);
      let i = 0;
      for (let r = 0; r < rowsRead; r++) if (codes[r] >= 0) out[i++] = all[r];
      return out;
    });
    let i = 0;
    for (let r = 0; r < rowsRead; r++) if (codes[r] >= 0) labels[i++] = codes[r];
  }
  return {
    nRows,
    featureNames: feats.map((c) => c.name),
    features,
    featureKinds: feats.map(featureKind),
    categories: feats.map((c) => c.categories),
    labels,
    classNames: profile.classNames,
    passthrough: new Map(),
    rowIds: undefined,
  };
}
