/**
 * CSV output: header, RFC 4180 quoting only where needed, numbers in shortest round-trip form
 * (integers never in scientific notation), original text cells written back unchanged.
 * `safeCsv` neutralises formula injection in text cells (=, +, -, @ prefixes) with a leading quote.
 */
import { DataType, Precision } from 'apache-arrow';
import type { Cell } from './batch.js';
import type { ByteTarget } from './output.js';
import type { RowSink, SinkColumn } from './sink.js';

export function formatNumber(x: number): string {
  if (Number.isInteger(x)) {
    if (Object.is(x, -0)) return '0';
    if (Math.abs(x) < 1e21) return String(x);
    return BigInt(x).toString();
  }
  return String(x);
}

export function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isNaN(v) ? 'NaN' : formatNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return v instanceof Date ? v.toISOString() : String(v);
  }
}

function needsQuoteFn(delimiter: string): (s: string) => boolean {
  const dc = delimiter.charCodeAt(0);
  return (s) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34 || c === 10 || c === 13 || c === dc) return true;
    }
    return false;
  };
}

const FORMULA = /^[=+\-@\t\r]/;

/** A text cell as written to CSV: neutralised (--safe-csv) and quoted only where needed. */
/** True when --safe-csv must neutralise a text cell (OWASP: =, +, -, @, tab, CR prefixes). */
function isFormula(s: string): boolean {
  return FORMULA.test(s);
}

export function csvText(s: string, delimiter: string, safe: boolean): string {
  if (safe && isFormula(s)) s = "'" + s;
  return needsQuoteFn(delimiter)(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** Shortest decimal text that reads back to the same float32 (Arrow Float32 columns). */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return cellText(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

function isFloat32(t: SinkColumn['type']): boolean {
  return t !== undefined && DataType.isFloat(t) && (t as unknown as { precision: number }).precision === Precision.SINGLE;
}

/** A CSV sink that can also copy raw input rows (CSV -> CSV with the same delimiter). */
export interface CsvSink extends RowSink {
  /** Writes an input row's bytes as they came in, then `suffix` (e.g. ',0,12,') and a line break. */
  writeRaw(bytes: Uint8Array, suffix: string): Promise<void>;
  /** Writes a line the caller already formatted (quoting done), plus a line break. */
  writeLine(line: string): Promise<void>;
  /** The line `write(cells)` would write, without the line break. */
  format(cells: readonly Cell[]): string;
  readonly safeCsv: boolean;
  readonly delimiter: string;
}

export function createCsvSink(target: ByteTarget, columns: readonly SinkColumn[], options: { delimiter?: string; safeCsv?: boolean } = {}): CsvSink {
  const delim = options.delimiter ?? ',';
  const needsQuote = needsQuoteFn(delim);
  const textCols = columns.map((c) => c.text === true);
  const f32 = columns.map((c) => isFloat32(c.type));
  const safe = options.safeCsv === true;
  const quote = (s: string): string => (needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  // Output is assembled in one reusable buffer and written in ~1 MiB pieces.
  const CAP = 1 << 20;
  let buf = Buffer.allocUnsafe(CAP);
  let len = 0;
  let started = false;
  const header = columns.map((c) => quote(c.name)).join(delim) + '\n';
  const format = (cells: readonly Cell[]): string => {
    let line = '';
    for (let j = 0; j < cells.length; j++) {
      const v = cells[j];
      let s = typeof v === 'string' ? v : f32[j] && typeof v === 'number' ? formatFloat32(v) : cellText(v);
      if (safe && textCols[j] && isFormula(s)) s = "'" + s;
      if (j) line += delim;
      line += needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
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

  return {
    delimiter: delim,
    safeCsv: safe,
    async writeLine(line: string) {
      if (!started) await start();
      await putString(line + '\n');
    },
    format,
    async write(cells: readonly Cell[]) {
      if (!started) await start();
      await putString(format(cells) + '\n');
    },
    async writeRaw(bytes: Uint8Array, suffix: string) {
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
