/**
 * The counting pass: one streaming read of the input that infers column types, finds the label
 * column, validates cells (missing values, NaN/Infinity, ragged rows, non-numeric text in numeric
 * columns) and records the class code of every row. Holds O(rows) Int32 labels, never the text.
 */
import { DataType, type Schema } from 'apache-arrow';
import { DataError, showValue, UsageError } from '../core/errors.js';
import type { Cell } from '../io/batch.js';
import { PROVENANCE_COLUMNS } from '../io/row-writer.js';
import type { CsvByteAccess, TableSource } from '../io/source.js';
import { bytesText, classifyBytes, FieldClass, numberOfBytes } from '../io/csv-cells.js';
import { jsSplitter, wasmSplitter } from '../io/csv-split.js';
import { csvRecords } from '../io/csv-tokenizer.js';
import { scanParallel } from './scan-parallel.js';
import { sortClassNames } from './make.js';
import { classifyBool, classifyNumber, NumClass } from '../io/cells.js';
import type { CellSemantics } from './cell-semantics.js';

export type ColumnKind = 'int' | 'float' | 'bool' | 'categorical' | 'text';
export type ColumnRole = 'feature' | 'label' | 'passthrough';

export interface ColumnProfile {
  readonly name: string;
  readonly index: number;
  readonly role: ColumnRole;
  readonly kind: ColumnKind;
  /** Empty cells (CSV) or nulls (Arrow), over rows not dropped for other reasons. */
  readonly missing: number;
  /** NaN / Infinity values. */
  readonly nonFinite: number;
  /** Categorical: the categories, sorted (code = index). */
  readonly categories?: readonly string[];
  /** Bool columns read from CSV: the spelling of [false, true] to write back. */
  readonly boolText?: readonly [string, string];
  /** Arrow input: the column's Arrow type (kept on output). */
  readonly arrowType?: DataType;
  /** Arrow input: the field's metadata (kept on Arrow/Parquet output; polars' Enum categories live here). */
  readonly arrowMetadata?: ReadonlyMap<string, string>;
}

export interface ScanOptions extends CellSemantics {
  /** Label column name; default: label/class/target/y (case-insensitive). */
  readonly label?: string;
  /**
   * Missing values / NaN in features and label: 'error' (the default), 'drop' the row, or 'keep'
   * rows whose features are missing (methods that never read features: random-under/over). With
   * 'keep', the error 'error' would have raised is kept in `TableProfile.missingError`, and
   * rows without a label still fail unless `missingLabel` is 'drop'.
   */
  readonly missing?: 'error' | 'drop' | 'keep';
  /** Rows without a label under missing 'keep': 'error' (default) or 'drop' (inspect). */
  readonly missingLabel?: 'error' | 'drop';
  /** Feature columns by name or 1-based index / range ('1-5,amount'); the other columns are carried through. */
  readonly select?: readonly string[];
  /** Columns (names, indices, ranges) never used as features: carried through. */
  readonly exclude?: readonly string[];
  /** Columns used as features even when they look like ids or dates. */
  readonly features?: readonly string[];
  /** One-line notices and warnings about column roles (ids, dates, unique values). */
  readonly onNotice?: (message: string) => void;
  readonly onBadRow?: 'error' | 'skip';
  /** Columns to treat as categorical features even when numeric. */
  readonly categorical?: readonly string[];
  /** Columns carried through untouched (ids, free text), never used as features. */
  readonly passthrough?: readonly string[];
  /** String columns with more distinct values than this fraction of rows become pass-through text. */
  readonly maxCategoricalFraction?: number;
  readonly signal?: AbortSignal;
  /**
   * CSV files: also keep each column's cells as numbers (TableProfile.values), so that a caller
   * that gathers every row (readTable) need not read the file again.
   */
  readonly collectValues?: boolean;
  /**
   * CSV files read from their bytes: shown the header record and every data record with the
   * right number of fields (the distributed count step keeps the small classes' rows:
   * distributed/count-gather.ts). Not shown when the pass reads batches(): `header` never runs.
   */
  readonly records?: RecordKeeper;
}

/** Sees the records of a CSV counting pass (ScanOptions.records); the bytes are views valid during the call. */
export interface RecordKeeper {
  header(bytes: Uint8Array): void;
  /** Data row `row` (0-based) with its label's id in the pass (the same id for the same class; -1: no label). */
  record(buf: Uint8Array, start: number, end: number, labelId: number, row: number): void;
}

