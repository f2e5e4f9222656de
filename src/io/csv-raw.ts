/**
 * Raw CSV rows for the writing pass of CSV -> CSV jobs: kept rows are copied byte for byte (no
 * field parsing, no re-quoting). The rows are the records of csv-tokenizer.ts, the same
 * tokenizer the counting pass reads through, so both passes see the same rows by construction.
 */
import type { Cell } from './batch.js';
import { csvRecords, recordBytes, recordCells, tokenizeBuffer } from './csv-tokenizer.js';

export interface RawRows {
  /** The header record's bytes, when header = true. */
  readonly header?: Buffer;
  /** Data rows, each without its line break. */
  readonly rows: Buffer[];
}

/**
 * The cells of one raw row (its bytes, as readRawCsvRows yields them), parsed by the same
 * tokenizer: for rows the writer cannot copy byte for byte (copies to other formats, rows a
 * sampler gathers).
 */
export function parseRawRow(bytes: Buffer, delimiter: string): Cell[] {
  const recs = tokenizeBuffer(bytes, delimiter);
  return recs.count ? recordCells(recs, 0) : [];
}

export async function* readRawCsvRows(path: string, options: { delimiter: string; header: boolean; chunkSize?: number }): AsyncGenerator<RawRows> {
  let needHeader = options.header;
  for await (const recs of csvRecords(path, { delimiter: options.delimiter, chunkSize: options.chunkSize, headerRecords: options.header ? 1 : 0 })) {
    let header: Buffer | undefined;
    let r = 0;
    if (needHeader) {
      needHeader = false;
      header = Buffer.from(recordBytes(recs, 0));
      r = 1;
    }
    const rows = new Array<Buffer>(recs.count - r);
    for (let i = r; i < recs.count; i++) rows[i - r] = recordBytes(recs, i);
    yield header ? { header, rows } : { rows };
  }
}
