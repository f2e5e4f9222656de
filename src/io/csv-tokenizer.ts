/**
 * THE definition of a CSV record: one byte-level streaming tokenizer used by every pass that
 * reads CSV (the counting pass, the gathering and writing passes, verbatim row copies, inspect,
 * train / predict / evaluate). The rules are written here once:
 *
 * - UTF-8. A byte-order mark (EF BB BF) is stripped at the start of the file only; anywhere else
 *   its bytes are data. Invalid UTF-8 is a data error (REBALANCE_BAD_UTF8).
 * - A record ends at '\n', '\r\n' or a lone '\r' outside quotes, in any mix (as pandas reads them);
 *   the last record may end at the end of the file. The line ending is not part of the record.
 * - A field is quoted when its first byte is '"' (RFC 4180): delimiters, quotes ('""') and line
 *   endings inside are data. After the closing quote, spaces and tabs (not the delimiter) may
 *   precede the delimiter or the line ending; anything else is a stray quote, and a quote still
 *   open at the end of the file is an unterminated field (both REBALANCE_CSV_QUOTES). A '"' that
 *   does not start a field is data.
 * - A blank line - no bytes, or only spaces and tabs that are not the delimiter - is not a record
 *   (pandas' skip_blank_lines with its C engine). Any other byte makes a record: a line of other
 *   Unicode spaces (NBSP, U+2000-U+200A, U+3000, form feed, vertical tab...) is a record with
 *   that text, and a line of bare tabs in a TSV is a record of empty fields.
 * - Records may span read chunks at any offset. One record may hold at most MAX_RECORD_BYTES
 *   (256 MiB, so that every field fits in a JavaScript string); a larger one is
 *   REBALANCE_FIELD_TOO_LARGE.
 *
 * The tokenizer yields batches of records as byte ranges into one buffer: the record's bytes (for
 * verbatim copies) and each field's content range (decoded only when asked for).
 */
import { createReadStream } from 'node:fs';
import { isAscii, isUtf8 } from 'node:buffer';
import { DataError } from '../core/errors.js';
import { ioErrorFrom } from './fs-errors.js';

/** The largest record (bytes, line ending excluded) the tokenizer accepts: 256 MiB. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/** Default read chunk: 1 MiB; REBALANCE_CSV_CHUNK_BYTES overrides it (tests: records across chunks). */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/** A batch of complete records: byte ranges into `buf`. */
export interface CsvRecords {
  readonly buf: Buffer;
  /** Number of records in this batch. */
  count: number;
  /** Index (0-based, header included) of this batch's first record in the file. */
  readonly first: number;
  /** Record r's bytes are buf[recStart[r], recEnd[r]) (line ending excluded). */
  readonly recStart: number[];
  readonly recEnd: number[];
  /**
   * Record r's fields are fieldFrom[r] .. fieldTo[r] - 1 of fStart / fEnd / fKind; fieldFrom[r] = -1
   * for a simple record (no quote, no '\r' inside): its fields are its text split at the delimiter.
   */
  readonly fieldFrom: number[];
  readonly fieldTo: number[];
  /** The delimiter. */
  readonly delimiter: string;
  /** Field content (inside the quotes for quoted fields). */
  readonly fStart: number[];
  readonly fEnd: number[];
  /** 0: plain, 1: quoted, 2: quoted with doubled quotes to unescape. */
  readonly fKind: number[];
  /** The bytes of this batch are ASCII (fields decode as latin1, faster). */
  readonly ascii: boolean;
  /** ASCII batches: the batch's text, decoded once (fields are substrings of it). */
  text?: string;
}

function newRecords(buf: Buffer, first: number, delimiter: string): CsvRecords {
  return { buf, count: 0, first, recStart: [], recEnd: [], fieldFrom: [], fieldTo: [], delimiter, fStart: [], fEnd: [], fKind: [], ascii: false };
}

/** Why a record could not be read (the reader turns it into a DataError with the file and row). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly kind: 'unterminated' | 'stray',
    /** Index (0-based, header included) of the record. */
    readonly record: number,
  ) {
    super(kind === 'unterminated' ? 'unterminated quoted field' : 'stray quote in a field');
  }
}

/**
 * Tokenizes complete records of buf[pos, buf.length) into `out`; returns where the first
 * incomplete record starts (buf.length when none). With `eof` the end of the buffer ends the last
 * record. Throws CsvSyntaxError on malformed quotes.
 */
