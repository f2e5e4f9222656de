/**
 * What CSV cell text means before any pass reads it: missing-value spellings (pandas' default
 * na_values, or the user's list) become the empty cell, and decimal commas ('1,5') become decimal
 * points, so the counting pass, the feature extractors and the writers all see one spelling.
 * CSV -> CSV copies of input rows stay byte-for-byte (they are copied from the raw bytes), so
 * rows are still written as they came. Arrow input is left alone (its nulls are already missing).
 */
import type { Cell, RowBatch } from '../io/batch.js';
import { openSource, type ReadOptions, type TableSource } from '../io/source.js';

/** pandas.read_csv's default na_values (pandas 2.x, `keep_default_na=True`). */
export const PANDAS_NA_VALUES: readonly string[] = [
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
];

export interface CellSemantics {
  /** Cell texts read as missing (the empty cell always is). Default: PANDAS_NA_VALUES. */
  readonly naValues?: readonly string[];
  /** Decimal separator of numbers: '.', ',' or undefined = auto (',' only with ';' and when unambiguous). */
  readonly decimal?: '.' | ',';
  /** Told once when the decimal comma was detected. */
  readonly onNotice?: (message: string) => void;
}

const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;
const DECIMAL_POINT = /^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$/;

/** The decimal separator a ';'-separated table uses, judged from its first batch: ',' only when some cells have a decimal comma and none a decimal point. */
export function detectDecimalComma(rows: readonly Cell[][]): boolean {
  let commas = 0;
  for (const row of rows) {
    for (const v of row) {
      if (typeof v !== 'string' || v.length === 0) continue;
      const c = v.charCodeAt(0);
      if (!((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 44 || c === 46)) continue;
      if (DECIMAL_POINT.test(v)) return false;
      if (DECIMAL_COMMA.test(v)) commas++;
    }
  }
  return commas > 0;
}

/** The source with CSV cells read by `semantics`; the same object when nothing changes. */
export async function withCellSemantics(source: TableSource, semantics: CellSemantics = {}): Promise<TableSource> {
  if (source.format !== 'csv') return source;
  const na = new Set(semantics.naValues ?? PANDAS_NA_VALUES);
  na.delete('');
  let comma = semantics.decimal === ',';
  if (semantics.decimal === undefined && source.delimiter === ';') {
    const it = source.batches();
    try {
      const first = await it.next();
      if (!first.done && detectDecimalComma(first.value.rows)) {
        comma = true;
        semantics.onNotice?.("numbers use a decimal comma (detected with the ';' delimiter); pass --decimal . if they do not");
      }
    } finally {
      await it.return(undefined);
    }
  }
  if (na.size === 0 && !comma) return source;
  // Cells longer than the longest NA spelling, or ending in a character none ends in (a digit, for
  // the default set), skip the set lookup: numbers cost two comparisons.
  const maxLen = Math.max(0, ...[...na].map((s) => s.length));
  const lastChars = new Set([...na].map((s) => s.charCodeAt(s.length - 1)));
  const rewrite = (batch: RowBatch): RowBatch => {
    for (const row of batch.rows) {
      for (let j = 0; j < row.length; j++) {
        const v = row[j];
        if (typeof v !== 'string' || v.length === 0) continue;
        if (v.length <= maxLen && lastChars.has(v.charCodeAt(v.length - 1)) && na.has(v)) row[j] = '';
        else if (comma && v.includes(',') && DECIMAL_COMMA.test(v)) row[j] = v.replace(',', '.');
      }
    }
    return batch;
  };
  const batches = async function* (): AsyncGenerator<RowBatch> {
    for await (const batch of source.batches()) yield rewrite(batch);
  };
  // The counting pass's byte path applies the NA spellings itself; decimal commas take batches().
  const csv = source.csv && source.csv.batches === source.batches && !comma ? { ...source.csv, naValues: na, batches } : undefined;
  const wrapped: TableSource = { ...source, batches, csv };
  // Raw copies would keep '1,5' next to generated '1.5' in a ','-separated output: copy formatted cells instead.
  if (comma) delete (wrapped as { rawRows?: unknown }).rawRows;
  return wrapped;
}

/** openSource, then CSV cells read by `semantics` (the source is closed when that fails). */
export async function openTable(input: string | undefined, read: ReadOptions = {}, semantics: CellSemantics = {}): Promise<TableSource> {
  const source = await openSource(input, read);
  try {
    return await withCellSemantics(source, semantics);
  } catch (e) {
    await source.close();
    throw e;
  }
}
