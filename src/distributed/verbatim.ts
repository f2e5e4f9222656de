/**
 * A partition whose every row is written once, unchanged (the synthesize route's pass-through; a
 * cleaning plan that removes none of its rows), copied as bytes when the file is plain CSV: no
 * '"' and no '\r' anywhere. Then each record is one line ending in '\n' (csv-tokenizer.ts), and
 * the row pass with raw rows (io/row-writer.ts original) writes the sink's header and each record
 * followed by '\n': the file's data bytes, plus a '\n' after a last line that has none. Blank
 * lines (not records) and dropped rows (missing values, bad rows) make more lines than the rows
 * the plan counted, so the copy counts the lines and answers null on any difference, as on a
 * quote, a CR, a compressed file or a format the row pass would re-encode: the caller then takes
 * the row pass. Written through the same sink, so a compressed output is compressed the same way.
 */
import { open } from 'node:fs/promises';
import { Utf8 } from 'apache-arrow';
import { ioErrorFrom } from '../io/fs-errors.js';
import { outputFormatFor } from '../io/format.js';
import { rawCopyPossible } from '../io/row-writer.js';
import { openSink } from '../io/sink.js';
import { openSource, type ReadOptions } from '../io/source.js';
import type { CsvSink } from '../io/csv-write.js';
import type { DistPlan } from './plan.js';

const CHUNK = 1 << 20;
const LF = 10;
const CR = 13;
const QUOTE = 34;

export interface VerbatimStep {
  readonly input: string;
  readonly plan: DistPlan;
  readonly index: number;
  readonly output?: string;
  readonly format?: string;
  readonly read?: ReadOptions;
}

/** Copies partition `index` as bytes; its rows written (the plan's count), or null when the row pass must run. */
export async function copyPlainPartition(step: VerbatimStep): Promise<number | null> {
  const entry = step.plan.partitions[step.index];
  if (entry === undefined || step.output === undefined || step.output === '-') return null;
  const source = await openSource(step.input, step.read);
  let columns: readonly string[];
  let path: string;
  let header: boolean;
  let format;
  try {
    const csv = source.csv;
    format = outputFormatFor(step.output, step.format, source.format);
    if (source.format !== 'csv' || source.compression !== undefined || csv?.path === undefined || !rawCopyPossible(source, format, false)) return null;
    columns = source.columns;
    path = csv.path;
    header = csv.header;
  } finally {
    await source.close();
  }
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw ioErrorFrom(e, step.input, 'open');
  }
  const sink = (await openSink(step.output, format, columns.map((name) => ({ name, type: new Utf8(), nullable: true })), { delimiter: format === 'csv' ? ',' : undefined })) as unknown as CsvSink;
  let done = false;
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let inHeader = header;
    let lines = 0;
    let last = LF; // the last data byte copied (LF: none yet)
    const signal = step.read?.signal;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      let n: number;
      try {
        n = (await fh.read(buf, 0, CHUNK, null)).bytesRead;
      } catch (e) {
        throw ioErrorFrom(e, step.input, 'read');
      }
      if (n === 0) break;
      let from = 0;
      if (inHeader) {
        // The header record ends at its first line break (no quote or CR in it either).
        const lf = buf.indexOf(LF);
        const end = lf < 0 || lf >= n ? n : lf;
        const head = buf.subarray(0, end);
        if (head.includes(QUOTE) || head.includes(CR)) return null;
        if (lf < 0 || lf >= n) continue;
        inHeader = false;
        from = lf + 1;
      }
      const data = buf.subarray(from, n);
      if (data.length === 0) continue;
      if (data.includes(QUOTE) || data.includes(CR)) return null;
      for (let p = data.indexOf(LF); p >= 0; p = data.indexOf(LF, p + 1)) lines++;
      last = data[data.length - 1];
      await sink.writeBytes(data);
    }
    if (inHeader) return null;
    if (last !== LF) {
      lines++;
      await sink.writeBytes(Buffer.from('\n'));
    }
    if (lines !== entry.rows) return null;
    await sink.finish();
    done = true;
    return lines;
  } finally {
    if (!done) await sink.abort().catch(() => undefined);
    await fh.close();
  }
}
