/**
 * Raw CSV row splitting at the byte level, for the writing pass of CSV -> CSV jobs: kept rows are
 * copied byte for byte (no field parsing, no re-quoting), which makes the second pass of random
 * under/over-sampling and SMOTE several times cheaper than a second papaparse run.
 *
 * It must segment rows exactly as papaparse did in the counting pass (which validated the file:
 * quotes, UTF-8), so it follows the same rules: rows end at '\n' outside quotes (a '\r' before it
 * is dropped, as csv-read drops it; lone-'\r' files never take this path), a field is quoted only
 * when it starts with '"', '""' escapes a quote inside quotes, and blank (whitespace-only) lines
 * are skipped. The caller checks that both passes saw the same number of rows.
 */
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import type { Cell } from './batch.js';
import { ioErrorFrom } from './fs-errors.js';

export interface RawRows {
  /** The header line's bytes (without the line break), when header = true. */
  readonly header?: Buffer;
  /** Data rows, each without its line break. */
  readonly rows: Buffer[];
}

/**
 * The cells of one raw row (its bytes, as readRawCsvRows yields them), parsed as the counting
 * pass parsed them: for rows the writer cannot copy byte for byte (copies to other formats,
 * rows a sampler gathers).
 */
export function parseRawRow(bytes: Buffer, delimiter: string): Cell[] {
  return Papa.parse<string[]>(bytes.toString('utf8'), { delimiter, header: false }).data[0] ?? [];
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * Finds the end (index of the '\n') of the row starting at `start`, honouring quoted fields;
 * -1 when the buffer ends first. `nextQuote`: the first quote at or after `start`, or -1.
 */
function rowEnd(buf: Buffer, start: number, delim: number, nextQuote: number): number {
  const nl = buf.indexOf(LF, start);
  // Fast path: no quote before the line break.
  if (nextQuote < 0 || (nl >= 0 && nextQuote > nl)) return nl;
  // Slow path: a state machine over the row.
  let inQuotes = false;
  let fieldStart = true;
  const n = buf.length;
  for (let i = start; i < n; i++) {
    const c = buf[i];
    if (inQuotes) {
      if (c === QUOTE) {
        if (i + 1 < n && buf[i + 1] === QUOTE) {
          i++;
          continue;
        }
        if (i + 1 >= n) return -1; // cannot tell "" from " yet
        inQuotes = false;
      }
      continue;
    }
    if (c === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else if (c === delim) {
      fieldStart = true;
    } else if (c === LF) {
      return i;
    } else {
      fieldStart = false;
    }
  }
  return -1;
}

/** A quoted single-field row whose value is blank ('""') is a blank line for papaparse too. */
function isBlankQuoted(row: Buffer, delim: number): boolean {
  if (row.indexOf(delim) >= 0) return false;
  const s = row.toString('utf8');
  if (!s.startsWith('"')) return false;
  return s.slice(1, s.endsWith('"') ? -1 : undefined).replace(/""/g, '"').trim() === '';
}

export async function* readRawCsvRows(path: string, options: { delimiter: string; header: boolean }): AsyncGenerator<RawRows> {
  const delim = options.delimiter.charCodeAt(0);

  let carry: Buffer | null = null;
  let needHeader = options.header;
  let first = true;
  let minNext = 0;
  const pending: Buffer[] = [];
  let pendingLen = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      let data = chunk as Buffer;
      if (first) {
        first = false;
        if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      }
      // An unterminated row is rescanned only once the data has doubled: linear overall.
      if (carry) {
        pending.push(data);
        pendingLen += data.length;
        if (carry.length + pendingLen < minNext) continue;
        data = Buffer.concat([carry, ...pending]);
        pending.length = 0;
        pendingLen = 0;
        carry = null;
      }
      const rows: Buffer[] = [];
      let header: Buffer | undefined;
      let pos = 0;
      let nextQuote = data.indexOf(QUOTE, 0);
      for (;;) {
        if (nextQuote >= 0 && nextQuote < pos) nextQuote = data.indexOf(QUOTE, pos);
        const end = rowEnd(data, pos, delim, nextQuote);
        if (end < 0) break;
        const row = data.subarray(pos, end > pos && data[end - 1] === CR ? end - 1 : end);
        pos = end + 1;
        if (isBlank(row, 0, row.length) || (row[0] === QUOTE && isBlankQuoted(row, delim))) continue;
        if (needHeader) {
          needHeader = false;
          header = Buffer.from(row);
          continue;
        }
        rows.push(row);
      }
      if (pos < data.length) {
        carry = data.subarray(pos);
        minNext = carry.length * 2;
      }
      if (rows.length || header) yield { header, rows };
    }
    if (pending.length) carry = Buffer.concat(carry ? [carry, ...pending] : pending);
    if (carry && carry.length) {
      // The last row has no line break.
      let row = carry;
      if (row[row.length - 1] === CR) row = row.subarray(0, row.length - 1);
      if (!(isBlank(row, 0, row.length) || (row[0] === QUOTE && isBlankQuoted(row, delim)))) {
        if (needHeader) yield { header: Buffer.from(row), rows: [] };
        else yield { rows: [row] };
      }
    }
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
}