export interface TableProfile {
  readonly source: string;
  readonly format: 'csv' | 'arrow' | 'parquet';
  readonly columns: readonly ColumnProfile[];
  readonly labelIndex: number;
  readonly classNames: readonly string[];
  /** Rows per class code, over kept rows. */
  readonly counts: Int32Array;
  /** Class code of every input data row; -1 for dropped rows. */
  readonly labels: Int32Array;
  /** Data rows read (header excluded). */
  readonly rowsRead: number;
  /** Rows kept (rowsRead - dropped). */
  readonly nRows: number;
  readonly droppedMissing: number;
  readonly droppedBadRows: number;
  readonly labelType?: DataType;
  /** Under missing 'keep': the error that missing 'error' would have raised (null when none). */
  readonly missingError?: DataError | null;
  /**
   * With ScanOptions.collectValues on a CSV file: per column, the value of every data row read
   * (rowsRead long: +text, missing cells 0, bad rows NaN) when the column held only numbers and
   * missing cells; null for other columns. Absent when the pass read batches().
   */
  readonly values?: readonly (Float64Array | null)[];
}

/** More distinct labels than this is not a classification target (a data error). */
export const MAX_CLASSES = 1000;

/** Rows needed before an all-distinct integer column is called out as a likely identifier. */
export const UNIQUE_WARNING_MIN_ROWS = 100;

/** Column names that hold identifiers: id, uuid, guid, key, *_id, *-id, *.id, *Id, *ID. */
export function looksLikeIdName(name: string): boolean {
  const t = name.trim();
  return /^(id|uuid|guid|key)$/i.test(t) || /[_\-. ](id|uuid|guid|key)$/i.test(t) || /[a-z0-9](Id|ID|Uuid|UUID|Key)$/.test(t);
}

/** ISO 8601 dates and timestamps as CSV text: 2024-01-31, 2024-01-31T12:00:00Z, 2024-01-31 12:00:00.123+01:00. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Column specs as xsv writes them: names, 1-based indices and ranges ('1-5'), comma-separated
 * already split. A name that is also a column name wins over an index reading.
 */
export function resolveColumnSpecs(specs: readonly string[], names: readonly string[], option: string): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    if (names.includes(spec)) {
      out.push(spec);
      continue;
    }
    const m = /^(\d+)?-(\d+)?$/.exec(spec) ?? /^(\d+)$/.exec(spec);
    if (m && (m[1] !== undefined || m[2] !== undefined)) {
      const single = !spec.includes('-');
      const a = m[1] === undefined ? 1 : Number(m[1]);
      const b = single ? a : m[2] === undefined ? names.length : Number(m[2]);
      if (a < 1 || b > names.length || a > b) {
        throw new UsageError('REBALANCE_UNKNOWN_COLUMN', `${option}: column range '${spec}' is outside 1-${names.length} (columns are numbered from 1)`);
      }
      for (let i = a; i <= b; i++) out.push(names[i - 1]);
      continue;
    }
    throw new UsageError('REBALANCE_UNKNOWN_COLUMN', `${option}: unknown column '${spec}'; columns are: ${names.join(', ')}`);
  }
  return out;
}

/** rebalance's own provenance columns are never features when a resampled file is read back. */
const PROVENANCE = new Set(PROVENANCE_COLUMNS.map((c) => c.name));

export const LABEL_CANDIDATES = ['label', 'class', 'target', 'y'];

/** Finds the label column: --label NAME, else label/class/target/y (case-insensitive). */
export function findLabelColumn(columns: readonly string[], label: string | undefined, source: string): number {
  if (label !== undefined) {
    let i = columns.indexOf(label);
    if (i < 0) i = columns.findIndex((c) => c.toLowerCase() === label.toLowerCase());
    if (i < 0) {
      throw new DataError('REBALANCE_NO_LABEL', `no column named '${label}' (--label); columns are: ${columns.join(', ')}`, { where: { file: source } });
    }
    return i;
  }
  for (const cand of LABEL_CANDIDATES) {
    const i = columns.findIndex((c) => c.trim().toLowerCase() === cand);
    if (i >= 0) return i;
  }
  throw new DataError(
    'REBALANCE_NO_LABEL',
    `no label column found (looked for ${LABEL_CANDIDATES.join('/')}); name it with --label NAME; columns are: ${columns.join(', ')}`,
    { where: { file: source } },
  );
}

class GrowInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

const MAX_DISTINCT = 100_000;
/** Row numbers are Int32 (labels, row ids, provenance). */
export const MAX_ROWS = 2 ** 31 - 2;

/** Per-column running state of the counting pass. */
class ColumnTracker {
  nonMissing = 0;
  numeric = 0;
  ints = 0;
  bools = 0;
  nonFinite = 0;
  firstText: { row: number; value: string } | null = null;
  firstNonFinite = -1;
  missingRows = new GrowInt32();
  nonFiniteRows = new GrowInt32();
  distinct: Map<string, number> | null = new Map();
  boolText: [string, string] = ['false', 'true'];
  /** Bit b: boolText[b] was set from a cell. */
  boolSet = 0;
  /** Text values that look like ISO 8601 dates. */
  isoDates = 0;
  /** Integer values seen while every one so far is distinct (null after the first repeat or past MAX_DISTINCT). */
  uniqueInts: Set<string> | null = new Set();

  constructor(readonly forcedCategorical = false) {}

  /** A non-empty cell's text; returns its number class (NotNumber for forced categoricals). */
  addText(s: string, row: number): NumClass {
    this.nonMissing++;
    if (this.forcedCategorical) {
      this.addDistinct(s);
      return NumClass.NotNumber;
    }
    const cls = classifyNumber(s);
    if (cls !== NumClass.NotNumber) {
      this.numeric++;
      if (cls === NumClass.Int) {
        this.ints++;
        if (this.uniqueInts !== null) this.addIntKey(s.charCodeAt(0) === 43 ? s.slice(1) : s);
      } else if (cls === NumClass.NonFinite) {
        this.nonFinite++;
        this.nonFiniteRows.push(row);
      }
      return cls;
    }
    this.addNonNumeric(s, row);
    return cls;
  }

  /** An integer cell's text (sign '+' removed) while every one so far is distinct. */
  addIntKey(key: string): void {
    const u = this.uniqueInts!;
    if (u.has(key) || u.size >= MAX_DISTINCT) this.uniqueInts = null;
    else u.add(key);
  }

  /** A cell that is not a number (counted in nonMissing by the caller). */
  addNonNumeric(s: string, row: number): void {
    const b = classifyBool(s);
    if (b >= 0) {
      this.bools++;
      this.boolText[b] = s;
      this.boolSet |= 1 << b;
    }
    if (this.firstText === null) this.firstText = { row, value: s };
    if (s.length >= 10 && s.charCodeAt(4) === 45 && ISO_DATE.test(s)) this.isoDates++;
    this.addDistinct(s);
  }

  addDistinct(s: string): void {
    const d = this.distinct;
    if (d === null) return;
    d.set(s, (d.get(s) ?? 0) + 1);
    if (d.size > MAX_DISTINCT) this.distinct = null;
  }

  addNumber(x: number, row: number, int = false): void {
    this.nonMissing++;
    this.numeric++;
    if (int && this.uniqueInts !== null) {
      const key = String(x);
      if (this.uniqueInts.has(key) || this.uniqueInts.size >= MAX_DISTINCT) this.uniqueInts = null;
      else this.uniqueInts.add(key);
    }
    if (!Number.isFinite(x)) {
      this.nonFinite++;
      this.nonFiniteRows.push(row);
    }
  }
}

type ArrowKind = 'int' | 'float' | 'bool' | 'string' | 'other';

function arrowKind(t: DataType): ArrowKind {
  if (DataType.isInt(t)) return 'int';
  if (DataType.isFloat(t)) return 'float';
  if (DataType.isBool(t)) return 'bool';
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isDictionary(t) || (t as { typeId: number }).typeId === 24 /* Utf8View */) {
    return 'string';
  }
  return 'other';
}

