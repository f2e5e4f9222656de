/**
 * CSV reading for every pass that needs cells: the records of csv-tokenizer.ts (the one
 * definition of a record) decoded to field text, with delimiter auto-detection. Yields batches of
 * raw field arrays.
 */
import { open } from 'node:fs/promises';
import { csvRecords, guessDelimiter, recordCells } from './csv-tokenizer.js';
import { ioErrorFrom } from './fs-errors.js';
import type { RowBatch } from './batch.js';

export interface CsvReadOptions {
  /** Field delimiter; undefined = auto-detect (',', tab, '|', ';'). */
  readonly delimiter?: string;
  /** Bytes per read (default REBALANCE_CSV_CHUNK_BYTES or 1 MiB); rows never depend on it. */
  readonly chunkSize?: number;
}

/** The delimiters auto-detection chooses from, in papaparse's order. */
export const GUESSED_DELIMITERS = [',', '\t', '|', ';'] as const;

/** The first bytes of a file (at most `size`), and whether that is the whole file. */
async function head(path: string, size: number): Promise<{ bytes: Buffer; eof: boolean }> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size + 1);
      const { bytesRead } = await fh.read(buf, 0, size + 1, 0);
      return { bytes: buf.subarray(0, Math.min(bytesRead, size)), eof: bytesRead <= size };
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
}

/** The delimiter of the CSV file at `path`, guessed from its first records (',' when none fits). */
export async function detectDelimiter(path: string): Promise<string> {
  let { bytes, eof } = await head(path, 1 << 20);
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  return guessDelimiter(bytes, eof, GUESSED_DELIMITERS) ?? ',';
}

/** Batches of data rows (header removed when `header`), one per read chunk that completes rows. */
export async function* csvBatches(
  path: string,
  options: CsvReadOptions & { header: boolean },
): AsyncGenerator<RowBatch & { header?: string[]; delimiter: string }> {
  const delimiter = options.delimiter ?? (await detectDelimiter(path));
  let offset = 0;
  let needHeader = options.header;
  for await (const recs of csvRecords(path, { delimiter, chunkSize: options.chunkSize, headerRecords: options.header ? 1 : 0 })) {
    let header: string[] | undefined;
    let r = 0;
    if (needHeader) {
      needHeader = false;
      header = recordCells(recs, 0);
      r = 1;
    }
    const rows: string[][] = new Array<string[]>(recs.count - r);
    for (let i = r; i < recs.count; i++) rows[i - r] = recordCells(recs, i);
    yield header ? { offset, rows, header, delimiter } : { offset, rows, delimiter };
    offset += rows.length;
  }
}
