/**
 * One factory for every input kind: a path or '-'/stdin, CSV or Arrow (file or stream format,
 * detected by magic bytes). Stdin is spooled to a temporary file (not RAM) so that samplers can
 * make the two passes they need. `batches()` restarts from the first data row on every call.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants, createWriteStream, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Schema } from 'apache-arrow';
import { DataError, UsageError } from '../core/errors.js';
import type { RowBatch } from './batch.js';
import { arrowRecordBatches } from './arrow-read.js';
import { csvBatches } from './csv-read.js';
import { readRawCsvRows, type RawRows } from './csv-raw.js';
import { csvRecords, type CsvRecords } from './csv-tokenizer.js';
import { decompressFile } from './compress.js';
import { compressionFromName, sniffCompression, sniffFormat, type InputFormat } from './format.js';
import { ioErrorFrom } from './fs-errors.js';
import { parquetRecordBatches, readParquetInfo } from './parquet-read.js';

export interface ReadOptions {
  /** CSV: first row is a header (default true); without it columns are col0, col1, ... */
  readonly header?: boolean;
  /** CSV delimiter; default auto-detect (from .tsv: tab). */
  readonly delimiter?: string;
  /** Force the input format instead of sniffing magic bytes. */
  readonly format?: InputFormat;
  /** Rows per batch handed to the pipeline (default 16384). Output never depends on it. */
  readonly batchSize?: number;
  /** Where stdin is spooled (default os.tmpdir()). */
  readonly tmpDir?: string;
  /** Stops a spool that waits for input (stdin, a named pipe) on SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
}

export interface TableSource {
  /** Name for messages: the path, or '<stdin>'. */
  readonly name: string;
  readonly format: InputFormat;
  readonly columns: readonly string[];
  readonly arrowSchema?: Schema;
  /** gzip or zstd when the input was compressed (it is read decompressed). */
  readonly compression?: 'gzip' | 'zstd';
  /** One-line notices about how the input is read (Parquet decimals as numbers), for the user. */
  readonly notices?: readonly string[];
  /** The CSV delimiter in use (detected or given). */
  readonly delimiter?: string;
  batches(): AsyncGenerator<RowBatch>;
  /**
   * CSV only: the data rows as raw bytes, the records batches() reads (one tokenizer,
   * csv-tokenizer.ts), for verbatim copying.
   */
  rawRows?(): AsyncGenerator<RawRows>;
  /**
   * CSV files: the tokenizer's records as bytes, for the counting pass's byte path. It stands for
   * `batches()` only while `csv.batches === batches` (a wrapper that changes batches() and not
   * this breaks the identity, and the counting pass then reads batches()).
   */
  readonly csv?: CsvByteAccess;
  close(): Promise<void>;
}

/** A CSV source's records as bytes, and what its cells mean (see TableSource.csv). */
export interface CsvByteAccess {
  /** The records (the header record first when `header`), as csv-tokenizer.ts defines them. */
  records(): AsyncGenerator<CsvRecords>;
  readonly header: boolean;
  readonly delimiter: string;
  /** The file's size in bytes. */
  readonly size: number;
  /** The file, when the input was named (not stdin, a pipe or a decompressed copy): the counting pass may read it in parallel. */
  readonly path?: string;
  /** Rows per batch of batches() (ReadOptions.batchSize): how often `onRows` hears. */
  readonly batchRows: number;
  /** Told the data rows read at every multiple of batchRows (a progress display; pipeline/progress.ts). */
  readonly onRows?: (rows: number) => void;
  /** Cell texts read as missing besides the empty cell (dataset/cell-semantics.ts). */
  readonly naValues: ReadonlySet<string>;
  /** The batches() function these records stand for. */
  readonly batches: () => AsyncGenerator<RowBatch>;
}

export function isStdin(path: string | undefined): boolean {
  return path === undefined || path === '-';
}

/** Copies a one-pass stream (stdin, a named pipe) to a temporary file, so it can be read twice. */
async function spool(input: NodeJS.ReadableStream, dir: string, name: string, signal?: AbortSignal): Promise<string> {
  const path = join(dir, `rebalance-stdin-${process.pid}-${randomUUID()}.tmp`);
  try {
    await pipeline(input, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal });
  } catch (e) {
    await rm(path, { force: true });
    if ((e as Error).name === 'AbortError') throw e;
    throw ioErrorFrom(e, name, 'read');
  }
  return path;
}

/**
 * A named pipe opened without blocking and read as a libuv pipe: a blocking open would hold a
 * thread-pool thread until a writer appears, and the process could then not stop on SIGINT/SIGTERM.
 */
function openFifo(path: string): NodeJS.ReadableStream {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: false });
}

/** Re-chunks batches to at most `size` rows (one array per yielded batch, no intermediate copies). */
async function* rebatch(gen: AsyncIterable<RowBatch>, size: number): AsyncGenerator<RowBatch> {
  let out: RowBatch['rows'] = [];
  let offset = 0;
  for await (const b of gen) {
    const rows = b.rows;
    if (out.length === 0 && rows.length <= size) {
      // Common case: pass the reader's batch through untouched.
      yield { offset, rows };
      offset += rows.length;
      continue;
    }
    for (let i = 0; i < rows.length; i++) {
      out.push(rows[i]);
      if (out.length === size) {
        yield { offset, rows: out };
        offset += out.length;
        out = [];
      }
    }
  }
  if (out.length) yield { offset, rows: out };
}

