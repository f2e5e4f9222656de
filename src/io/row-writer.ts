/**
 * The writing end of a resample job: input rows, copies of input rows and generated rows go to a
 * row sink in the order the job calls, with the provenance columns (`_synthetic`, `_source_row`,
 * `_neighbor_row`) when asked, counting rows per class.
 *
 * CSV fast paths (same bytes as writing cells):
 * - raw: when input and output are CSV with the same delimiter (and no --safe-csv), input rows
 *   arrive as their bytes (PassRow.raw) and are copied verbatim;
 * - copies: a row written many times (random over-sampling) is formatted once; its bytes are
 *   reused (up to COPY_CACHE_BYTES);
 * - generated rows: one line per row from the synthetic-cell rules (io/cells.ts), the texts of
 *   labels and categories formatted once; handed over in blocks (generated()), whole blocks of
 *   lines are formatted in WebAssembly (io/number-text.ts GeneratedLines: the same bytes).
 */
import { Int32, Int8 } from 'apache-arrow';
import type { Cell } from './batch.js';
import { parseRawRow } from './csv-raw.js';
import { syntheticCells, syntheticColumns, type SyntheticColumn, type SyntheticRule } from './cells.js';
import type { CsvSink } from './csv-write.js';
import type { OutputFormat } from './format.js';
import { GeneratedLines, type LineColumn } from './number-text.js';
import type { RowSink, SinkColumn } from './sink.js';
import type { TableSource } from './source.js';

/** The columns --provenance appends: 1 for added rows, the input row copied or generated from, its neighbour. */
export const PROVENANCE_COLUMNS: readonly SinkColumn[] = [
  { name: '_synthetic', type: new Int8(), nullable: false },
  { name: '_source_row', type: new Int32(), nullable: true },
  { name: '_neighbor_row', type: new Int32(), nullable: true },
];

/** A row of a writing pass: its cells (parsed only when asked, on the raw path) and, on the raw path, its bytes. */
export interface PassRow {
  readonly raw: Buffer | null;
  /** The raw row's field delimiter (raw rows): lets a held copy parse its own bytes. */
  readonly delimiter?: string;
  cells(): Cell[];
}

/** A copy of a pass row that stays valid after the pass moves on (rows held for later copies). */
export function holdRow(row: PassRow): PassRow {
  if (row.raw) {
    // The copy parses itself: a closure over the pass's bytes would keep the pass's whole read
    // chunk (1 MiB) alive for every held row (random-over holds the minority rows: +240 MB at 1M).
    const raw = Buffer.from(row.raw);
    const delimiter = row.delimiter;
    return delimiter === undefined ? { raw, cells: row.cells } : { raw, delimiter, cells: () => parseRawRow(raw, delimiter) };
  }
  const cells = row.cells().slice();
  return { raw: null, cells: () => cells };
}

/** Whether input rows can be copied as bytes: CSV in and out with the same delimiter, no --safe-csv. */
export function rawCopyPossible(source: Pick<TableSource, 'rawRows' | 'delimiter'>, format: OutputFormat, safeCsv: boolean | undefined): boolean {
  return (
    source.rawRows !== undefined &&
    safeCsv !== true &&
    ((format === 'csv' && source.delimiter === ',') || (format === 'tsv' && source.delimiter === '\t'))
  );
}

export interface RowWriterOptions {
  /** Class names by class code (the label of generated rows; the number of classes counted). */
  readonly classNames: readonly string[];
  /** Append the provenance columns to every row. */
  readonly provenance: boolean;
  /** How generated rows fill each output column (one rule per input column). */
  readonly synthetic: readonly SyntheticRule[];
}

/** Generated rows handed to RowWriter.generated in blocks. */
export interface GeneratedRows {
  readonly count: number;
  /** Values per row (the slots of the synthetic rules). */
  readonly width: number;
  /** Class code of each row. */
  readonly labels: Int32Array;
  /** Fills `out` (n x width, row-major) with the values of rows [from, from + n); may throw (nothing of those rows is written). */
  fill(out: Float64Array, from: number, n: number): void;
  /** Provenance: the input row row `i` was generated from, and its neighbour (-1: none). */
  source(i: number): number;
  neighbor(i: number): number;
}

/** Bytes of formatted copies RowWriter keeps. */
const COPY_CACHE_BYTES = 64 * 1024 * 1024;

