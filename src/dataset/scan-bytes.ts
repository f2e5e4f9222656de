/**
 * The counting pass of a CSV file read from its bytes (TableSource.csv): the tokenizer's records,
 * split into fields by io/csv-split.ts, cells classified from their bytes, labels interned by their
 * bytes, and each column's values kept on request (ScanOptions.collectValues). dataset/scan.ts
 * calls it for whole files, dataset/scan-range.ts for one byte range of a parallel pass.
 */
import type { DataError } from '../core/errors.js';
import type { CsvByteAccess } from '../io/source.js';
import { bytesText, classifyBytes, FieldClass, numberOfBytes } from '../io/csv-cells.js';
import { jsSplitter, wasmSplitter } from '../io/csv-split.js';
import { NumClass } from '../io/cells.js';
import { MAX_ROWS, type ColumnTracker, type GrowInt32 } from './scan-state.js';

/** Sees the records of a CSV counting pass (ScanOptions.records); the bytes are views valid during the call. */
export interface RecordKeeper {
  header(bytes: Uint8Array): void;
  /** Data row `row` (0-based) with its label's id in the pass (the same id for the same class; -1: no label). */
  record(buf: Uint8Array, start: number, end: number, labelId: number, row: number): void;
}

/** The most values one kept column reserves (4 GiB of float64: V8's limit for a resizable buffer). */
const MAX_VALUE_ROWS = 2 ** 29;

/** ES2024 resizable ArrayBuffers (Node 20 has them; the ES2023 lib does not declare them). */
type Resizable = ArrayBuffer & { resize(bytes: number): void };
const ResizableBuffer = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => Resizable;

/**
 * Float64 values of one column in a resizable ArrayBuffer reserved for at most `maxRows` values:
 * it grows in place (no copy, pages committed as written), and the finished column is a view of it.
 */
class ValueColumn {
  private readonly buf: Resizable;
  private data: Float64Array;
  private n = 0;
  constructor(private readonly maxRows: number) {
    this.buf = new ResizableBuffer(8 * Math.min(maxRows, 1 << 16), { maxByteLength: 8 * maxRows });
    this.data = new Float64Array(this.buf);
  }
  /** More rows than the reservation (a file that grew while read): no values (the caller reads again). */
  full = false;
  push(v: number): void {
    if (this.n === this.data.length) {
      if (this.n >= this.maxRows) {
        this.full = true;
        return;
      }
      this.buf.resize(8 * Math.min(this.maxRows, this.n * 2));
      this.data = new Float64Array(this.buf);
    }
    this.data[this.n++] = v;
  }
  /** The values: a view of exactly n values (n = the values pushed). */
  finish(n: number): Float64Array | null {
    if (this.full) return null;
    if (n !== this.n) throw new Error(`internal: ${this.n} values for ${n} rows`);
    this.buf.resize(8 * n);
    return new Float64Array(this.buf, 0, n);
  }
}

export interface ByteScan {
  readonly nCols: number;
  readonly labelIndex: number;
  readonly trackers: readonly ColumnTracker[];
  readonly rawLabels: GrowInt32;
  readonly badRows: GrowInt32;
  readonly onBadRow: 'error' | 'skip';
  readonly labelId: (key: string) => number;
  readonly tooMany: () => DataError;
  readonly ragged: (row: number, fields: number) => DataError;
  readonly signal?: AbortSignal;
  readonly collect: boolean;
  readonly records?: RecordKeeper;
  /** Stop at the first batch with a '"' byte (a parallel range: its split may be wrong). */
  readonly stopOnQuote?: boolean;
}

/**
 * The counting pass of a CSV file from the tokenizer's byte ranges: numbers and empty cells are
 * classified from their bytes (io/csv-cells.ts) without a string; strings are made only for text
 * cells, possible NA spellings, integer keys while a column's integers are all distinct, and new
 * label spellings (labels of up to 6 bytes are interned by their bytes). Exactly the trackers'
 * state the string loop over batches() gives. With `collect`, each column's values as numbers
 * (the feature extractor's +text: missing = 0) while it holds only numbers.
 */