/** Runs the counting pass over `source`. */
export async function scanTable(source: TableSource, options: ScanOptions = {}): Promise<TableProfile> {
  const names = source.columns;
  const nCols = names.length;
  const seen = new Map<string, number>();
  names.forEach((n, j) => {
    if (n !== '' && seen.has(n)) {
      throw new DataError('REBALANCE_DUPLICATE_COLUMN', `duplicate column name '${n}' (columns ${seen.get(n)! + 1} and ${j + 1}); rename one`, { where: { file: source.name } });
    }
    seen.set(n, j);
  });
  for (const list of [options.categorical, options.passthrough, options.features]) {
    for (const c of list ?? []) {
      if (!names.includes(c)) {
        throw new UsageError('REBALANCE_UNKNOWN_COLUMN', `unknown column '${c}'; columns are: ${names.join(', ')}`);
      }
    }
  }
  const selected = options.select ? new Set(resolveColumnSpecs(options.select, names, '--select')) : null;
  const excluded = new Set(options.exclude ? resolveColumnSpecs(options.exclude, names, '--exclude') : []);
  const labelIndex = findLabelColumn(names, options.label, source.name);
  const schema: Schema | undefined = source.arrowSchema;
  const akinds = schema?.fields.map((f) => arrowKind(f.type));
  const categoricalSet = new Set(options.categorical ?? []);
  const trackers = names.map((n) => new ColumnTracker(categoricalSet.has(n)));
  const labelIds = new Map<string, number>();
  const labelByValue = new Map<number, number>();
  const labelNames: string[] = [];
  const rawLabels = new GrowInt32();
  const badRows = new GrowInt32();
  const onBadRow = options.onBadRow ?? 'error';
  let rowsRead = 0;
  const textCells = source.format === 'csv';
  const labelId = (key: string): number => {
    let id = labelIds.get(key);
    if (id === undefined) {
      // A new spelling: numbers are one class by value ('1' and '1.0'), named by the first spelling seen.
      const value = numericLabelKey(key);
      id = value === null ? undefined : labelByValue.get(value);
      if (id === undefined) {
        id = labelNames.length;
        labelNames.push(key);
        if (value !== null) labelByValue.set(value, id);
      }
      labelIds.set(key, id);
    }
    return id;
  };
  const tooMany = (): DataError =>
    new DataError('REBALANCE_TOO_MANY_ROWS', `more than ${MAX_ROWS} data rows: rebalance numbers rows with 32-bit integers; split the input`, { where: { file: source.name } });
  const ragged = (r: number, fields: number): DataError =>
    new DataError(
      'REBALANCE_RAGGED_ROW',
      `data row ${r + 1} has ${fields} fields, expected ${nCols} (as the header); fix the row or pass --on-bad-row skip`,
      { where: { file: source.name, row: r + 1 } },
    );
  const csv = source.csv;
  // Delimiters that can be part of a number ('1.5' split at '.'), or that are not one byte, take the cells' path.
  const bytePath = csv !== undefined && csv.batches === source.batches && source.format === 'csv' && /^[\x01-\x7f]$/.test(csv.delimiter) && !/^[0-9+\-.]$/.test(csv.delimiter);
  const collect = options.collectValues === true;
  // Big files: the counting pass on worker threads over record-aligned byte ranges (not when values or records are kept).
  const parts = bytePath && !collect && !options.records ? await scanParallel(csv, { nCols, labelIndex, categorical: trackers.map((t) => t.forcedCategorical), onBadRow, signal: options.signal }) : null;
  if (parts) rowsRead = mergePartials(parts, { trackers, rawLabels, badRows, labelId });
  if (rowsRead > MAX_ROWS) throw tooMany();
  const byteState = bytePath && !parts
    ? await scanCsvBytes(csv, { nCols, labelIndex, trackers, rawLabels, badRows, onBadRow, labelId, tooMany, ragged, signal: options.signal, collect, records: options.records })
    : null;
  if (byteState) rowsRead = byteState.rowsRead;

  if (!byteState && !parts) for await (const batch of source.batches()) {
    if (options.signal?.aborted) throw options.signal.reason;
    const rows = batch.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const r = batch.offset + i;
      if (++rowsRead > MAX_ROWS) throw tooMany();
      if (row.length !== nCols) {
        if (onBadRow === 'error') throw ragged(r, row.length);
        badRows.push(r);
        rawLabels.push(-2);
        continue;
      }
      if (textCells) {
        // CSV: every cell is a string (hot loop, kept monomorphic)
        for (let j = 0; j < nCols; j++) {
          const v = row[j] as string;
          if (v === '') trackers[j].missingRows.push(r);
          else if (j !== labelIndex) trackers[j].addText(v, r);
        }
      } else for (let j = 0; j < nCols; j++) {
        const v = row[j];
        const t = trackers[j];
        if (v === null || v === undefined || v === '') {
          t.missingRows.push(r);
          continue;
        }
        if (j === labelIndex) continue;
        if (typeof v === 'string') {
          if (akinds && akinds[j] === 'string') {
            t.nonMissing++;
            t.addDistinct(v);
            if (t.firstText === null) t.firstText = { row: r, value: v };
          } else t.addText(v, r);
        } else if (typeof v === 'number') t.addNumber(v, r, akinds?.[j] === 'int');
        else if (typeof v === 'bigint') t.addNumber(Number(v), r, true);
        else if (typeof v === 'boolean') {
          t.nonMissing++;
          t.bools++;
        } else {
          t.nonMissing++;
          if (t.firstText === null) t.firstText = { row: r, value: String(v) };
        }
      }
      const lv = row[labelIndex];
      if (lv === null || lv === undefined || lv === '') {
        rawLabels.push(-1);
        continue;
      }
      rawLabels.push(labelId(typeof lv === 'string' ? lv : String(lv)));
    }
  }

  if (rowsRead === 0) {
    throw new DataError('REBALANCE_NO_ROWS', 'the input has a header but no data rows', { where: { file: source.name } });
  }

  checkLabelValues(labelNames, names[labelIndex], source.name);

  // Decide kinds and roles.
  const passSet = new Set(options.passthrough ?? []);
  const forcedFeatures = new Set(options.features ?? []);
  const maxFrac = options.maxCategoricalFraction ?? 0.5;
  const notice = options.onNotice ?? (() => undefined);
  const idColumns: string[] = [];
  const dateColumns: string[] = [];
  const profiles: ColumnProfile[] = names.map((name, j) => {
    const t = trackers[j];
    const arrowType = schema?.fields[j].type;
    const arrowMetadata = schema?.fields[j].metadata.size ? schema.fields[j].metadata : undefined;
    const base = { name, index: j, missing: t.missingRows.length, nonFinite: t.nonFinite, arrowType, arrowMetadata };
    if (j === labelIndex) return { ...base, role: 'label' as const, kind: 'categorical' as const, missing: t.missingRows.length, nonFinite: 0 };
    if (passSet.has(name) || PROVENANCE.has(name) || excluded.has(name) || (selected !== null && !selected.has(name))) {
      return { ...base, role: 'passthrough' as const, kind: 'text' as const };
    }
    const chosen = forcedFeatures.has(name) || selected !== null || categoricalSet.has(name);
    if (!chosen && looksLikeIdName(name)) {
      idColumns.push(name);
      return { ...base, role: 'passthrough' as const, kind: 'text' as const };
    }
    if (!chosen && akinds === undefined && t.nonMissing > 0 && t.isoDates === t.nonMissing) {
      dateColumns.push(name);
      return { ...base, role: 'passthrough' as const, kind: 'text' as const };
    }
    if (categoricalSet.has(name)) {
      const cats = collectCategories(t, source, j, names);
      return { ...base, role: 'feature' as const, kind: 'categorical' as const, categories: cats };
    }
    const ak = akinds?.[j];
    if (ak === 'int' || ak === 'float') return { ...base, role: 'feature' as const, kind: ak };
    if (ak === 'bool') return { ...base, role: 'feature' as const, kind: 'bool' as const };
    if (ak === 'other') return { ...base, role: 'passthrough' as const, kind: 'text' as const };
    if (ak === undefined && t.nonMissing > 0 && t.numeric === t.nonMissing) {
      return { ...base, role: 'feature' as const, kind: t.ints === t.numeric ? ('int' as const) : ('float' as const) };
    }
    if (ak === undefined && t.nonMissing > 0 && t.bools === t.nonMissing) {
      return { ...base, role: 'feature' as const, kind: 'bool' as const, boolText: t.boolText };
    }
    if (ak === undefined && t.numeric > 0 && t.numeric * 2 >= t.nonMissing && t.firstText) {
      throw new DataError(
        'REBALANCE_NOT_NUMERIC',
        `non-numeric value '${showValue(t.firstText.value)}' in numeric column '${name}' (data row ${t.firstText.row + 1}; ${t.numeric} of ${t.nonMissing} values are numbers); fix the value, or declare the column with --categorical or --passthrough`,
        { where: { file: source.name, row: t.firstText.row + 1, column: name } },
      );
    }
    if (t.nonMissing === 0) return { ...base, role: 'passthrough' as const, kind: 'text' as const };
    const d = t.distinct;
    if (d !== null && d.size <= Math.max(2, maxFrac * t.nonMissing)) {
      return { ...base, role: 'feature' as const, kind: 'categorical' as const, categories: [...d.keys()].sort() };
    }
    return { ...base, role: 'passthrough' as const, kind: 'text' as const };
  });
  if (idColumns.length) {
    const q = idColumns.map((c) => `'${c}'`).join(', ');
    notice(`${q} ${idColumns.length === 1 ? 'looks like an id column' : 'look like id columns'}: carried through, not used as ${idColumns.length === 1 ? 'a feature' : 'features'}; pass --features ${idColumns.join(',')} to use ${idColumns.length === 1 ? 'it' : 'them'}`);
  }
  if (dateColumns.length) {
    notice(`${dateColumns.map((c) => `'${c}'`).join(', ')} ${dateColumns.length === 1 ? 'holds' : 'hold'} ISO 8601 dates: carried through, not used as features; pass --features ${dateColumns.join(',')} to use them as features`);
  }
  for (const p of profiles) {
    const t = trackers[p.index];
    if (p.role === 'feature' && p.kind === 'int' && !forcedFeatures.has(p.name) && t.uniqueInts !== null && t.ints >= UNIQUE_WARNING_MIN_ROWS && t.ints === t.nonMissing && t.uniqueInts.size === t.ints) {
      notice(`warning: integer column '${p.name}' has a different value in every row (${t.ints} rows), like an identifier; pass --passthrough ${p.name} if it is not a feature`);
    }
  }

  // Rows to drop.
  const missingMode = options.missing ?? 'error';
  const labels = rawLabels.view();
  const dropMask = new Uint8Array(rowsRead);
  for (const r of badRows.view()) dropMask[r] = 1;
  type Problem = { row: number; column: string; what: string };
  let firstProblem: Problem | null = null;
  let labelMissing = 0;
  for (const r of trackers[labelIndex].missingRows.view()) if (dropMask[r] !== 1) labelMissing++;
  for (const p of profiles) {
    if (p.role === 'passthrough') continue;
    const t = trackers[p.index];
    const drop = missingMode === 'drop' || (p.role === 'label' && missingMode === 'keep' && options.missingLabel === 'drop');
    const check = (rowsList: Int32Array, what: string): void => {
      for (const r of rowsList) {
        if (dropMask[r] === 1) continue;
        if (drop) dropMask[r] = 2;
        else if (firstProblem === null || r < firstProblem.row) firstProblem = { row: r, column: p.name, what };
        if (!drop) break;
      }
    };
    check(t.missingRows.view(), p.role === 'label' ? 'an empty label' : 'a missing value');
    if (p.kind === 'int' || p.kind === 'float') check(t.nonFiniteRows.view(), 'NaN or Infinity');
  }
  const problemError = (fp: Problem): DataError => {
    if (fp.what === 'an empty label') {
      return new DataError(
        'REBALANCE_MISSING',
        `${labelMissing} row${labelMissing === 1 ? ' has' : 's have'} an empty label in column '${fp.column}' (first: data row ${fp.row + 1}); fill ${labelMissing === 1 ? 'it' : 'them'} in, or pass --missing drop to drop such rows`,
        { where: { file: source.name, row: fp.row + 1, column: fp.column } },
      );
    }
    return new DataError(
      fp.what === 'NaN or Infinity' ? 'REBALANCE_NON_FINITE' : 'REBALANCE_MISSING',
      `${fp.what} in column '${fp.column}' at data row ${fp.row + 1}; fill it in, or pass --missing drop to drop such rows`,
      { where: { file: source.name, row: fp.row + 1, column: fp.column } },
    );
  };
  let missingError: DataError | null = null;
  if (firstProblem !== null) {
    const fp = firstProblem as Problem;
    if (missingMode !== 'keep') throw problemError(fp);
    // 'keep': rows with missing features stay; a missing label is still an error (unless dropped above).
    if (labelMissing > 0 && options.missingLabel !== 'drop') {
      const lr = trackers[labelIndex].missingRows.view().find((r) => dropMask[r] !== 1)!;
      throw problemError({ row: lr, column: names[labelIndex], what: 'an empty label' });
    }
    missingError = problemError(fp);
  }

  const classNames = sortClassNames(labelNames);
  const remap = new Int32Array(labelNames.length);
  labelNames.forEach((nm, id) => (remap[id] = classNames.indexOf(nm)));
  const counts = new Int32Array(classNames.length);
  let droppedMissing = 0;
  let droppedBadRows = 0;
  const out = new Int32Array(rowsRead);
  for (let r = 0; r < rowsRead; r++) {
    if (dropMask[r] === 1) {
      droppedBadRows++;
      out[r] = -1;
    } else if (dropMask[r] === 2 || labels[r] < 0) {
      droppedMissing++;
      out[r] = -1;
    } else {
      const c = remap[labels[r]];
      out[r] = c;
      counts[c]++;
    }
  }
  // Classes that lost every row to dropping disappear.
  const present = classNames.filter((_, c) => counts[c] > 0);
  let finalNames = classNames;
  let finalCounts = counts;
  if (present.length !== classNames.length) {
    const re = new Int32Array(classNames.length).fill(-1);
    present.forEach((nm, c) => (re[classNames.indexOf(nm)] = c));
    for (let r = 0; r < rowsRead; r++) if (out[r] >= 0) out[r] = re[out[r]];
    finalNames = present;
    finalCounts = Int32Array.from(present.map((nm) => counts[classNames.indexOf(nm)]));
  }
  const nRows = rowsRead - droppedMissing - droppedBadRows;
  if (nRows === 0) {
    throw new DataError('REBALANCE_NO_ROWS', `no rows left: all ${rowsRead} rows were dropped (missing values or bad rows)`, { where: { file: source.name } });
  }
  return {
    source: source.name,
    format: source.format,
    columns: profiles,
    labelIndex,
    classNames: finalNames,
    counts: finalCounts,
    labels: out,
    rowsRead,
    nRows,
    droppedMissing,
    droppedBadRows,
    labelType: schema?.fields[labelIndex].type,
    missingError,
    ...(byteState?.values ? { values: byteState.values } : {}),
  };
}