/** Writes rows to a sink, appending provenance and counting rows per class. */
export class RowWriter {
  /** Rows written. */
  rows = 0;
  /** Rows written that are not input rows in place (copies and generated rows). */
  syntheticRows = 0;
  readonly classCounts: Int32Array;
  private readonly provenance: boolean;
  private readonly columns: readonly SyntheticColumn[];
  private readonly csv: CsvSink | null;
  private readonly line: ((values: readonly number[], classCode: number) => string) | null;
  /** CSV bytes of input rows already written as copies, by input row (at most COPY_CACHE_BYTES). */
  private readonly copies = new Map<number, Buffer>();
  private copyBytes = 0;
  private readonly rules: readonly SyntheticRule[];
  private readonly classNames: readonly string[];
  /** The WebAssembly line formatter of generated rows (created on first use; null when this sink cannot use it). */
  private lines: { width: number; kernel: Promise<GeneratedLines | null> } | undefined;

  constructor(
    private readonly sink: RowSink,
    options: RowWriterOptions,
  ) {
    this.classCounts = new Int32Array(options.classNames.length);
    this.provenance = options.provenance;
    this.columns = syntheticColumns(options.synthetic, options.classNames);
    this.rules = options.synthetic;
    this.classNames = options.classNames;
    this.csv = 'writeLine' in sink ? (sink as CsvSink) : null;
    this.line = this.csv ? csvLine(this.columns, this.csv) : null;
  }

  /** Input row `r` (class `code`) in place: its bytes when it has them, else its cells. A promise only when it must wait. */
  original(row: PassRow, r: number, code: number): Promise<void> | void {
    this.count(code);
    if (row.raw && this.csv) {
      const d = this.csv.delimiter;
      return this.csv.writeRaw(row.raw, this.provenance ? `${d}0${d}${r}${d}` : '');
    }
    const cells = row.cells();
    return this.sink.write(this.provenance ? [...cells, 0, r, null] : cells);
  }

  /** Input row `r` written in place `times` times (0 or more). A promise only when the writer must wait. */
  originals(row: PassRow, r: number, code: number, times: number): Promise<void> | void {
    for (let t = 0; t < times; t++) {
      const p = this.original(row, r, code);
      if (p) return p.then(() => this.originals(row, r, code, times - t - 1));
    }
  }

  /** A copy of input row `r` written after the input rows (provenance: synthetic, source row r). A promise only when it must wait. */
  copy(row: PassRow, r: number, code: number): Promise<void> | void {
    this.count(code);
    this.syntheticRows++;
    if (this.csv) {
      const d = this.csv.delimiter;
      const suffix = this.provenance ? `${d}1${d}${r}${d}` : '';
      if (row.raw) return this.csv.writeRaw(row.raw, suffix);
      // Copies of a row (random over-sampling draws small classes many times) reuse its bytes.
      let bytes = this.copies.get(r);
      if (bytes === undefined) {
        bytes = Buffer.from(this.csv.format(row.cells()), 'utf8');
        if (this.copyBytes + bytes.length <= COPY_CACHE_BYTES) {
          this.copies.set(r, bytes);
          this.copyBytes += bytes.length;
        }
      }
      return this.csv.writeRaw(bytes, suffix);
    }
    const cells = row.cells();
    return this.sink.write(this.provenance ? [...cells, 1, r, null] : cells);
  }

  /** A generated row of class `code` from feature `values`; source and neighbour rows -1 when none. */
  async synthetic(values: readonly number[], code: number, sourceRow: number, neighborRow: number): Promise<void> {
    this.count(code);
    this.syntheticRows++;
    if (this.line && this.csv) {
      let line = this.line(values, code);
      if (this.provenance) {
        const d = this.csv.delimiter;
        line += `${d}1${d}${sourceRow < 0 ? '' : sourceRow}${d}${neighborRow < 0 ? '' : neighborRow}`;
      }
      await this.csv.writeLine(line);
      return;
    }
    const cells = syntheticCells(this.columns, values, code);
    if (this.provenance) cells.push(1, sourceRow < 0 ? null : sourceRow, neighborRow < 0 ? null : neighborRow);
    await this.sink.write(cells);
  }

