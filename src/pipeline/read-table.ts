/**
 * A whole table in memory: the counting pass, then every kept row gathered into a Dataset
 * (numeric and categorical features, class codes, pass-through columns).
 */
import { scanTable, type ScanOptions } from '../dataset/scan.js';
import { openTable } from '../dataset/cell-semantics.js';
import type { ReadOptions } from '../io/source.js';
import type { Dataset } from '../types.js';
import { DatasetBuilder } from './collect.js';
import { eachRow } from './passes.js';

/**
 * Reads a CSV or Arrow file (or '-' for stdin) into an in-memory Dataset. CSV cells in pandas'
 * default na_values ('NA', 'null', 'NaN', ...) are missing unless `naValues` says otherwise.
 * @example const data = await readTable('fraud.csv', { label: 'is_fraud' });
 */
export async function readTable(path: string | undefined, options: ReadOptions & ScanOptions = {}): Promise<Dataset> {
  const source = await openTable(path, options, options);
  try {
    const profile = await scanTable(source, options);
    const builder = new DatasetBuilder(profile, () => true, true);
    await eachRow({ source, profile }, (cells, r, code) => builder.add(cells, r, code));
    return { ...builder.finish(), rowIds: undefined };
  } finally {
    await source.close();
  }
}
