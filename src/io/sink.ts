/**
 * A row sink writes cells (row-major) to CSV or Arrow. Cells of original rows are passed exactly as
 * the reader produced them; synthetic cells are numbers/strings/booleans the sink converts to the
 * column type.
 */
import type { DataType } from 'apache-arrow';
import type { Cell } from './batch.js';
import { createArrowSink } from './arrow-write.js';
import { compressingTarget } from './compress.js';
import { createCsvSink } from './csv-write.js';
import { compressionFromName, refuseBinaryToTerminal, type OutputFormat } from './format.js';
import { openTarget, type ByteTarget } from './output.js';
import { createParquetSink } from './parquet-write.js';

export interface SinkColumn {
  readonly name: string;
  /** Arrow output type (required for Arrow output). */
  readonly type?: DataType;
  readonly nullable?: boolean;
  /** Arrow field metadata written with the column (Arrow/Parquet output). */
  readonly metadata?: ReadonlyMap<string, string>;
  /** Free text / categorical strings (subject to --safe-csv). */
  readonly text?: boolean;
}

export interface RowSink {
  write(cells: readonly Cell[]): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

export interface SinkOptions {
  readonly delimiter?: string;
  readonly safeCsv?: boolean;
  /** Arrow schema metadata (seed, method, version). */
  readonly metadata?: ReadonlyMap<string, string>;
  /** Rows per Arrow record batch (fixed, so output bytes never depend on input batching). */
  readonly arrowBatchRows?: number;
  /** Whether stdout is a terminal (default process.stdout.isTTY): binary output to it is refused. */
  readonly stdoutIsTerminal?: boolean;
}

export function createSink(format: OutputFormat, target: ByteTarget, columns: readonly SinkColumn[], options: SinkOptions = {}): RowSink {
  switch (format) {
    case 'csv':
      return createCsvSink(target, columns, { delimiter: options.delimiter ?? ',', safeCsv: options.safeCsv });
    case 'tsv':
      return createCsvSink(target, columns, { delimiter: '\t', safeCsv: options.safeCsv });
    case 'arrow':
    case 'arrows':
      return createArrowSink(target, columns, format === 'arrow' ? 'file' : 'stream', options);
    case 'parquet':
      return createParquetSink(target, columns, options);
  }
}

/**
 * Opens the output (a path, or stdout for '-' / undefined; files are written atomically) and a
 * sink on it; the target is aborted when the sink cannot be made (e.g. an unwritable column type).
 * A file name ending in .gz / .zst is written compressed (stdout never is); binary formats are
 * refused on a terminal before anything is written.
 */
export async function openSink(output: string | undefined, format: OutputFormat, columns: readonly SinkColumn[], options: SinkOptions = {}): Promise<RowSink> {
  const toStdout = output === undefined || output === '-';
  refuseBinaryToTerminal(format, output, options.stdoutIsTerminal ?? process.stdout.isTTY === true);
  const compression = toStdout ? null : compressionFromName(output).compression;
  const opened = await openTarget(output);
  let target: ByteTarget = opened;
  try {
    if (compression) target = compressingTarget(opened, compression);
    return createSink(format, target, columns, options);
  } catch (e) {
    await target.abort();
    throw e;
  }
}