/** A label's value as a number ('1', '1.0', '1e0' -> 1), or null for text. */
function numericLabelKey(s: string): number | null {
  const cls = classifyNumber(s.trim());
  if (cls !== NumClass.Int && cls !== NumClass.Float) return null;
  const x = Number(s);
  // Integers past 2^53 would merge distinct labels: compare those as text.
  return Math.abs(x) <= Number.MAX_SAFE_INTEGER ? x : null;
}

/**
 * A label must name classes: numbers with fractions (scikit-learn's type_of_target 'continuous')
 * or more than MAX_CLASSES distinct values mean the column is a measurement, not a class.
 */
function checkLabelValues(labelNames: readonly string[], column: string, file: string): void {
  const fractional = labelNames.find((v) => numericLabelKey(v) !== null && !Number.isInteger(Number(v)));
  if (fractional !== undefined) {
    throw new DataError(
      'REBALANCE_CONTINUOUS_LABEL',
      `the label column '${column}' looks continuous (values such as '${showValue(fractional)}' are not class codes; ${labelNames.length} distinct values): rebalancing needs a class label; pick another column with --label`,
      { where: { file, column } },
    );
  }
  if (labelNames.length > MAX_CLASSES) {
    throw new DataError(
      'REBALANCE_CONTINUOUS_LABEL',
      `the label column '${column}' has ${labelNames.length} distinct values (more than ${MAX_CLASSES}): it looks continuous or like an identifier, not a class label; pick another column with --label`,
      { where: { file, column } },
    );
  }
}

function collectCategories(t: ColumnTracker, source: TableSource, j: number, names: readonly string[]): string[] {
  if (t.distinct === null) {
    throw new DataError('REBALANCE_TOO_MANY_CATEGORIES', `column '${names[j]}' has more than ${MAX_DISTINCT} distinct values; it cannot be categorical (use --passthrough)`, { where: { file: source.name, column: names[j] } });
  }
  return [...t.distinct.keys()].sort();
}

/** Fails with a data error when fewer than two classes remain (nothing to rebalance). */
export function requireTwoClasses(profile: TableProfile): void {
  if (profile.classNames.length < 2) {
    throw new DataError(
      'REBALANCE_ONE_CLASS',
      `the label column '${profile.columns[profile.labelIndex].name}' has a single class ('${profile.classNames[0]}'); rebalancing needs at least two classes`,
      { where: { file: profile.source, column: profile.columns[profile.labelIndex].name } },
    );
  }
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

interface ByteScan {
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
async function scanCsvBytes(
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
function mergePartials(
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
