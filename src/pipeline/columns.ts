/**
 * From a scanned table to (a) feature extractors for building Datasets, (b) output sink columns
 * with their types, (c) the synthetic-cell rule of each output column.
 */
import { Bool, DataType, Float64, Int64, Utf8 } from 'apache-arrow';
import type { Cell } from '../io/batch.js';
import { classifyBool, classifyNumber, NumClass, type SyntheticRule } from '../io/cells.js';
import { PROVENANCE_COLUMNS } from '../io/row-writer.js';
import type { SinkColumn } from '../io/sink.js';
import type { ColumnProfile, TableProfile } from '../dataset/scan.js';
import type { FeatureKind } from '../types.js';

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
    // The input field's metadata (polars' Enum categories, ...) while the column keeps its input type.
    const metadata = c.arrowMetadata && c.arrowType && String(type) === String(c.arrowType) ? c.arrowMetadata : undefined;
    return { name: c.name, type, nullable: true, text, ...(metadata ? { metadata } : {}) };
  });
  if (options.provenance) cols.push(...PROVENANCE_COLUMNS);
  return cols;
}

/** How generated rows fill each output column (the rules themselves are io/cells.ts's). */
export function syntheticRules(profile: TableProfile, round: boolean): SyntheticRule[] {
  const slot = new Int32Array(profile.columns.length).fill(-1);
  featureColumns(profile).forEach((c, f) => (slot[c.index] = f));
  return profile.columns.map((c, j): SyntheticRule => {
    if (c.role === 'label') return { kind: 'label' };
    if (c.role !== 'feature') return { kind: 'empty' };
    switch (c.kind) {
      case 'int':
        return { kind: 'int', slot: slot[j], round };
      case 'float':
        return { kind: 'float', slot: slot[j] };
      case 'bool':
        return { kind: 'bool', slot: slot[j], text: c.boolText };
      case 'categorical':
        return { kind: 'categorical', slot: slot[j], categories: c.categories ?? [] };
      default:
        return { kind: 'empty' };
    }
  });
}
