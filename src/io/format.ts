/**
 * Input/output formats: chosen by --format, else by magic bytes (input) or extension (output).
 * Compression (gzip, zstd) is a separate layer: sniffed from magic bytes on input (compress.ts),
 * taken from a trailing .gz / .zst of the output name; the format is read from the name without it.
 */
import { statSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

export type InputFormat = 'csv' | 'arrow' | 'parquet';
export type OutputFormat = 'csv' | 'tsv' | 'arrow' | 'arrows' | 'parquet';
export type Compression = 'gzip' | 'zstd';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['csv', 'tsv', 'arrow', 'arrows', 'parquet'];

/** Formats written as binary data (refused on a terminal). */
export function isBinaryFormat(format: OutputFormat): boolean {
  return format === 'arrow' || format === 'arrows' || format === 'parquet';
}

/** Arrow IPC file magic ("ARROW1"), stream continuation marker (0xFFFFFFFF) or Parquet ("PAR1"). */
export function sniffFormat(head: Uint8Array): InputFormat {
  if (head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1') return 'arrow';
  if (head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) {
    return 'arrow';
  }
  if (isParquetMagic(head)) return 'parquet';
  return 'csv';
}

export function isArrowFileMagic(head: Uint8Array): boolean {
  return head.length >= 6 && String.fromCharCode(...head.subarray(0, 6)) === 'ARROW1';
}

export function isParquetMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

/** gzip (1f 8b) or zstd frame (28 b5 2f fd) magic bytes; null for anything else. */
export function sniffCompression(head: Uint8Array): Compression | null {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return null;
}

/** The compression a file name asks for (.gz, .gzip, .zst, .zstd), and the name without that suffix. */
export function compressionFromName(path: string): { compression: Compression | null; rest: string } {
  const lower = path.toLowerCase();
  for (const [suffix, c] of [['.gz', 'gzip'], ['.gzip', 'gzip'], ['.zst', 'zstd'], ['.zstd', 'zstd']] as const) {
    if (lower.endsWith(suffix)) return { compression: c, rest: path.slice(0, path.length - suffix.length) };
  }
  return { compression: null, rest: path };
}

/** Extensions and the format they mean. */
const EXTENSIONS: ReadonlyMap<string, OutputFormat> = new Map([
  ['csv', 'csv'],
  ['txt', 'csv'],
  ['tsv', 'tsv'],
  ['tab', 'tsv'],
  ['arrow', 'arrow'],
  ['feather', 'arrow'],
  ['ipc', 'arrow'],
  ['arrows', 'arrows'],
  ['parquet', 'parquet'],
  ['pq', 'parquet'],
]);

/** The extension of a path's last component ('' when none: `out`, `/dev/null`, `.hidden`). */
function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export interface OutputChoice {
  readonly format: OutputFormat;
  /** Compression from the output name (.gz / .zst); never for stdout. */
  readonly compression: Compression | null;
}

/**
 * Output format from --format or the file extension (after any .gz / .zst), and compression from
 * the name. An extension rebalance cannot write (`x.xlsx`, `x.json`) is a usage error unless
 * --format says what to write; a name without an extension, and stdout, take the input's format
 * (Arrow input: the IPC file format for files, the stream format for stdout).
 */
export function outputChoiceFor(path: string | undefined, explicit: string | undefined, inputFormat: InputFormat): OutputChoice {
  // A FIFO, character device or socket is a stream like stdout: its name says nothing about the
  // format (/dev/stdout, /dev/fd/3, out.pipe), so it gets the input's kind unless --format says.
  const toStdout = !path || path === '-' || isSpecialFile(path);
  const { compression, rest } = toStdout ? { compression: null, rest: '' } : compressionFromName(path);
  if (explicit !== undefined) {
    const f = explicit.toLowerCase() === 'feather' ? 'arrow' : explicit.toLowerCase();
    if ((OUTPUT_FORMATS as readonly string[]).includes(f)) return { format: f as OutputFormat, compression };
    throw new UsageError('REBALANCE_BAD_FORMAT', `--format must be one of ${OUTPUT_FORMATS.join(', ')}; got '${explicit}'`);
  }
  if (!toStdout) {
    const ext = extensionOf(rest);
    const known = EXTENSIONS.get(ext);
    if (known) return { format: known, compression };
    if (ext !== '' && !/^\d+$/.test(ext)) {
      throw new UsageError(
        'REBALANCE_BAD_FORMAT',
        `cannot write '.${ext}' files (-o ${path}): name the output .csv, .tsv, .arrow, .arrows or .parquet (optionally + .gz or .zst), or give --format`,
      );
    }
  }
  const format: OutputFormat = inputFormat === 'parquet' ? 'parquet' : inputFormat === 'arrow' ? (toStdout ? 'arrows' : 'arrow') : 'csv';
  return { format, compression };
}

function isSpecialFile(path: string): boolean {
  try {
    const st = statSync(path);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}

/** Output format from --format or the file extension; stdout defaults to the input's kind (csv for csv). */
export function outputFormatFor(path: string | undefined, explicit: string | undefined, inputFormat: InputFormat): OutputFormat {
  return outputChoiceFor(path, explicit, inputFormat).format;
}

/**
 * Binary output (Arrow, Parquet) to a terminal is refused, as gzip does: it would fill the screen
 * with bytes and can upset the terminal.
 */
export function refuseBinaryToTerminal(format: OutputFormat, output: string | undefined, stdoutIsTerminal: boolean): void {
  if ((output === undefined || output === '-') && stdoutIsTerminal && isBinaryFormat(format)) {
    throw new UsageError(
      'REBALANCE_BINARY_TO_TERMINAL',
      `refusing to write binary ${format === 'parquet' ? 'Parquet' : 'Arrow'} data to a terminal; use -o FILE, redirect (> out.${format}), or --format csv`,
    );
  }
}
