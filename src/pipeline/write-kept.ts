/**
 * The last pass of an 'all'-scope sampler: the kept rows in input order (each as many times as
 * `indices` holds it), then the duplicates, then the generated rows.
 */
import { holdRow, type PassRow, type RowWriter } from '../io/row-writer.js';
import type { Dataset, Resampled } from '../types.js';
import { eachPassRow, type Pass } from './passes.js';
import type { JobProgress } from './progress.js';
import { writeSynthetic } from './write-synthetic.js';

/** `data` is the gathered Dataset the sampler saw (its rowIds name the input rows). */
export async function writeKept(pass: Pass, raw: boolean, res: Resampled, data: Dataset, writer: RowWriter, progress?: JobProgress): Promise<void> {
  const ids = data.rowIds!;
  const keep = new Uint8Array(pass.profile.rowsRead);
  for (const i of res.indices) keep[ids[i]]++;
  const dupRows = new Map<number, PassRow | null>();
  for (const i of res.duplicates ?? []) dupRows.set(ids[i], null);
  await eachPassRow(pass, raw, (row, r, code) => {
    if (dupRows.has(r)) dupRows.set(r, holdRow(row));
    return writer.originals(row, r, code, keep[r]); // no promise per row unless the writer must wait
  });
  for (const i of res.duplicates ?? []) {
    const p = writer.copy(dupRows.get(ids[i])!, ids[i], data.labels[i]);
    if (p) await p;
  }
  await writeSynthetic(res.synthetic, data, writer, progress);
}
