/**
 * One partition of a distributed run: its source and counting pass, its summary (the count
 * step), the map from its class codes to the global ones, and a writer for its output rows in
 * the partition's own format (the same columns, metadata and cell rules as `resample`).
 */
import { DataError } from '../core/errors.js';
import { scanTable, type ColumnKind, type ColumnRole, type ScanOptions, type TableProfile } from '../dataset/scan.js';
import { outputFormatFor, type OutputFormat } from '../io/format.js';
import { RowWriter } from '../io/row-writer.js';
import { openSink, type RowSink } from '../io/sink.js';
import { openSource, type ReadOptions, type TableSource } from '../io/source.js';
import { openTable } from '../dataset/cell-semantics.js';
import type { RowBatch } from '../io/batch.js';
import { sinkColumns, syntheticRules } from '../pipeline/columns.js';
import { GatherKeeper } from './count-gather.js';
import { partitionOf, type DistPlan } from './plan.js';

export interface PartitionColumn {
  readonly name: string;
  readonly role: ColumnRole;
  readonly kind: ColumnKind;
}

/** What the count step writes for one partition: small and mergeable. */
export interface PartitionSummary {
  readonly kind: 'rebalance-partition-summary';
  readonly version: 1;
  readonly file: string;
  readonly format: 'csv' | 'arrow' | 'parquet';
  readonly rowsRead: number;
  /** Rows kept (rowsRead minus dropped rows): the rows that get global ids. */
  readonly rows: number;
  readonly dropped: { readonly missing: number; readonly badRows: number };
  readonly label: string;
  readonly columns: readonly PartitionColumn[];
  /** Rows per class name (only classes present). */
  readonly classes: Readonly<Record<string, number>>;
  /** Per class name: its first kept row in this partition (0-based among kept rows): minority ties go to the class met first. */
  readonly firstRows?: Readonly<Record<string, number>>;
  /**
   * count --gather: the file holding this partition's rows of `classes` (every row of each, in
   * row order); absent when the pass could not keep them (see count-gather.ts).
   */
  readonly gathered?: { readonly file: string; readonly classes: readonly string[] };
}

export interface OpenPartition {
  readonly source: TableSource;
  readonly profile: TableProfile;
}

/** Opens a partition file and runs the counting pass. */
export async function openPartition(path: string, read: ReadOptions = {}, scan: ScanOptions = {}): Promise<OpenPartition> {
  // The same NA spellings and decimal rule as a single-machine read (dataset/cell-semantics.ts).
  const source = await openTable(path, read, scan);
  try {
    const profile = await scanTable(source, scan);
    return { source, profile };
  } catch (e) {
    await source.close();
    throw e;
  }
}

export function summarize(file: string, p: OpenPartition): PartitionSummary {
  const { profile } = p;
  const classes: Record<string, number> = {};
  profile.classNames.forEach((n, c) => (classes[n] = profile.counts[c]));
  const firstRows: Record<string, number> = {};
  let j = 0;
  for (const code of profile.labels) {
    if (code < 0) continue;
    const name = profile.classNames[code];
    if (firstRows[name] === undefined) firstRows[name] = j;
    j++;
  }
  return {
    kind: 'rebalance-partition-summary',
    version: 1,
    file,
    format: profile.format,
    rowsRead: profile.rowsRead,
    rows: profile.nRows,
    dropped: { missing: profile.droppedMissing, badRows: profile.droppedBadRows },
    label: profile.columns[profile.labelIndex].name,
    columns: profile.columns.map((c) => ({ name: c.name, role: c.role, kind: c.kind })),
    classes,
    firstRows,
  };
}

export interface PartitionStep {
  readonly input: string;
  readonly index: number;
  readonly plan: DistPlan;
  readonly output?: string;
  readonly format?: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  readonly version?: string;
}

/** Opens partition `index` of the plan and checks it is the file the plan counted. */
export async function openPlanned(step: PartitionStep): Promise<OpenPartition & { offset: number; toGlobal: Int32Array }> {
  const plan = step.plan;
  // smote-tomek / smote-enn: the synthetic rows are partition N (after the N input partitions), global ids from totalRows.
  const synthetic = step.index === plan.partitions.length && plan.route === 'synthesize' && plan.clean !== undefined;
  const entry = synthetic ? { file: 'the synthetic rows', rows: -1, offset: plan.totalRows } : partitionOf(plan, step.index);
  const p = await openPartition(step.input, step.read, { ...step.scan, label: step.scan?.label ?? step.plan.label });
  if (!synthetic && p.profile.nRows !== entry.rows) {
    await p.source.close();
    throw new DataError('REBALANCE_PLAN_MISMATCH', `${step.input} has ${p.profile.nRows} rows, but partition ${step.index} of the plan (${entry.file}) has ${entry.rows}; pass the partition the plan counted at this --index`);
  }
  return { ...p, offset: entry.offset, toGlobal: globalCodes(p.profile, step.plan.classNames) };
}

