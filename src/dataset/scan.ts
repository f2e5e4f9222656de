/**
 * The counting pass: one streaming read of the input that infers column types, finds the label
 * column, validates cells (missing values, NaN/Infinity, ragged rows, non-numeric text in numeric
 * columns) and records the class code of every row. Holds O(rows) Int32 labels, never the text.
 */
import { DataType, type Schema } from 'apache-arrow';
import { DataError, showValue, UsageError } from '../core/errors.js';
import { PROVENANCE_COLUMNS } from '../io/row-writer.js';
import type { TableSource } from '../io/source.js';
import { scanParallel } from './scan-parallel.js';
import { scanCsvBytes, type RecordKeeper } from './scan-bytes.js';
import { mergePartials } from './scan-range.js';
import { ColumnTracker, GrowInt32, MAX_DISTINCT, MAX_ROWS } from './scan-state.js';
import { sortClassNames } from './make.js';
import { classifyNumber, NumClass } from '../io/cells.js';
import type { CellSemantics } from './cell-semantics.js';

/** ScanOptions.records' type, named where ScanOptions is (distributed/count-gather.ts implements it). */

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
