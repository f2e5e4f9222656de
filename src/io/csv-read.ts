/**
 * Streaming CSV reading through papaparse: RFC 4180 quoting (embedded delimiters, quotes and
 * newlines), CRLF, delimiter auto-detection, UTF-8 (strict: invalid bytes are a data error)
 * with the BOM stripped, blank lines skipped. Yields batches of raw field arrays.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { DataError } from '../core/errors.js';
import { ioErrorFrom } from './fs-errors.js';
import type { RowBatch } from './batch.js';

export interface CsvReadOptions {
  /** Field delimiter; undefined = auto-detect (',', tab, '|', ';'). */
  readonly delimiter?: string;
  /** Line break; undefined = auto-detect. Passes after the first reuse the detected one. */
  readonly newline?: string;
  /** Rows per batch (default 16384). */
  readonly batchSize?: number;
}

export interface CsvChunk {
  readonly rows: string[][];
  readonly delimiter: string;
  /** The line break papaparse detected ('\n', '\r\n' or '\r'). */
  readonly linebreak: string;
}

async function* decodeUtf8(path: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  try {
    for await (const buf of createReadStream(path, { highWaterMark: 1 << 20 })) {
      let text: string;
      try {
        text = decoder.decode(buf as Buffer, { stream: true });
      } catch (e) {
        throw new DataError('REBALANCE_BAD_UTF8', `invalid UTF-8 near byte ${offset}; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`, { where: { file: path }, cause: e });
      }
      offset += (buf as Buffer).length;
      if (text.length) yield text;
    }
    const tail = decoder.decode();
    if (tail.length) yield tail;
  } catch (e) {
    if (e instanceof DataError) throw e;
    if (e instanceof TypeError) {
      throw new DataError('REBALANCE_BAD_UTF8', `invalid UTF-8 at the end of the input; re-encode the file as UTF-8`, { where: { file: path }, cause: e });
    }
    throw ioErrorFrom(e, path, 'read');
  }
}

/** Rows read with '\n' line breaks from '\r\n' lines end in '\r': drop it from the last field. */
function stripCarriageReturns(rows: string[][]): void {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const last = row[row.length - 1];
    if (last !== undefined && last.charCodeAt(last.length - 1) === 13) row[row.length - 1] = last.slice(0, -1);
  }
}

/** Blank (empty or whitespace-only) lines are skipped, as papaparse's 'greedy' mode, but cheaper. */
function dropBlankLines(rows: string[][]): string[][] {
  let blank = 0;
  for (let i = 0; i < rows.length; i++) if (rows[i].length === 1 && rows[i][0].trim() === '') blank++;
  if (blank === 0) return rows;
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ''));
}

/**
 * Parses the CSV file at `path` (header row included as the first row), yielding chunks of rows.
 * Consumes lazily: papaparse is paused between chunks, so memory stays bounded.
 */
export async function* readCsvRows(path: string, options: CsvReadOptions = {}): AsyncGenerator<CsvChunk> {
  const queue: Papa.ParseResult<string[]>[] = [];
  let finished = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  let parser: Papa.Parser | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const text = Readable.from(decodeUtf8(path), { objectMode: false });
  Papa.parse<string[]>(text as unknown as NodeJS.ReadableStream as unknown as File, {
    delimiter: options.delimiter ?? '',
    newline: (options.newline ?? '') as '\n',
    delimitersToGuess: [',', '\t', '|', ';'],
    skipEmptyLines: false,
    header: false,
    dynamicTyping: false,
    chunk(results: Papa.ParseResult<string[]>, p: Papa.Parser) {
      queue.push(results);
      parser = p;
      p.pause();
      notify();
    },
    complete() {
      finished = true;
      notify();
    },
    error(err: Error) {
      failure = err;
      finished = true;
      notify();
    },
  } as Papa.ParseConfig<string[]> as never);

  let rowBase = 0;
  try {
    for (;;) {
      if (queue.length) {
        const res = queue.shift()!;
        const bad = res.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
        if (bad) {
          const row = rowBase + (bad.row ?? 0);
          throw new DataError(
            'REBALANCE_CSV_QUOTES',
            `${bad.code === 'MissingQuotes' ? 'unterminated quoted field' : 'stray quote in a field'} (data row ${Math.max(row, 1)}); close the quote or escape embedded quotes as ""`,
            { where: { file: path, row: Math.max(row, 1) } },
          );
        }
        rowBase += res.data.length;
        const rows = dropBlankLines(res.data);
        if (options.newline === '\n') stripCarriageReturns(rows);
        yield { rows, delimiter: res.meta.delimiter, linebreak: res.meta.linebreak };
        if (!queue.length && !finished) (parser as Papa.Parser | null)?.resume();
        continue;
      }
      if (failure) {
        if (failure instanceof DataError) throw failure;
        if (failure instanceof RangeError) {
          throw new DataError('REBALANCE_FIELD_TOO_LARGE', `a field or row is larger than a JavaScript string can hold (~512 MB); check the file for an unterminated quote`, { where: { file: path }, cause: failure });
        }
        throw ioErrorFrom(failure, path, 'read');
      }
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished) {
      (parser as Papa.Parser | null)?.abort();
      text.destroy();
    }
  }
}

/** Batches of data rows (header removed when `header`), re-chunked to `batchSize`. */
export async function* csvBatches(
  path: string,
  options: CsvReadOptions & { header: boolean },
): AsyncGenerator<RowBatch & { header?: string[]; delimiter: string; linebreak: string }> {
  let offset = 0;
  let first = true;
  for await (const chunk of readCsvRows(path, options)) {
    let rows = chunk.rows;
    let header: string[] | undefined;
    if (first) {
      first = false;
      if (options.header && rows.length) {
        header = rows[0];
        rows = rows.slice(1);
      }
      yield { offset, rows, header, delimiter: chunk.delimiter, linebreak: chunk.linebreak };
      offset += rows.length;
      continue;
    }
    yield { offset, rows, delimiter: chunk.delimiter, linebreak: chunk.linebreak };
    offset += rows.length;
  }
}
