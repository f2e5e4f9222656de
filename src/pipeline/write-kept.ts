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
  // No promise per row unless the writer has to wait (its buffer written out).
  const write = (row: PassRow, r: number, code: number, times: number): Promise<void> | void => {
    for (let t = 0; t < times; t++) {
      const p = writer.original(row, r, code);
      if (p) return p.then(() => write(row, r, code, times - t - 1));
    }
  };
  await eachPassRow(pass, raw, (row, r, code) => {
    if (dupRows.has(r)) dupRows.set(r, holdRow(row));
    return write(row, r, code, keep[r]);
  });
  for (const i of res.duplicates ?? []) {
    const p = writer.copy(dupRows.get(ids[i])!, ids[i], data.labels[i]);
    if (p) await p;
  }
  await writeSynthetic(res.synthetic, data, writer, progress);
}
