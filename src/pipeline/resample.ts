/**
 * The resample job: source -> counting pass -> plan -> sampler -> sink.
 *
 * Memory by sampler scope (the contract in docs/ARCHITECTURE.md):
 * - 'stream' (random under/over): labels only; one writing pass; over-sampling keeps the cells of
 *   the rows it duplicates.
 * - 'targets' (SMOTE family): the features of the classes being synthesized; every row is written
 *   in the same pass that gathers them.
 * - 'all' (neighbourhoods across classes): Float64 features of every row; a second pass writes
 *   the kept rows exactly as they came in.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { ReadOptions, TableSource } from '../io/source.js';
import { openSource } from '../io/source.js';
import type { Cell } from '../io/batch.js';
import Papa from 'papaparse';
import { createSink, type RowSink } from '../io/sink.js';
import type { CsvSink } from '../io/csv-write.js';
import { outputFormatFor, type OutputFormat } from '../io/format.js';
import { openTarget } from '../io/output.js';
import { requireTwoClasses, scanTable, type ScanOptions, type TableProfile } from '../dataset/scan.js';
import { checkFeatureKinds, getSampler } from '../samplers/registry.js';
import { resolveClassList, resolveStrategy } from '../samplers/strategy.js';
import { createUnderSelector } from '../samplers/random-under.js';
import { drawOverSamples } from '../samplers/random-over.js';
import type { Dataset, KnnBackend, Resampled, SamplerOptions, SamplingPlan, SamplingStrategy, SyntheticBlock } from '../types.js';
import { DatasetBuilder } from './collect.js';
import { featureColumns, featureKind, sinkColumns, syntheticCellWriter, syntheticCsvLine } from './columns.js';
import type { SinkColumn } from '../io/sink.js';
import { countedBatches, type JobProgress } from './progress.js';

export interface ResampleJob {
  readonly input?: string;
  readonly output?: string;
  /** Output format (csv, tsv, arrow, arrows); default from the output extension / input format. */
  readonly format?: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  readonly method: string;
  /** Default: the method's default ('auto'). */
  readonly strategy?: SamplingStrategy;
  readonly samplerOptions?: SamplerOptions;
  readonly rng: Rng;
  /** Recorded in the summary and Arrow metadata. */
  readonly seed: number;
  readonly provenance?: boolean;
  /** Round synthetic values of integer columns (default true). */
  readonly round?: boolean;
  readonly safeCsv?: boolean;
  readonly scale?: 'none' | 'standard' | 'minmax';
  /** Opens the kNN backend (called only by methods that need neighbours; the job disposes it). */
  readonly knn?: () => Promise<KnnBackend>;
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  readonly version?: string;
  /**
   * Told how far each step of the job is ('pass 1, reading', 'pass 2, writing', 'writing added
   * rows'...; see JobProgress), once per batch; kNN searches report through the backend
   * (openKnn's onProgress).
   */
  readonly onProgress?: JobProgress;
}

/** Reports rows done of one step (see ResampleJob.onProgress). */
type StepReport = (rows: number) => void;

export interface ClassRow {
  readonly name: string;
  readonly before: number;
  readonly after: number;
}

export interface ResampleSummary {
  readonly method: string;
  readonly seed: number;
  readonly input: string;
  readonly output: string;
  readonly format: OutputFormat;
  readonly rowsRead: number;
  readonly rowsDropped: { readonly missing: number; readonly badRows: number };
  readonly rowsWritten: number;
  readonly syntheticRows: number;
  readonly classes: readonly ClassRow[];
  readonly seconds: number;
}