export function tokenize(buf: Buffer, pos: number, eof: boolean, delim: number, out: CsvRecords): number {
  const n = buf.length;
  const { recStart, recEnd, fieldFrom, fieldTo, fStart, fEnd, fKind } = out;
  let nextQuote = -1;
  let nextCr = -1;
  outer: while (pos < n) {
    let c = buf[pos];
    // Fast path: a record with no quote and no '\r' before its '\n' (except a '\r\n' ending).
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR && c !== QUOTE) {
      const nl = buf.indexOf(LF, pos);
      if (nl >= 0) {
        if (nextQuote < pos && nextQuote !== n) {
          nextQuote = buf.indexOf(QUOTE, pos);
          if (nextQuote < 0) nextQuote = n;
        }
        if (nextCr < pos && nextCr !== n) {
          nextCr = buf.indexOf(CR, pos);
          if (nextCr < 0) nextCr = n;
        }
        if (nextQuote > nl && (nextCr > nl || nextCr === nl - 1)) {
          const end = nextCr === nl - 1 ? nl - 1 : nl;
          fieldFrom.push(-1);
          fieldTo.push(-1);
          recStart.push(pos);
          recEnd.push(end);
          out.count++;
          pos = nl + 1;
          continue;
        }
      }
    }
    // Blank line: only spaces / tabs (not the delimiter) before the line ending.
    let i = pos;
    while (i < n && ((c = buf[i]) === SPACE || c === TAB) && c !== delim) i++;
    if (i === n) {
      if (eof) pos = n;
      break;
    }
    c = buf[i];
    if (c === LF) {
      pos = i + 1;
      continue;
    }
    if (c === CR) {
      if (i + 1 === n && !eof) break;
      pos = i + 1 < n && buf[i + 1] === LF ? i + 2 : i + 1;
      continue;
    }
    // A record from pos.
    const f0 = fStart.length;
    i = pos;
    for (;;) {
      if (i < n && buf[i] === QUOTE) {
        let j = i + 1;
        let kind = 1;
        for (;;) {
          j = buf.indexOf(QUOTE, j);
          if (j < 0) {
            if (eof) throw new CsvSyntaxError('unterminated', out.first + out.count);
            fStart.length = f0;
            fEnd.length = f0;
            fKind.length = f0;
            break outer;
          }
          if (j + 1 < n && buf[j + 1] === QUOTE) {
            kind = 2;
            j += 2;
            continue;
          }
          break;
        }
        // Closing quote at j: optional spaces / tabs, then delimiter, line ending or end.
        let k = j + 1;
        while (k < n && ((c = buf[k]) === SPACE || c === TAB) && c !== delim) k++;
        if (k === n && !eof) {
          fStart.length = f0;
          fEnd.length = f0;
          fKind.length = f0;
          break outer;
        }
        c = k < n ? buf[k] : LF;
        if (c !== delim && c !== LF && c !== CR) throw new CsvSyntaxError('stray', out.first + out.count);
        fStart.push(i + 1);
        fEnd.push(j);
        fKind.push(kind);
        if (c === delim) {
          i = k + 1;
          continue;
        }
        if (c === CR && k + 1 === n && !eof) {
          fStart.length = f0;
          fEnd.length = f0;
          fKind.length = f0;
          break outer;
        }
        recStart.push(pos);
        recEnd.push(k);
        pos = k >= n ? n : c === CR && k + 1 < n && buf[k + 1] === LF ? k + 2 : k + 1;
        break;
      }
      // Unquoted field: up to the delimiter or a line ending.
      let j = i;
      while (j < n && (c = buf[j]) !== delim && c !== LF && c !== CR) j++;
      if (j === n && !eof) {
        fStart.length = f0;
        fEnd.length = f0;
        fKind.length = f0;
        break outer;
      }
      if (j < n && c === CR && j + 1 === n && !eof) {
        fStart.length = f0;
        fEnd.length = f0;
        fKind.length = f0;
        break outer;
      }
      fStart.push(i);
      fEnd.push(j);
      fKind.push(0);
      if (j < n && c === delim) {
        i = j + 1;
        continue;
      }
      recStart.push(pos);
      recEnd.push(j);
      pos = j >= n ? n : c === CR && j + 1 < n && buf[j + 1] === LF ? j + 2 : j + 1;
      break;
    }
    fieldFrom.push(f0);
    fieldTo.push(fStart.length);
    out.count++;
  }
  return pos;
}

