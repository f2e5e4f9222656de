/**
 * From a scanned table to (a) feature extractors for building Datasets, (b) output sink columns
 * with their types, (c) cells for synthetic rows.
 */
import { Bool, DataType, Float64, Int32, Int64, Int8, Precision, Utf8 } from 'apache-arrow';
import { csvText, formatFloat32, formatNumber } from '../io/csv-write.js';
import type { Cell } from '../io/batch.js';
import type { SinkColumn } from '../io/sink.js';
import { classifyBool, classifyNumber, NumClass } from '../dataset/numbers.js';
import type { ColumnProfile, TableProfile } from '../dataset/scan.js';
import type { FeatureKind } from '../types.js';

export const PROVENANCE_COLUMNS = ['_synthetic', '_source_row', '_neighbor_row'] as const;

export function featureColumns(profile: TableProfile): ColumnProfile[] {
  return profile.columns.filter((c) => c.role === 'feature');
}

/** cell -> number for one feature column (validated by the scan). */
export function extractorFor(col: ColumnProfile): (v: Cell) => number {
  switch (col.kind) {
    case 'int':
    case 'float':
      return (v) => (typeof v === 'string' ? +v : typeof v === 'bigint' ? Number(v) : (v as number));
    case 'bool':
      return (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' ? classifyBool(v) : Number(v) ? 1 : 0);
    case 'categorical': {
      const codes = new Map((col.categories ?? []).map((c, i) => [c, i]));
      return (v) => codes.get(typeof v === 'string' ? v : String(v)) ?? -1;
    }
    default:
      return () => NaN;
  }
}

export function featureKind(col: ColumnProfile): FeatureKind {
  return col.kind === 'text' ? 'categorical' : col.kind;
}

function labelArrowType(profile: TableProfile): DataType {
  if (profile.labelType) return profile.labelType;
  const names = profile.classNames;
  if (names.every((n) => /^[+-]?\d+$/.test(n) && Number.isSafeInteger(Number(n)))) return new Int64();
  return new Utf8();
}

/** Output columns: every input column in input order (types kept), then provenance columns. */
export function sinkColumns(profile: TableProfile, options: { provenance: boolean; round: boolean; synthetic: boolean }): SinkColumn[] {
  const cols: SinkColumn[] = profile.columns.map((c) => {
    let type: DataType;
    if (c.role === 'label') type = labelArrowType(profile);
    else if (c.arrowType) type = c.arrowType;
    else if (c.kind === 'int') type = new Int64();
    else if (c.kind === 'float') type = new Float64();
    else if (c.kind === 'bool') type = new Bool();
    else type = new Utf8();
    // Fractional synthetic values cannot live in an integer column.
    if (c.role === 'feature' && c.kind === 'int' && !options.round && options.synthetic) type = new Float64();
    // Text (subject to --safe-csv): free text, and labels/categories unless every value is a number.
    const values = c.role === 'label' ? profile.classNames : c.categories;
    const text = c.kind === 'text' || (c.kind === 'categorical' && !(values ?? []).every((v) => classifyNumber(v) !== NumClass.NotNumber));
    return { name: c.name, type, nullable: true, text };
  });
  if (options.provenance) {
    cols.push({ name: '_synthetic', type: new Int8(), nullable: false });
    cols.push({ name: '_source_row', type: new Int32(), nullable: true });
    cols.push({ name: '_neighbor_row', type: new Int32(), nullable: true });
  }
  return cols;
}

/** Builds the cells of synthetic rows (features by kind, the label, null pass-through). */
export function syntheticCellWriter(profile: TableProfile, round: boolean): (values: readonly number[], classCode: number) => Cell[] {
  const feats = featureColumns(profile);
  const slot = new Int32Array(profile.columns.length).fill(-1);
  feats.forEach((c, f) => (slot[c.index] = f));
  const fmt = profile.columns.map((c): ((x: number) => Cell) => {
    if (c.role !== 'feature') return () => null;
    switch (c.kind) {
      case 'int':
        return round ? (x) => Math.round(x) + 0 : (x) => x;
      case 'float':
        return (x) => x;
      case 'bool': {
        const text = c.boolText;
        return text ? (x) => text[x >= 0.5 ? 1 : 0] : (x) => x >= 0.5;
      }
      case 'categorical': {
        const cats = c.categories ?? [];
        return (x) => cats[Math.min(cats.length - 1, Math.max(0, Math.round(x)))] ?? null;
      }
      default:
        return () => null;
    }
  });
  return (values, classCode) =>
    profile.columns.map((c, j) => (c.role === 'label' ? profile.classNames[classCode] : slot[j] >= 0 ? fmt[j](values[slot[j]]) : null));
}

/**
 * The CSV fast path for synthetic rows: one formatted line per row, without building cells.
 * Same values as syntheticCellWriter + the CSV sink (numbers need no quoting; label and
 * category texts are quoted and neutralised once, up front).
 */
export function syntheticCsvLine(
  profile: TableProfile,
  round: boolean,
  columns: readonly SinkColumn[],
  delimiter: string,
  safe: boolean,
): (values: readonly number[], classCode: number) => string {
  const feats = featureColumns(profile);
  const slot = new Int32Array(profile.columns.length).fill(-1);
  feats.forEach((c, f) => (slot[c.index] = f));
  const classText = profile.classNames.map((n) => csvText(n, delimiter, safe && columns[profile.labelIndex]?.text === true));
  const parts = profile.columns.map((c, j): ((v: readonly number[], code: number) => string) => {
    if (c.role === 'label') return (_, code) => classText[code];
    if (c.role !== 'feature') return () => '';
    const f = slot[j];
    const t = columns[j]?.type;
    const f32 = t !== undefined && DataType.isFloat(t) && (t as unknown as { precision: number }).precision === Precision.SINGLE;
    switch (c.kind) {
      case 'int':
        return round ? (v) => formatNumber(Math.round(v[f]) + 0) : (v) => formatNumber(v[f]);
      case 'float':
        return f32 ? (v) => formatFloat32(v[f]) : (v) => formatNumber(v[f]);
      case 'bool': {
        const text = c.boolText ?? ['false', 'true'];
        return (v) => text[v[f] >= 0.5 ? 1 : 0];
      }
      case 'categorical': {
        const cats = (c.categories ?? []).map((x) => csvText(x, delimiter, safe && columns[j]?.text === true));
        return (v) => cats[Math.min(cats.length - 1, Math.max(0, Math.round(v[f])))] ?? '';
      }
      default:
        return () => '';
    }
  });
  const n = parts.length;
  return (values, code) => {
    let line = parts[0](values, code);
    for (let j = 1; j < n; j++) line += delimiter + parts[j](values, code);
    return line;
  };
}