export async function openSource(path: string | undefined, options: ReadOptions = {}): Promise<TableSource> {
  const stdin = isStdin(path);
  const name = stdin ? '<stdin>' : path!;
  let file: string;
  let spooled = stdin;
  if (stdin) {
    if (process.stdin.isTTY) {
      throw new UsageError('REBALANCE_NO_INPUT', 'no input: give a file path, or pipe data into stdin (e.g. `cat data.csv | rebalance ...`)');
    }
    file = await spool(process.stdin, options.tmpDir ?? tmpdir(), name, options.signal);
  } else {
    file = path!;
    let fifo = false;
    try {
      const st = await stat(file);
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      fifo = st.isFIFO();
    } catch (e) {
      throw ioErrorFrom(e, name, 'open');
    }
    if (fifo) {
      let stream: NodeJS.ReadableStream;
      try {
        stream = openFifo(file);
      } catch (e) {
        throw ioErrorFrom(e, name, 'open');
      }
      file = await spool(stream, options.tmpDir ?? tmpdir(), name, options.signal);
      spooled = true;
    }
  }
  const temps: string[] = spooled ? [file] : [];
  const cleanup = async (): Promise<void> => {
    for (const t of temps) await rm(t, { force: true });
  };
  try {
    const readHead = async (): Promise<Buffer> => {
      const head = Buffer.alloc(8);
      try {
        const fh = await open(file, 'r');
        try {
          return head.subarray(0, (await fh.read(head, 0, 8, 0)).bytesRead);
        } finally {
          await fh.close();
        }
      } catch (e) {
        throw ioErrorFrom(e, name, 'read');
      }
    };
    let head = await readHead();
    // gzip / zstd input (file or stdin): decompressed to a temporary file, then read as usual.
    const compression = sniffCompression(head) ?? undefined;
    if (compression) {
      const plain = join(options.tmpDir ?? tmpdir(), `rebalance-input-${process.pid}-${randomUUID()}.tmp`);
      await decompressFile(file, plain, compression, name, options.signal);
      temps.push(plain);
      // The compressed spool (stdin, a pipe) is no longer needed: free its disk space now.
      if (spooled) await rm(file, { force: true });
      file = plain;
      spooled = true;
      head = await readHead();
    }
    const size = head.length;
    if (size === 0) throw new DataError('REBALANCE_EMPTY', 'the input is empty: expected a header row and data rows', { where: { file: name } });
    const format = options.format ?? sniffFormat(head);
    const batchSize = options.batchSize ?? 16384;
    const relabel = <T extends Error>(e: T): T => {
      const w = (e as { where?: { file?: string } }).where;
      if (spooled && w?.file === file) (e as { where?: object }).where = { ...w, file: name };
      return e;
    };
    const wrap = async function* (gen: AsyncGenerator<RowBatch>): AsyncGenerator<RowBatch> {
      try {
        yield* rebatch(gen, batchSize);
      } catch (e) {
        throw relabel(e as Error);
      }
    };

    if (format === 'parquet') {
      const info = await readParquetInfo(file).catch((e: Error) => {
        throw relabel(e);
      });
      return {
        name,
        format,
        compression,
        notices: info.notices,
        columns: info.schema.fields.map((f) => f.name),
        arrowSchema: info.schema,
        batches: () =>
          wrap(
            (async function* () {
              for await (const item of parquetRecordBatches(file, { batchRows: batchSize, signal: options.signal })) if (!('schema' in item)) yield item;
            })(),
          ),
        close: cleanup,
      };
    }

    if (format === 'arrow') {
      const first = arrowRecordBatches(file, { signal: options.signal });
      let schema: Schema;
      try {
        const r = await first.next();
        if (r.done || !('schema' in r.value)) throw new DataError('REBALANCE_BAD_ARROW', 'the Arrow input has no schema', { where: { file: name } });
        schema = r.value.schema;
      } catch (e) {
        throw relabel(e as Error);
      } finally {
        await first.return(undefined);
      }
      return {
        name,
        format,
        columns: schema.fields.map((f) => f.name),
        arrowSchema: schema,
        compression,
        batches: () =>
          wrap(
            (async function* () {
              for await (const item of arrowRecordBatches(file, { signal: options.signal })) if (!('schema' in item)) yield item;
            })(),
          ),
        close: cleanup,
      };
    }

    const header = options.header ?? true;
    const given = options.delimiter ?? (/\.(tsv|tab)$/i.test(compressionFromName(name).rest) ? '\t' : undefined);
    const probe = csvBatches(file, { delimiter: given, header });
    let columns: string[] = [];
    let delimiter = given ?? ',';
    try {
      const r = await probe.next();
      if (!r.done) {
        delimiter = r.value.delimiter || delimiter;
        if (header) columns = r.value.header ?? [];
        else columns = (r.value.rows[0] ?? []).map((_, j) => `col${j}`);
      }
    } catch (e) {
      throw relabel(e as Error);
    } finally {
      await probe.return(undefined);
    }
    if (columns.length === 0) {
      throw new DataError('REBALANCE_EMPTY', 'the input has no rows: expected a header row and data rows', { where: { file: name } });
    }
    let fileSize: number;
    try {
      fileSize = (await stat(file)).size;
    } catch (e) {
      throw ioErrorFrom(e, name, 'read');
    }
    const batches = (): AsyncGenerator<RowBatch> => wrap(csvBatches(file, { delimiter, header }));
    const records = async function* (): AsyncGenerator<CsvRecords> {
      try {
        yield* csvRecords(file, { delimiter, headerRecords: header ? 1 : 0 });
      } catch (e) {
        throw relabel(e as Error);
      }
    };
    return {
      name,
      format,
      columns,
      delimiter,
      compression,
      batches,
      rawRows: () => readRawCsvRows(file, { delimiter, header }),
      csv: { records, header, delimiter, size: fileSize, ...(spooled ? {} : { path: file }), batchRows: batchSize, naValues: new Set(), batches },
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