/** Node's undocumented-in-types but stable Buffer decoders (no argument checks: the fastest). */
type Slicing = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** The text of bytes [s, e) of a batch: ASCII batches decode once and take substrings. */
function textOf(recs: CsvRecords, s: number, e: number): string {
  if (recs.ascii) {
    if (recs.text === undefined) recs.text = (recs.buf as Slicing).latin1Slice(0, recs.recEnd[recs.count - 1]);
    return recs.text.substring(s, e);
  }
  return (recs.buf as Slicing).utf8Slice(s, e);
}

/** The text of field f of a batch. */
export function fieldText(recs: CsvRecords, f: number): string {
  const s = recs.fStart[f];
  const e = recs.fEnd[f];
  if (s === e) return '';
  const text = textOf(recs, s, e);
  return recs.fKind[f] === 2 ? text.replaceAll('""', '"') : text;
}

/** The cells of record r of a batch. */
export function recordCells(recs: CsvRecords, r: number): string[] {
  const a = recs.fieldFrom[r];
  // A simple record: its text split at the delimiter (UTF-8 never has an ASCII byte inside a character).
  if (a < 0) return textOf(recs, recs.recStart[r], recs.recEnd[r]).split(recs.delimiter);
  const b = recs.fieldTo[r];
  const cells = new Array<string>(b - a);
  for (let f = a; f < b; f++) cells[f - a] = fieldText(recs, f);
  return cells;
}

/** The bytes of record r (a view into the batch's buffer). */
export function recordBytes(recs: CsvRecords, r: number): Buffer {
  return recs.buf.subarray(recs.recStart[r], recs.recEnd[r]);
}

/** The offset of the first invalid UTF-8 sequence in buf (buf.length when none). */
function utf8ErrorAt(buf: Buffer): number {
  const n = buf.length;
  for (let i = 0; i < n; ) {
    const c = buf[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > n || !isUtf8(buf.subarray(i, i + len))) return i;
    i += len;
  }
  return n;
}

export interface TokenizeOptions {
  /** Field delimiter (one ASCII character). */
  readonly delimiter: string;
  /** Bytes per read (default REBALANCE_CSV_CHUNK_BYTES or 1 MiB). Records never depend on it. */
  readonly chunkSize?: number;
  /** The largest record accepted (default MAX_RECORD_BYTES). */
  readonly maxRecordBytes?: number;
  /** Rows are numbered from the first data row in messages: 1 when the first record is a header. */
  readonly headerRecords?: number;
  /**
   * Only the bytes [start, end) of the file (default: all of it); `start` must be where a record
   * begins (a BOM is stripped only at 0). For parallel counting passes over record-aligned ranges.
   */
  readonly start?: number;
  readonly end?: number;
}

/** The read chunk size: the option, else REBALANCE_CSV_CHUNK_BYTES, else 1 MiB. */
export function chunkSizeOf(option?: number): number {
  if (option !== undefined) return Math.max(1, Math.floor(option));
  const v = Number(process.env.REBALANCE_CSV_CHUNK_BYTES);
  return Number.isFinite(v) && v >= 1 ? Math.floor(v) : DEFAULT_CHUNK_BYTES;
}

function syntaxError(e: CsvSyntaxError, path: string, headerRecords: number): DataError {
  const row = Math.max(1, e.record - headerRecords + 1);
  return new DataError(
    'REBALANCE_CSV_QUOTES',
    `${e.kind === 'unterminated' ? 'unterminated quoted field' : 'stray quote in a field'} (data row ${row}); close the quote or escape embedded quotes as ""`,
    { where: { file: path, row } },
  );
}

/**
 * The records of the CSV file at `path`, in batches (one per read chunk that completes records).
 * Memory: one chunk plus the record being completed.
 */