/** Runs a whole resample job and returns its summary. */
export async function runResample(job: ResampleJob): Promise<ResampleSummary> {
  const t0 = performance.now();
  const log = job.log ?? (() => undefined);
  const def = getSampler(job.method);
  const source = await openSource(job.input, job.read);
  const progress = job.onProgress;
  const step = (task: string, total: number | null): StepReport | undefined => progress && ((rows) => progress(task, rows, total));
  let sink: RowSink | null = null;
  try {
    const counting = step('pass 1, reading', null);
    const profile = await scanTable(counting ? countedBatches(source, counting) : source, { ...job.scan, signal: job.signal });
    progress?.('pass 1, reading', profile.rowsRead, profile.rowsRead);
    requireTwoClasses(profile);
    if (profile.droppedBadRows) log(`skipped ${profile.droppedBadRows} malformed row(s) (--on-bad-row skip)`);
    if (profile.droppedMissing) log(`dropped ${profile.droppedMissing} row(s) with missing values (--missing drop)`);
    const classes = job.samplerOptions?.classes;
    const plan: SamplingPlan =
      classes && classes.length
        ? resolveClassList(classes, profile.counts, def.kind, profile.classNames)
        : resolveStrategy(job.strategy ?? def.defaultStrategy ?? 'auto', profile.counts, def.kind, profile.classNames);
    const sampler = def.create(job.samplerOptions ?? {});
    const format = outputFormatFor(job.output, job.format, source.format);
    const round = job.round ?? true;
    const feats = featureColumns(profile);
    checkFeatureKinds(def, feats.map((c) => c.name), feats.map(featureKind));
    if (sampler.scope !== 'stream' && feats.length === 0) {
      throw new DataError('REBALANCE_NO_FEATURES', `method '${def.name}' needs at least one feature column; the input has none besides the label and pass-through columns`, { where: { file: source.name } });
    }
    const columns = sinkColumns(profile, { provenance: job.provenance === true, round, synthetic: def.needs.syntheticCells || (sampler.kind === 'over' && sampler.scope !== 'stream') });
    const metadata = new Map([
      ['rebalance.version', job.version ?? ''],
      ['rebalance.method', def.name],
      ['rebalance.seed', String(job.seed)],
    ]);
    const target = await openTarget(job.output);
    try {
      sink = createSink(format, target, columns, { safeCsv: job.safeCsv, metadata, delimiter: format === 'csv' ? ',' : undefined });
    } catch (e) {
      await target.abort();
      throw e;
    }
    const raw =
      source.rawRows !== undefined &&
      job.safeCsv !== true &&
      ((format === 'csv' && source.delimiter === ',') || (format === 'tsv' && source.delimiter === '\t'));
    const writer = new RowWriter(sink, profile, job.provenance === true, round, raw, columns);
    const rng = job.rng.fork(`sampler/${def.name}`);
    const ctx = {
      knn: undefined as unknown as KnnBackend,
      scale: job.scale,
      log,
      signal: job.signal,
      totalRows: profile.nRows,
    };
    const needsKnn = def.needs.knn;
    let knn: KnnBackend | null = null;
    if (needsKnn && job.knn) {
      knn = await job.knn();
      ctx.knn = knn;
    }
    try {
      if (sampler.scope === 'stream' && def.kind === 'under') {
        const select = createUnderSelector(plan, profile.counts, rng, job.samplerOptions?.replacement === true);
        await eachPassRow(source, profile, raw, job.signal, async (row, r, code) => {
          const times = select(code);
          for (let t = 0; t < times; t++) await writer.original(row, r, code);
        }, step('pass 2, writing', profile.rowsRead));
      } else if (sampler.scope === 'stream' && def.kind === 'over') {
        await streamOver(source, profile, plan, rng, writer, raw, job.signal, step('pass 2, writing', profile.rowsRead));
      } else if (sampler.scope === 'targets') {
        const targetClasses = new Set([...plan.targets].filter(([, t]) => t.to > t.from).map(([c]) => c));
        const builder = new DatasetBuilder(profile, (code) => targetClasses.has(code));
        await eachPassRow(source, profile, raw, job.signal, async (row, r, code) => {
          if (targetClasses.has(code)) builder.add(row.cells(), r, code);
          await writer.original(row, r, code);
        }, step('pass 2, writing', profile.rowsRead));
        const data = builder.finish();
        if (needsKnn) warnScale(data, job.scale, log);
        // The synthetic rows go straight to the writer: a lazy block keeps memory O(rows).
        const res = await sampler.fitResample(data, plan, rng, { ...ctx, lazySynthetic: true });
        await writeExtras(res, data, writer, progress);
      } else {
        const builder = new DatasetBuilder(profile, () => true);
        await eachRow(source, profile, job.signal, async (cells, r, code) => builder.add(cells, r, code), step('pass 2, loading features', profile.rowsRead));
        const data = builder.finish();
        if (needsKnn) warnScale(data, job.scale, log);
        const res = await sampler.fitResample(data, plan, rng, ctx);
        await writeKept(source, profile, res, data, writer, raw, job.signal, step('pass 3, writing', profile.rowsRead), progress);
      }
    } finally {
      if (knn) await knn.dispose();
    }
    await sink.finish();
    sink = null;
    const after = writer.classCounts;
    return {
      method: def.name,
      seed: job.seed,
      input: source.name,
      output: job.output && job.output !== '-' ? job.output : '<stdout>',
      format,
      rowsRead: profile.rowsRead,
      rowsDropped: { missing: profile.droppedMissing, badRows: profile.droppedBadRows },
      rowsWritten: writer.rows,
      syntheticRows: writer.syntheticRows,
      classes: profile.classNames.map((name, c) => ({ name, before: profile.counts[c], after: after[c] })),
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    if (sink) await sink.abort().catch(() => undefined);
    throw e;
  } finally {
    await source.close();
  }
}

/** Warns when feature ranges differ by more than 100x and distances are unscaled. */
function warnScale(data: Dataset, scale: string | undefined, log: (m: string) => void): void {
  if (scale && scale !== 'none') return;
  const ranges: { name: string; range: number }[] = [];
  data.features.forEach((col, j) => {
    if (data.featureKinds[j] === 'categorical') return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < col.length; i++) {
      const x = col[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (hi > lo) ranges.push({ name: data.featureNames[j], range: hi - lo });
  });
  if (ranges.length < 2) return;
  const lo = ranges.reduce((a, b) => (b.range < a.range ? b : a));
  const hi = ranges.reduce((a, b) => (b.range > a.range ? b : a));
  if (hi.range > 100 * lo.range) {
    log(`feature ranges differ by ${Math.round(hi.range / lo.range)}x ('${hi.name}' vs '${lo.name}'): distances are dominated by the widest; consider --scale standard`);
  }
}

/** A row of the writing pass: its cells (parsed lazily on the raw path) and, on the raw path, its bytes. */
interface PassRow {
  readonly raw: Buffer | null;
  cells(): Cell[];
}

/**
 * Iterates kept rows (dropped rows skipped) with their class code, as parsed cells; `report`
 * hears the rows read after each batch, and all of them at the end.
 */
async function eachRow(
  source: TableSource,
  profile: TableProfile,
  signal: AbortSignal | undefined,
  fn: (cells: Cell[], row: number, code: number) => Promise<void> | void,
  report?: StepReport,
): Promise<void> {
  const labels = profile.labels;
  for await (const batch of source.batches()) {
    signal?.throwIfAborted();
    const rows = batch.rows;
    for (let i = 0; i < rows.length; i++) {
      const r = batch.offset + i;
      const code = labels[r];
      if (code < 0) continue;
      const p = fn(rows[i], r, code);
      if (p) await p;
    }
    report?.(Math.min(profile.rowsRead, batch.offset + rows.length));
  }
  report?.(profile.rowsRead);
}

/**
 * The writing pass: kept rows in input order. On the raw path (CSV in and out, same delimiter)
 * rows arrive as bytes and are parsed only when `cells()` is called.
 */
async function eachPassRow(
  source: TableSource,
  profile: TableProfile,
  raw: boolean,
  signal: AbortSignal | undefined,
  fn: (row: PassRow, r: number, code: number) => Promise<void> | void,
  report?: StepReport,
): Promise<void> {
  if (!raw || !source.rawRows) {
    await eachRow(source, profile, signal, (cells, r, code) => fn({ raw: null, cells: () => cells }, r, code), report);
    return;
  }
  const labels = profile.labels;
  const delimiter = source.delimiter ?? ',';
  let r = 0;
  for await (const chunk of source.rawRows()) {
    signal?.throwIfAborted();
    for (const bytes of chunk.rows) {
      const row = r++;
      if (row >= labels.length) break;
      const code = labels[row];
      if (code < 0) continue;
      const p = fn({ raw: bytes, cells: () => parseRawRow(bytes, delimiter) }, row, code);
      if (p) await p;
    }
    report?.(Math.min(profile.rowsRead, r));
  }
  report?.(profile.rowsRead);
  if (r !== profile.rowsRead) {
    throw new Error(`CSV row segmentation differs between passes (${profile.rowsRead} rows counted, ${r} rows on the writing pass) in ${source.name}`);
  }
}

function parseRawRow(bytes: Buffer, delimiter: string): Cell[] {
  return Papa.parse<string[]>(bytes.toString('utf8'), { delimiter, header: false }).data[0] ?? [];
}

/** Bytes of formatted copies RowWriter keeps. */
const COPY_CACHE_BYTES = 64 * 1024 * 1024;

/** Writes rows to the sink, appending provenance and tracking class counts. */
class RowWriter {
  rows = 0;
  syntheticRows = 0;
  readonly classCounts: Int32Array;
  private readonly synth: (values: readonly number[], classCode: number) => Cell[];
  private readonly synthLine: ((values: readonly number[], classCode: number) => string) | null;
  private readonly rawSink: CsvSink | null;
  private readonly csvSink: CsvSink | null;
  /** CSV bytes of input rows already written as copies, by input row (at most COPY_CACHE_BYTES). */
  private readonly copies = new Map<number, Buffer>();
  private copyBytes = 0;

  constructor(
    private readonly sink: RowSink,
    profile: TableProfile,
    private readonly provenance: boolean,
    round: boolean,
    raw: boolean,
    columns: readonly SinkColumn[],
  ) {
    this.classCounts = new Int32Array(profile.classNames.length);
    this.synth = syntheticCellWriter(profile, round);
    this.csvSink = 'writeLine' in sink ? (sink as CsvSink) : null;
    this.rawSink = raw ? this.csvSink : null;
    this.synthLine = this.csvSink ? syntheticCsvLine(profile, round, columns, this.csvSink.delimiter, this.csvSink.safeCsv) : null;
  }

  /** An input row (or a copy of one, `added`). */
  async original(row: PassRow, r: number, code: number, added = false): Promise<void> {
    this.classCounts[code]++;
    this.rows++;
    if (added) this.syntheticRows++;
    if (row.raw && this.rawSink) {
      const d = this.rawSink.delimiter;
      await this.rawSink.writeRaw(row.raw, this.provenance ? `${d}${added ? 1 : 0}${d}${r}${d}` : '');
      return;
    }
    if (added && this.csvSink) {
      // Copies of a row (random over-sampling draws small classes many times) reuse its bytes.
      let bytes = this.copies.get(r);
      if (bytes === undefined) {
        bytes = Buffer.from(this.csvSink.format(row.cells()), 'utf8');
        if (this.copyBytes + bytes.length <= COPY_CACHE_BYTES) {
          this.copies.set(r, bytes);
          this.copyBytes += bytes.length;
        }
      }
      const d = this.csvSink.delimiter;
      await this.csvSink.writeRaw(bytes, this.provenance ? `${d}1${d}${r}${d}` : '');
      return;
    }
    const cells = row.cells();
    await this.sink.write(this.provenance ? [...cells, added ? 1 : 0, r, null] : cells);
  }

  async synthetic(values: readonly number[], code: number, sourceRow: number, neighborRow: number): Promise<void> {
    this.classCounts[code]++;
    this.rows++;
    this.syntheticRows++;
    if (this.synthLine && this.csvSink) {
      let line = this.synthLine(values, code);
      if (this.provenance) {
        const d = this.csvSink.delimiter;
        line += `${d}1${d}${sourceRow < 0 ? '' : sourceRow}${d}${neighborRow < 0 ? '' : neighborRow}`;
      }
      await this.csvSink.writeLine(line);
      return;
    }
    const cells = this.synth(values, code);
    if (this.provenance) cells.push(1, sourceRow < 0 ? null : sourceRow, neighborRow < 0 ? null : neighborRow);
    await this.sink.write(cells);
  }
}

/** A row kept for later (the copies of random over-sampling): bytes on the raw path, else cells. */
function storeRow(row: PassRow): PassRow {
  if (row.raw) {
    const bytes = Buffer.from(row.raw);
    return { raw: bytes, cells: row.cells };
  }
  const cells = row.cells().slice();
  return { raw: null, cells: () => cells };
}

/** Streaming random over-sampling: every row once, then the drawn copies grouped by class. */
async function streamOver(
  source: TableSource,
  profile: TableProfile,
  plan: SamplingPlan,
  rng: Rng,
  writer: RowWriter,
  raw: boolean,
  signal: AbortSignal | undefined,
  report?: StepReport,
): Promise<void> {
  const draws = drawOverSamples(plan, profile.counts, rng);
  // class-local position -> stored row, only for positions that were drawn.
  const wanted = new Map<number, Set<number>>();
  for (const [code, pos] of draws) wanted.set(code, new Set(pos));
  const stored = new Map<number, Map<number, { row: PassRow; r: number }>>();
  for (const code of draws.keys()) stored.set(code, new Map());
  const seen = new Int32Array(profile.classNames.length);
  await eachPassRow(source, profile, raw, signal, async (row, r, code) => {
    const p = seen[code]++;
    const w = wanted.get(code);
    if (w && w.has(p)) stored.get(code)!.set(p, { row: storeRow(row), r });
    await writer.original(row, r, code);
  }, report);
  for (const [code, pos] of draws) {
    const store = stored.get(code)!;
    for (let i = 0; i < pos.length; i++) {
      const s = store.get(pos[i])!;
      await writer.original(s.row, s.r, code, true);
    }
  }
}

/** Rows between two progress reports while synthetic rows are written. */
const SYNTHETIC_REPORT_ROWS = 16384;

async function writeSynthetic(block: SyntheticBlock | null, data: Dataset, writer: RowWriter, progress?: JobProgress): Promise<void> {
  if (!block) return;
  const lazy = block.steps !== undefined && block.features.length === 0;
  const cols = lazy ? data.features : block.features;
  const d = cols.length;
  const values = new Array<number>(d);
  const rowId = (i: number): number => (i < 0 ? -1 : data.rowIds ? data.rowIds[i] : i);
  for (let i = 0; i < block.nRows; i++) {
    const src = block.sourceRow[i];
    const nb = block.neighborRow[i];
    const step = lazy ? block.steps![i] : 0;
    for (let j = 0; j < d; j++) {
      // Same operation order as smote-base interpolate: x + step * (nn - x).
      const x = lazy ? cols[j][src] + step * (cols[j][nb] - cols[j][src]) : cols[j][i];
      if (!Number.isFinite(x)) {
        throw new Error(`internal: the sampler produced a non-finite value (synthetic row ${i}, feature ${j})`);
      }
      values[j] = x;
    }
    await writer.synthetic(values, block.labels[i], rowId(block.sourceRow[i]), rowId(block.neighborRow[i]));
    if (progress && (i + 1) % SYNTHETIC_REPORT_ROWS === 0) progress('writing added rows', i + 1, block.nRows);
  }
  progress?.('writing added rows', block.nRows, block.nRows);
}

/** After a 'targets' sampler: originals were already written; append duplicates + synthetic rows. */
async function writeExtras(res: Resampled, data: Dataset, writer: RowWriter, progress?: JobProgress): Promise<void> {
  if (res.duplicates && res.duplicates.length) {
    throw new Error('internal: a targets-scope sampler returned duplicates');
  }
  await writeSynthetic(res.synthetic, data, writer, progress);
}

/** Second pass for 'all'-scope samplers: kept rows in input order, then duplicates, then synthetic. */
async function writeKept(
  source: TableSource,
  profile: TableProfile,
  res: Resampled,
  data: Dataset,
  writer: RowWriter,
  raw: boolean,
  signal: AbortSignal | undefined,
  report?: StepReport,
  progress?: JobProgress,
): Promise<void> {
  const ids = data.rowIds!;
  const keep = new Uint8Array(profile.rowsRead);
  for (const i of res.indices) keep[ids[i]]++;
  const dupRows = new Map<number, PassRow | null>();
  for (const i of res.duplicates ?? []) dupRows.set(ids[i], null);
  await eachPassRow(source, profile, raw, signal, async (row, r, code) => {
    for (let t = 0; t < keep[r]; t++) await writer.original(row, r, code);
    if (dupRows.has(r)) dupRows.set(r, storeRow(row));
  }, report);
  for (const i of res.duplicates ?? []) await writer.original(dupRows.get(ids[i])!, ids[i], data.labels[i], true);
  await writeSynthetic(res.synthetic, data, writer, progress);
}
