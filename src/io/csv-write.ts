/**
 * CSV output: header, RFC 4180 quoting only where needed, numbers in shortest round-trip form
 * (integers never in scientific notation), original text cells written back unchanged.
 * `safeCsv` neutralises formula injection in text cells (=, +, -, @ prefixes) with a leading quote.
 */
import { temporalFormatter } from './arrow-read.js';
import { cellText, formatFloat32, formatNumber, isFloat32, isFormula, needsQuoteFn } from './cells.js';
import type { Cell } from './batch.js';
import type { ByteTarget } from './output.js';
import type { RowSink, SinkColumn } from './sink.js';

// The tests of the formatting rules import them from here.
export { cellText, formatFloat32, formatNumber } from './cells.js';

/** A CSV sink that can also copy raw input rows (CSV -> CSV with the same delimiter). */
export interface CsvSink extends RowSink {
  /**
   * Writes an input row's bytes as they came in, then `suffix` (e.g. ',0,12,', ASCII) and a line
   * break; a promise only when it has to wait (a full buffer written out), so passes need no await per row.
   */
  writeRaw(bytes: Uint8Array, suffix: string): Promise<void> | void;
  /** Writes a line the caller already formatted (quoting done), plus a line break. */
  writeLine(line: string): Promise<void>;
  /** The line `write(cells)` would write, without the line break. */
  format(cells: readonly Cell[]): string;
  /** The text `write` writes for cell `v` of column `j` (quoted, neutralised as needed). */
  formatCell(j: number, v: Cell): string;
  /** formatCell for the finite numbers of column `j`, without the checks they never need. */
  numberFormatter(j: number): (x: number) => string;
  /** True when column `j` writes finite numbers exactly as formatNumber gives them (no quotes, no prefix, not float32). */
  plainNumbers(j: number): boolean;
  /** Writes bytes the caller already formatted (whole lines, line breaks included); copied before it returns. */
  writeBytes(bytes: Uint8Array): Promise<void>;
  readonly safeCsv: boolean;
  readonly delimiter: string;
}

export function createCsvSink(target: ByteTarget, columns: readonly SinkColumn[], options: { delimiter?: string; safeCsv?: boolean } = {}): CsvSink {
  const delim = options.delimiter ?? ',';
  const needsQuote = needsQuoteFn(delim);
  const textCols = columns.map((c) => c.text === true);
  const f32 = columns.map((c) => isFloat32(c.type));
  // Arrow / Parquet date and time columns: ISO 8601 text, not their stored integers.
  const temporal = columns.map((c) => temporalFormatter(c.type));
  const safe = options.safeCsv === true;
  const quote = (s: string): string => (needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  // Output is assembled in one reusable buffer and written in ~1 MiB pieces.
  const CAP = 1 << 20;
  let buf = Buffer.allocUnsafe(CAP);
  let len = 0;
  let started = false;
  // --safe-csv neutralises header cells as it does text cells: a column name is text a spreadsheet evaluates too.
  const header = columns.map((c) => quote(safe && isFormula(c.name) ? "'" + c.name : c.name)).join(delim) + '\n';
  const formatCell = (j: number, v: Cell): string => {
    const iso = temporal[j];
    let s = iso && typeof v !== 'string' ? iso(v) : typeof v === 'string' ? v : f32[j] && typeof v === 'number' ? formatFloat32(v) : cellText(v);
    if (safe && textCols[j] && isFormula(s)) s = "'" + s;
    return needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  // Finite numbers are written as formatFloat32 / formatNumber give them: digits, '.', '-', '+', 'e'.
  const numberSafe = !/[0-9.+\-e]/.test(delim);
  const plainNumbers = (j: number): boolean => numberSafe && !(safe && textCols[j]) && !temporal[j] && !f32[j];
  const numberFormatter = (j: number): ((x: number) => string) => {
    if (!numberSafe || (safe && textCols[j]) || temporal[j]) return (x) => formatCell(j, x);
    return f32[j] ? formatFloat32 : formatNumber;
  };
  const format = (cells: readonly Cell[]): string => {
    let line = '';
    for (let j = 0; j < cells.length; j++) {
      if (j) line += delim;
      line += formatCell(j, cells[j]);
    }
    return line;
  };

  const flush = async (): Promise<void> => {
    if (len === 0) return;
    const out = buf.subarray(0, len);
    buf = Buffer.allocUnsafe(CAP);
    len = 0;
    await target.write(out);
  };
  const putString = async (s: string): Promise<void> => {
    if (len + s.length * 3 > CAP) {
      await flush();
      if (s.length * 3 > CAP) {
        await target.write(s);
        return;
      }
    }
    len += buf.write(s, len, 'utf8');
  };
  const start = async (): Promise<void> => {
    started = true;
    await putString(header);
  };
  const writeRawSlow = async (bytes: Uint8Array, suffix: string): Promise<void> => {
    if (!started) await start();
    const need = bytes.length + suffix.length + 1;
    if (len + need > CAP) {
      await flush();
      if (need > CAP) {
        await target.write(Buffer.concat([bytes, Buffer.from(suffix + '\n')]));
        return;
      }
    }
    buf.set(bytes, len);
    len += bytes.length;
    if (suffix.length) len += buf.write(suffix, len, 'latin1');
    buf[len++] = 10;
  };

  return {
    delimiter: delim,
    safeCsv: safe,
    async writeLine(line: string) {
      if (!started) await start();
      await putString(line + '\n');
    },
    format,
    formatCell,
    numberFormatter,
    plainNumbers,
    async writeBytes(bytes: Uint8Array) {
      if (!started) await start();
      if (len + bytes.length > CAP) {
        await flush();
        if (bytes.length > CAP) {
          // A copy: the caller reuses its buffer once this returns, the target may still hold the chunk.
          await target.write(Buffer.from(bytes));
          return;
        }
      }
      buf.set(bytes, len);
      len += bytes.length;
    },
    async write(cells: readonly Cell[]) {
      if (!started) await start();
      await putString(format(cells) + '\n');
    },
    writeRaw(bytes: Uint8Array, suffix: string): Promise<void> | void {
      // No promise when the row fits the buffer: most rows of a pass.
      if (started && len + bytes.length + suffix.length + 1 <= CAP) {
        buf.set(bytes, len);
        len += bytes.length;
        if (suffix.length) len += buf.write(suffix, len, 'latin1');
        buf[len++] = 10;
        return;
      }
      return writeRawSlow(bytes, suffix);
    },
    async finish() {
      if (!started) await start();
      await flush();
      await target.commit();
    },
    async abort() {
      len = 0;
      await target.abort();
    },
  };
}