export async function* csvRecords(path: string, options: TokenizeOptions): AsyncGenerator<CsvRecords> {
  const delim = options.delimiter.charCodeAt(0);
  const chunkSize = chunkSizeOf(options.chunkSize);
  const maxRecord = options.maxRecordBytes ?? MAX_RECORD_BYTES;
  const headerRecords = options.headerRecords ?? 0;
  let carry: Buffer | null = null; // bytes of the incomplete record
  const pending: Buffer[] = [];
  let pendingLen = 0;
  let minNext = 0;
  const start = options.start ?? 0;
  let atStart = start === 0;
  let fileOffset = start; // file offset of the first byte of the next buffer to tokenize
  let records = 0;

  const take = (data: Buffer, eof: boolean): CsvRecords | null => {
    if (atStart) {
      if (data.length < 3 && !eof) {
        carry = data;
        minNext = 3;
        return null;
      }
      atStart = false;
      if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
        data = data.subarray(3);
        fileOffset += 3;
      }
    }
    const out = newRecords(data, records, options.delimiter);
    let pos: number;
    try {
      pos = tokenize(data, 0, eof, delim, out);
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw syntaxError(e, path, headerRecords);
      throw e;
    }
    const done = data.subarray(0, pos);
    const ascii = isAscii(done);
    if (!ascii && !isUtf8(done)) {
      const at = fileOffset + utf8ErrorAt(done);
      throw new DataError('REBALANCE_BAD_UTF8', `invalid UTF-8 near byte ${at}; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)`, { where: { file: path } });
    }
    (out as { ascii: boolean }).ascii = ascii;
    records += out.count;
    fileOffset += pos;
    if (pos < data.length) {
      carry = data.subarray(pos);
      if (carry.length > maxRecord) {
        throw new DataError(
          'REBALANCE_FIELD_TOO_LARGE',
          `a record is larger than ${Math.round(maxRecord / 1048576)} MiB near data row ${Math.max(1, records - headerRecords + 1)}; check the file for an unterminated quote`,
          { where: { file: path } },
        );
      }
      // An incomplete record is tokenized again only once the data has doubled: linear overall.
      minNext = carry.length * 2;
    } else carry = null;
    return out.count ? out : null;
  };

  try {
    const range = options.end === undefined ? { start } : { start, end: options.end - 1 };
    if (options.end !== undefined && options.end <= start) return;
    for await (const chunk of createReadStream(path, { highWaterMark: chunkSize, ...range })) {
      let data = chunk as Buffer;
      if (carry) {
        pending.push(data);
        pendingLen += data.length;
        if ((carry as Buffer).length + pendingLen < minNext) continue;
        data = Buffer.concat([carry, ...pending]);
        pending.length = 0;
        pendingLen = 0;
        carry = null;
      }
      const out = take(data, false);
      if (out) yield out;
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw ioErrorFrom(e, path, 'read');
  }
  const rest: Buffer[] = carry ? [carry, ...pending] : pending;
  if (rest.length) {
    carry = null;
    const out = take(rest.length === 1 ? rest[0] : Buffer.concat(rest), true);
    if (out) yield out;
  }
}

/** The records of one in-memory buffer (complete: its end ends the last record). */
export function tokenizeBuffer(buf: Buffer, delimiter: string): CsvRecords {
  const out = newRecords(buf, 0, delimiter);
  tokenize(buf, 0, true, delimiter.charCodeAt(0), out);
  (out as { ascii: boolean }).ascii = isAscii(buf);
  return out;
}

/**
 * Guesses the delimiter among `candidates` from the first records of `head` (papaparse's rule:
 * the fewest changes of field count over the first 10 records, more than ~2 fields on average,
 * ties to the later candidate with more fields); undefined when none fits.
 */
export function guessDelimiter(head: Buffer, eof: boolean, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDelta = Infinity;
  let maxFields = -Infinity;
  for (const d of candidates) {
    const out = newRecords(head, 0, d);
    try {
      tokenize(head, 0, eof, d.charCodeAt(0), out);
    } catch {
      // malformed quotes under this delimiter: count what was read
    }
    const n = Math.min(out.count, 10);
    if (n === 0) continue;
    let delta = 0;
    let sum = 0;
    let prev = -1;
    for (let r = 0; r < n; r++) {
      const fields = out.fieldFrom[r] < 0 ? recordCells(out, r).length : out.fieldTo[r] - out.fieldFrom[r];
      sum += fields;
      if (prev >= 0) delta += Math.abs(fields - prev);
      prev = fields;
    }
    const avg = sum / n;
    if (delta <= bestDelta && avg > maxFields && avg > 1.99) {
      best = d;
      bestDelta = delta;
      maxFields = avg;
    }
  }
  return best;
}