export async function scanCsvBytes(
  csv: Pick<CsvByteAccess, 'records' | 'header' | 'delimiter' | 'size' | 'naValues'> & Partial<Pick<CsvByteAccess, 'onRows' | 'batchRows'>>,
  cx: ByteScan,
): Promise<{ rowsRead: number; values: (Float64Array | null)[] | null; quoted?: boolean }> {
  const { nCols, labelIndex, trackers, rawLabels, badRows } = cx;
  const delim = csv.delimiter.charCodeAt(0);
  const na = csv.naValues;
  // Cells that may be NA spellings: at most the longest spelling's bytes and ending in a byte one ends in.
  let naMaxBytes = 0;
  const naLast = new Uint8Array(256);
  for (const v of na) {
    const b = Buffer.from(v, 'utf8');
    if (b.length === 0) continue;
    naMaxBytes = Math.max(naMaxBytes, b.length);
    naLast[b[b.length - 1]] = 1;
  }
  // Every data row but the last ends in a line ending, and holds a byte at least: rows <= size / 2 + 1
  // (reserved up to MAX_VALUE_ROWS: V8 caps a resizable buffer near 4 GiB; more rows read twice).
  const maxRows = Math.min(MAX_VALUE_ROWS, Math.floor(csv.size / 2) + 1);
  const newValues = (): ValueColumn | null => {
    try {
      return new ValueColumn(maxRows);
    } catch {
      return null; // no reservation: the caller reads the values in a second pass
    }
  };
  const values: (ValueColumn | null)[] = trackers.map((t, j) => (cx.collect && j !== labelIndex && !t.forcedCategorical ? newValues() : null));
  const anyValues = values.some((v) => v !== null);
  const labelTracker = trackers[labelIndex];
  const packedLabels = new Map<number, number>(); // short label bytes -> label id (-1: an NA spelling)
  const splitOptions = { delimiter: delim, nCols, naMaxBytes, naLast };
  const splitter = (await wasmSplitter(splitOptions)) ?? jsSplitter(splitOptions);
  let rowsRead = 0;
  let needHeader = csv.header;
  const onRows = csv.onRows;
  const keeper = cx.records;
  const every = Math.max(1, csv.batchRows ?? 16384);

  /** A non-label cell read through its text (escaped quotes, possible NA spellings, forced categoricals). */
  const textCell = (j: number, str: string, r: number): void => {
    const t = trackers[j];
    const vc = values[j];
    if (str === '' || na.has(str)) {
      t.missingRows.push(r);
      if (vc !== null) vc.push(0);
      return;
    }
    const cls = t.addText(str, r);
    if (vc !== null) {
      if (cls === NumClass.NotNumber) values[j] = null;
      else vc.push(+str);
    }
  };

  for await (const recs of csv.records()) {
    if (cx.signal?.aborted) throw cx.signal.reason;
    const buf = recs.buf;
    const ascii = recs.ascii;
    if (cx.stopOnQuote) {
      const q = buf.indexOf(34);
      if (q >= 0 && q < recs.recEnd[recs.count - 1]) return { rowsRead, values: null, quoted: true };
    }
    let k = 0;
    if (needHeader) {
      needHeader = false;
      cx.records?.header(buf.subarray(recs.recStart[0], recs.recEnd[0]));
      k = 1;
    }
    for (let g = k; g < recs.count; g += splitter.group) {
      const to = Math.min(recs.count, g + splitter.group);
      const { start: fs, end: fe, cls: fc, value: fv, nf: nfs } = splitter.split(recs, g, to);
      for (k = g; k < to; k++) {
        const r = rowsRead;
        if (++rowsRead > MAX_ROWS) throw cx.tooMany();
        if (onRows !== undefined && rowsRead % every === 0) onRows(rowsRead);
        const a = recs.fieldFrom[k];
        const base = (k - g) * nCols;
        let nf: number;
        if (a < 0) nf = nfs[k - g];
        else {
          // A record with quotes or CRs: the tokenizer's fields.
          nf = recs.fieldTo[k] - a;
          if (nf === nCols) {
            for (let j = 0; j < nCols; j++) {
              const s = recs.fStart[a + j];
              const e = recs.fEnd[a + j];
              fs[base + j] = s;
              fe[base + j] = e;
              fc[base + j] =
                s === e ? FieldClass.Empty
                : recs.fKind[a + j] === 2 ? FieldClass.Escaped
                : e - s <= naMaxBytes && naLast[buf[e - 1]] === 1 ? FieldClass.MaybeNa
                : FieldClass.Unknown;
            }
          }
        }
        if (nf !== nCols) {
          if (cx.onBadRow === 'error') throw cx.ragged(r, nf);
          badRows.push(r);
          rawLabels.push(-2);
          if (anyValues) for (const vc of values) vc?.push(NaN);
          continue;
        }
        // The label: short spellings interned by their bytes.
        {
          const s = fs[base + labelIndex];
          const e = fe[base + labelIndex];
          const lc = fc[base + labelIndex];
          let id: number;
          if (lc === FieldClass.Empty) id = -1;
          else if (e - s <= 6 && lc !== FieldClass.Escaped) {
            let key = e - s;
            for (let p = s; p < e; p++) key = key * 256 + buf[p];
            const hit = packedLabels.get(key);
            if (hit === undefined) {
              const str = bytesText(buf, s, e, ascii);
              id = na.has(str) ? -1 : cx.labelId(str);
              packedLabels.set(key, id);
            } else id = hit;
          } else {
            let str = bytesText(buf, s, e, ascii);
            if (lc === FieldClass.Escaped) str = str.replaceAll('""', '"');
            id = str === '' || na.has(str) ? -1 : cx.labelId(str);
          }
          if (id < 0) labelTracker.missingRows.push(r);
          rawLabels.push(id);
          if (keeper !== undefined) keeper.record(buf, recs.recStart[k], recs.recEnd[k], id, r);
        }
        for (let j = 0; j < nCols; j++) {
          if (j === labelIndex) continue;
          const t = trackers[j];
          let cls = fc[base + j];
          if (cls === FieldClass.Empty) {
            t.missingRows.push(r);
            const vc = values[j];
            if (vc !== null) vc.push(0);
            continue;
          }
          const s = fs[base + j];
          const e = fe[base + j];
          if (cls === FieldClass.Escaped) {
            textCell(j, bytesText(buf, s, e, ascii).replaceAll('""', '"'), r);
            continue;
          }
          if (cls === FieldClass.MaybeNa || t.forcedCategorical) {
            textCell(j, bytesText(buf, s, e, ascii), r);
            continue;
          }
          let x = fv[base + j];
          if (cls === FieldClass.Unknown) {
            cls = classifyBytes(buf, s, e);
            if (cls === NumClass.Int || cls === NumClass.Float) x = numberOfBytes(buf, s, e);
          }
          t.nonMissing++;
          const vc = values[j];
          if (cls === NumClass.NotNumber) {
            t.addNonNumeric(bytesText(buf, s, e, ascii), r);
            if (vc !== null) values[j] = null;
            continue;
          }
          t.numeric++;
          if (cls === NumClass.NonFinite) {
            t.nonFinite++;
            t.nonFiniteRows.push(r);
            if (vc !== null) vc.push(Number(bytesText(buf, s, e, true)));
            continue;
          }
          if (cls === NumClass.Int) {
            t.ints++;
            if (t.uniqueInts !== null) t.addIntKey(bytesText(buf, buf[s] === 43 ? s + 1 : s, e, true));
          }
          if (vc !== null) vc.push(x);
        }
      }
    }
  }
  return { rowsRead, values: cx.collect ? values.map((v) => (v === null ? null : v.finish(rowsRead))) : null };
}