  /**
   * Generated rows, in order: the same output as synthetic() for each row. CSV lines are formatted
   * in WebAssembly a block at a time when every number column writes plain numbers; `onRows`
   * hears the rows written so far after each block.
   */
  async generated(rows: GeneratedRows, onRows?: (written: number) => void): Promise<void> {
    const w = rows.width;
    if (this.lines?.width !== w) this.lines = { width: w, kernel: this.lineKernel(w) };
    const lines = await this.lines.kernel;
    if (!lines || !this.csv) {
      const values = new Float64Array(w);
      const list = new Array<number>(w);
      for (let i = 0; i < rows.count; i++) {
        rows.fill(values, i, 1);
        for (let j = 0; j < w; j++) list[j] = values[j];
        await this.synthetic(list, rows.labels[i], rows.source(i), rows.neighbor(i));
        onRows?.(i + 1);
      }
      return;
    }
    const { capacity, values, codes, sources, neighbors } = lines;
    for (let from = 0; from < rows.count; from += capacity) {
      const n = Math.min(capacity, rows.count - from);
      rows.fill(values, from, n);
      for (let k = 0; k < n; k++) {
        codes[k] = rows.labels[from + k];
        sources[k] = rows.source(from + k);
        neighbors[k] = rows.neighbor(from + k);
      }
      for (let k = 0; k < n; ) {
        const out = lines.format(k, n);
        for (let r = k; r < k + out.rows; r++) this.count(codes[r]);
        this.syntheticRows += out.rows;
        if (out.bytes.length) await this.csv.writeBytes(out.bytes);
        k += out.rows;
        if (k < n) {
          // A number of magnitude >= 1e21: formatNumber writes it in full.
          await this.synthetic(Array.from(values.subarray(k * w, (k + 1) * w)), codes[k], sources[k], neighbors[k]);
          k++;
        }
      }
      onRows?.(from + n);
    }
  }

  /** The WebAssembly line formatter for this sink's generated rows, or null when a column needs JavaScript's. */
  private async lineKernel(width: number): Promise<GeneratedLines | null> {
    const csv = this.csv;
    if (!csv || csv.delimiter.length !== 1 || csv.delimiter.charCodeAt(0) > 127) return null;
    const text = (j: number, c: SyntheticColumn): Uint8Array[] => (c.choices ?? []).map((x) => Buffer.from(csv.formatCell(j, x), 'utf8'));
    const cols: LineColumn[] = [];
    for (let j = 0; j < this.rules.length; j++) {
      const rule = this.rules[j];
      const c = this.columns[j];
      if (rule.kind === 'int' || rule.kind === 'float') {
        if (!csv.plainNumbers(j)) return null;
        cols.push({ op: rule.kind === 'int' && rule.round ? 'round' : 'number', slot: rule.slot });
      } else if (rule.kind === 'label') {
        cols.push({ op: 'label', texts: text(j, c) });
      } else if (rule.kind === 'bool') {
        const [f, t] = text(j, c);
        cols.push({ op: 'bool', slot: rule.slot, texts: [f, t] });
      } else if (rule.kind === 'categorical' && rule.categories.length > 0) {
        cols.push({ op: 'category', slot: rule.slot, texts: text(j, c) });
      } else {
        cols.push({ op: 'const', text: text(j, c)[0] });
      }
    }
    if (cols.length === 0) return null;
    return GeneratedLines.create({ columns: cols, width, delimiter: csv.delimiter.charCodeAt(0), provenance: this.provenance });
  }

  private count(code: number): void {
    this.classCounts[code]++;
    this.rows++;
  }
}

/**
 * The CSV line of a generated row without building its cells: the same text the sink writes for
 * those cells (each possible label, category and boolean formatted once, numbers as they come;
 * values are finite: writeSynthetic checks).
 */
function csvLine(columns: readonly SyntheticColumn[], sink: CsvSink): (values: readonly number[], classCode: number) => string {
  const parts = columns.map((c, j): ((v: readonly number[], code: number) => string) => {
    if (c.choices) {
      const texts = c.choices.map((x) => sink.formatCell(j, x));
      return (v, code) => texts[c.at(v, code)];
    }
    const number = sink.numberFormatter(j);
    return (v, code) => number(c.at(v, code));
  });
  const n = parts.length;
  const d = sink.delimiter;
  return (values, code) => {
    let line = parts[0](values, code);
    for (let j = 1; j < n; j++) line += d + parts[j](values, code);
    return line;
  };
}