/**
 * The count step: one partition's summary. With `gather`, the rows of the partition's small
 * classes are written to that file in the same pass (count-gather.ts; CSV files only: for other
 * inputs, or when the pass could not keep them, the summary has no `gathered` and no file is written).
 */
export async function countPartition(path: string, read?: ReadOptions, scan?: ScanOptions, gather?: string): Promise<PartitionSummary> {
  const keeper = gather === undefined ? undefined : new GatherKeeper();
  const p = await openPartition(path, read, keeper ? { ...scan, records: keeper } : scan);
  try {
    const summary = summarize(path, p);
    if (!keeper || gather === undefined) return summary;
    const classes = keeper.complete(p.profile);
    if (classes === null) return summary;
    await keeper.write(gather, p.profile, classes);
    return { ...summary, gathered: { file: gather, classes } };
  } finally {
    await p.source.close();
  }
}

/** Local class code -> global class code (by name). */
export function globalCodes(profile: TableProfile, classNames: readonly string[]): Int32Array {
  return Int32Array.from(profile.classNames, (n) => {
    const g = classNames.indexOf(n);
    if (g < 0) throw new DataError('REBALANCE_PLAN_MISMATCH', `class '${n}' of this partition is not in the plan (classes: ${classNames.join(', ')}); make the plan from the summaries of these partitions`);
    return g;
  });
}

/**
 * The widened column kinds of the plan applied to a partition's profile: a column read as integers
 * in one partition and as floats in another is a float column of the table (as a single-machine
 * scan of the concatenated table sees it), so synthetic values are not rounded.
 */
export function withPlanKinds(profile: TableProfile, columns: readonly PartitionColumn[]): TableProfile {
  return {
    ...profile,
    columns: profile.columns.map((c) => {
      const g = columns.find((x) => x.name === c.name);
      return g && g.kind === 'float' && c.kind === 'int' ? { ...c, kind: 'float' as const } : c;
    }),
  };
}

export interface PartitionWriter {
  readonly writer: RowWriter;
  readonly sink: RowSink;
  readonly format: OutputFormat;
}

/** Opens the output of a partition step: the same columns and cell rules as `resample` writes. */
export async function openPartitionWriter(
  output: string | undefined,
  explicitFormat: string | undefined,
  source: TableSource,
  profile: TableProfile,
  metadata: ReadonlyMap<string, string>,
  synthetic = false,
): Promise<PartitionWriter> {
  const format = outputFormatFor(output, explicitFormat, source.format);
  const columns = sinkColumns(profile, { provenance: false, round: true, synthetic });
  const sink = await openSink(output, format, columns, { metadata: new Map(metadata), delimiter: format === 'csv' ? ',' : undefined });
  const writer = new RowWriter(sink, { classNames: profile.classNames, provenance: false, synthetic: syntheticRules(profile, true) });
  return { writer, sink, format };
}

/**
 * Several files with the same columns read as one table, in order (the gathered classes of
 * every partition): row offsets continue from file to file.
 */
export async function concatSources(paths: readonly string[], read: ReadOptions = {}): Promise<TableSource> {
  if (paths.length === 0) throw new DataError('REBALANCE_NO_INPUT', 'no gathered files given; pass the files the gather step wrote');
  const sources: TableSource[] = [];
  try {
    for (const p of paths) sources.push(await openSource(p, read));
  } catch (e) {
    await Promise.all(sources.map((s) => s.close()));
    throw e;
  }
  const first = sources[0];
  for (const s of sources) {
    if (s.format !== first.format || s.columns.join('\u0000') !== first.columns.join('\u0000')) {
      await Promise.all(sources.map((x) => x.close()));
      throw new DataError('REBALANCE_PLAN_MISMATCH', `${s.name} has other columns or another format than ${first.name}; gathered files must come from partitions of one table`);
    }
  }
  return {
    name: paths.length === 1 ? first.name : `${first.name} (+${paths.length - 1} more)`,
    format: first.format,
    columns: first.columns,
    arrowSchema: first.arrowSchema,
    delimiter: first.delimiter,
    async *batches(): AsyncGenerator<RowBatch> {
      let base = 0;
      for (const s of sources) {
        let end = 0;
        for await (const b of s.batches()) {
          yield { offset: base + b.offset, rows: b.rows };
          end = b.offset + b.rows.length;
        }
        base += end;
      }
    },
    async close() {
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}
