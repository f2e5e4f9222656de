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

export function createCsvSink(target: ByteTarget, columns: readonly SinkColumn[], options: { delimiter?: string; safeCsv?: boolean } = {}): RowSink {
  const delim = options.delimiter ?? ',';
  const needsQuote = needsQuoteFn(delim);
  const textCols = columns.map((c) => c.text === true);
  const f32 = columns.map((c) => isFloat32(c.type));
  const safe = options.safeCsv === true;
  const quote = (s: string): string => (needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  let buf: string[] = [];
  let bufLen = 0;
  const FLUSH = 1 << 20;
  const header = columns.map((c) => quote(c.name)).join(delim) + '\n';
  let started = false;

  const flush = async (): Promise<void> => {
    if (!started) {
      started = true;
      await target.write(header);
    }
    if (buf.length) {
      const s = buf.join('');
      buf = [];
      bufLen = 0;
      await target.write(s);
    }
  };

  return {
    async write(cells: readonly Cell[]) {
      let line = '';
      for (let j = 0; j < cells.length; j++) {
        const v = cells[j];
        let s = typeof v === 'string' ? v : f32[j] && typeof v === 'number' ? formatFloat32(v) : cellText(v);
        if (safe && textCols[j] && FORMULA.test(s)) s = "'" + s;
        if (j) line += delim;
        line += needsQuote(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
      }
      line += '\n';
      buf.push(line);
      bufLen += line.length;
      if (bufLen >= FLUSH) await flush();
    },
    async finish() {
      await flush();
      await target.commit();
    },
    async abort() {
      buf = [];
      await target.abort();
    },
  };
}
