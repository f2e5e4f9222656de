/**
 * The passes of a job over its source after the counting pass: every kept row (dropped rows
 * skipped) with its input row index and class code, in input order.
 */
import type { Cell } from '../io/batch.js';
import { parseRawRow } from '../io/csv-raw.js';
import type { PassRow } from '../io/row-writer.js';
import type { TableSource } from '../io/source.js';
import type { TableProfile } from '../dataset/scan.js';

/** Reports rows done of one step (see ResampleJob.onProgress). */
export type StepReport = (rows: number) => void;

/** What a pass reads: the source, its counting pass, and how it reports. */
export interface Pass {
  readonly source: TableSource;
  readonly profile: TableProfile;
  readonly signal?: AbortSignal;
  /** Hears the rows read after each batch, and all of them at the end. */
  readonly report?: StepReport;
}

/** Iterates the kept rows as parsed cells. */
export async function eachRow(pass: Pass, fn: (cells: Cell[], row: number, code: number) => Promise<void> | void): Promise<void> {
  const { source, profile, signal, report } = pass;
  const labels = profile.labels;
  for await (const batch of source.batches()) {
    signal?.throwIfAborted();
    const rows = batch.rows;
    for (let i = 0; i < rows.length; i++) {
      const r = batch.offset + i;
      const code = labels[r];
      if (code < 0) continue;
      const p = fn(rows[i], r, code);
      if (p) await p;
    }
    report?.(Math.min(profile.rowsRead, batch.offset + rows.length));
  }
  report?.(profile.rowsRead);
}

/**
 * A writing pass: the kept rows as PassRows. With `raw` (see rawCopyPossible) rows arrive as
 * their bytes and are parsed only when `cells()` is called. Both passes read the records of the
 * one CSV tokenizer (io/csv-tokenizer.ts), so they see the same rows; the count is still checked.
 */
export async function eachPassRow(pass: Pass, raw: boolean, fn: (row: PassRow, r: number, code: number) => Promise<void> | void): Promise<void> {
  const { source, profile, signal, report } = pass;
  if (!raw || !source.rawRows) {
    await eachRow(pass, (cells, r, code) => fn({ raw: null, cells: () => cells }, r, code));
    return;
  }
  const labels = profile.labels;
  const delimiter = source.delimiter ?? ',';
  let r = 0;
  for await (const chunk of source.rawRows()) {
    signal?.throwIfAborted();
    for (const bytes of chunk.rows) {
      const row = r++;
      if (row >= labels.length) break;
      const code = labels[row];
      if (code < 0) continue;
      const p = fn({ raw: bytes, delimiter, cells: () => parseRawRow(bytes, delimiter) }, row, code);
      if (p) await p;
    }
    report?.(Math.min(profile.rowsRead, r));
  }
  report?.(profile.rowsRead);
  if (r !== profile.rowsRead) {
    throw new Error(`internal: CSV passes read different row counts (${profile.rowsRead} rows counted, ${r} rows on the writing pass) in ${source.name}`);
  }
}
