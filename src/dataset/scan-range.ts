/**
 * The parallel counting pass's parts (dataset/scan-parallel.ts): the pass over one record-aligned
 * byte range of a CSV file (a worker's part, dataset/scan-worker.ts) and the merge of the parts,
 * in file order, into the pass's state.
 */
import { DataError } from '../core/errors.js';
import { csvRecords } from '../io/csv-tokenizer.js';
import { scanCsvBytes } from './scan-bytes.js';
import { ColumnTracker, GrowInt32, MAX_DISTINCT } from './scan-state.js';

/** What one range of a parallel counting pass found (from a worker; rows local to the range). */
export interface PartialScan {
  readonly rowsRead: number;
  /** A '"' byte in the range: its bounds may split a quoted field (the caller scans sequentially). */
  readonly quoted: boolean;
  readonly columns: readonly PartialColumn[];
  /** Label spellings in first-seen order; rawLabels: their index, -1 missing / NA, -2 bad row. */
  readonly labelNames: readonly string[];
  readonly rawLabels: Int32Array;
  readonly badRows: Int32Array;
}

export interface PartialColumn {
  readonly nonMissing: number;
  readonly numeric: number;
  readonly ints: number;
  readonly bools: number;
  readonly nonFinite: number;
  readonly isoDates: number;
  readonly firstText: { row: number; value: string } | null;
  readonly missingRows: Int32Array;
  readonly nonFiniteRows: Int32Array;
  readonly distinct: [string[], number[]] | null;
  readonly boolText: [string, string];
  readonly boolSet: number;
  readonly uniqueInts: string[] | null;
}

/** What a worker needs to scan one range of a CSV file. */
export interface RangeRequest {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** The range starts with the header record. */
  readonly header: boolean;
  readonly delimiter: string;
  readonly size: number;
  readonly naValues: readonly string[];
  readonly nCols: number;
  readonly labelIndex: number;
  readonly categorical: readonly boolean[];
}

/** The counting pass over one record-aligned byte range (a worker's part; bad rows never fail here). */
export async function scanCsvRange(m: RangeRequest): Promise<PartialScan> {
  const trackers = m.categorical.map((c) => new ColumnTracker(c));
  const rawLabels = new GrowInt32();
  const badRows = new GrowInt32();
  const ids = new Map<string, number>();
  const labelNames: string[] = [];
  const labelId = (key: string): number => {
    let id = ids.get(key);
    if (id === undefined) {
      id = labelNames.length;
      labelNames.push(key);
      ids.set(key, id);
    }
    return id;
  };
  const never = (): DataError => new DataError('REBALANCE_TOO_MANY_ROWS', 'too many rows');
  const csv = {
    records: () => csvRecords(m.path, { delimiter: m.delimiter, start: m.start, end: m.end }),
    header: m.header,
    delimiter: m.delimiter,
    size: m.size,
    naValues: new Set(m.naValues),
  };
  const r = await scanCsvBytes(csv, { nCols: m.nCols, labelIndex: m.labelIndex, trackers, rawLabels, badRows, onBadRow: 'skip', labelId, tooMany: never, ragged: never, collect: false, stopOnQuote: true });
  const columns = trackers.map((t): PartialColumn => ({
    nonMissing: t.nonMissing,
    numeric: t.numeric,
    ints: t.ints,
    bools: t.bools,
    nonFinite: t.nonFinite,
    isoDates: t.isoDates,
    firstText: t.firstText,
    missingRows: t.missingRows.view().slice(),
    nonFiniteRows: t.nonFiniteRows.view().slice(),
    distinct: t.distinct === null ? null : [[...t.distinct.keys()], [...t.distinct.values()]],
    boolText: t.boolText,
    boolSet: t.boolSet,
    uniqueInts: t.uniqueInts === null ? null : [...t.uniqueInts],
  }));
  return { rowsRead: r.rowsRead, quoted: r.quoted === true, columns, labelNames, rawLabels: rawLabels.view().slice(), badRows: badRows.view().slice() };
}

/**
 * Merges the ranges' parts, in file order, into the pass's state: exactly what one sequential
 * pass leaves (counts add up, row lists shift by the rows of earlier ranges, the first text and
 * each bool spelling come from the earliest / latest range that has one, distinct values and
 * integer keys unite with the sequential pass's limits, label spellings get their ids in file
 * order). Returns the rows read.
 */
export function mergePartials(
  parts: readonly PartialScan[],
  st: { trackers: readonly ColumnTracker[]; rawLabels: GrowInt32; badRows: GrowInt32; labelId: (key: string) => number },
): number {
  let offset = 0;
  for (const part of parts) {
    part.columns.forEach((c, j) => {
      const t = st.trackers[j];
      t.nonMissing += c.nonMissing;
      t.numeric += c.numeric;
      t.ints += c.ints;
      t.bools += c.bools;
      t.nonFinite += c.nonFinite;
      t.isoDates += c.isoDates;
      if (t.firstText === null && c.firstText !== null) t.firstText = { row: c.firstText.row + offset, value: c.firstText.value };
      for (const r of c.missingRows) t.missingRows.push(r + offset);
      for (const r of c.nonFiniteRows) t.nonFiniteRows.push(r + offset);
      for (let b = 0; b < 2; b++) {
        if (c.boolSet & (1 << b)) {
          t.boolText[b] = c.boolText[b];
          t.boolSet |= 1 << b;
        }
      }
      if (t.distinct !== null) {
        if (c.distinct === null) t.distinct = null;
        else {
          const d = t.distinct;
          const [keys, counts] = c.distinct;
          for (let i = 0; i < keys.length; i++) d.set(keys[i], (d.get(keys[i]) ?? 0) + counts[i]);
          if (d.size > MAX_DISTINCT) t.distinct = null;
        }
      }
      if (t.uniqueInts !== null) {
        if (c.uniqueInts === null) t.uniqueInts = null;
        else for (const key of c.uniqueInts) {
          t.addIntKey(key);
          if (t.uniqueInts === null) break;
        }
      }
    });
    const ids = part.labelNames.map((name) => st.labelId(name));
    for (const v of part.rawLabels) st.rawLabels.push(v >= 0 ? ids[v] : v);
    for (const r of part.badRows) st.badRows.push(r + offset);
    offset += part.rowsRead;
  }
  return offset;
}
