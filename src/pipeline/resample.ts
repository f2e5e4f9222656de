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
import { createSink, type RowSink } from '../io/sink.js';
import { outputFormatFor, type OutputFormat } from '../io/format.js';
import { openTarget } from '../io/output.js';
import { requireTwoClasses, scanTable, type ScanOptions, type TableProfile } from '../dataset/scan.js';
import { getSampler } from '../samplers/registry.js';
import { resolveClassList, resolveStrategy } from '../samplers/strategy.js';
import { createUnderSelector } from '../samplers/random-under.js';
import { drawOverSamples } from '../samplers/random-over.js';
import type { Dataset, KnnBackend, Resampled, SamplerOptions, SamplingPlan, SamplingStrategy, SyntheticBlock } from '../types.js';
import { extractorFor, featureColumns, featureKind, sinkColumns, syntheticCellWriter } from './columns.js';

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
  /** The kNN backend (opened lazily through this function, only by methods that need neighbours). */
  readonly knn?: () => Promise<KnnBackend>;
  readonly log?: (message: string) => void;
  readonly signal?: AbortSignal;
  readonly version?: string;
}

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
  let sink: RowSink | null = null;
  try {
    const profile = await scanTable(source, { ...job.scan, signal: job.signal });
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
    if (sampler.scope !== 'stream' && feats.length === 0) {
      throw new DataError('REBALANCE_NO_FEATURES', `method '${def.name}' needs at least one feature column; the input has none besides the label and pass-through columns`, { where: { file: source.name } });
    }
    const synthetic = sampler.kind === 'over' && sampler.scope !== 'stream';
    const columns = sinkColumns(profile, { provenance: job.provenance === true, round, synthetic: synthetic || def.name === 'cluster-centroids' });
    const metadata = new Map([
      ['rebalance.version', job.version ?? ''],
      ['rebalance.method', def.name],
      ['rebalance.seed', String(job.seed)],
    ]);
    const target = await openTarget(job.output);
    sink = createSink(format, target, columns, { safeCsv: job.safeCsv, metadata, delimiter: format === 'csv' ? ',' : undefined });
    const writer = new RowWriter(sink, profile, job.provenance === true, round);
    const rng = job.rng.fork(`sampler/${def.name}`);
    const ctx = {
      knn: undefined as unknown as KnnBackend,
      scale: job.scale,
      log,
      signal: job.signal,
      totalRows: profile.nRows,
    };
    const needsKnn = sampler.scope !== 'stream' && !(def.name === 'random-over');
    let knn: KnnBackend | null = null;
    if (needsKnn && job.knn) {
      knn = await job.knn();
      ctx.knn = knn;
    }
    if (needsKnn) warnScale(profile, job.scale, log);
    try {
      if (sampler.scope === 'stream' && def.kind === 'under') {
        const select = createUnderSelector(plan, profile.counts, rng, job.samplerOptions?.replacement === true);
        await eachRow(source, profile, job.signal, async (cells, r, code) => {
          const times = select(code);
          for (let t = 0; t < times; t++) await writer.original(cells, r);
        });
      } else if (sampler.scope === 'stream' && def.kind === 'over') {
        await streamOver(source, profile, plan, rng, writer, job.signal);
      } else if (sampler.scope === 'targets') {
        const targetClasses = new Set([...plan.targets].filter(([, t]) => t.to > t.from).map(([c]) => c));
        const builder = new DatasetBuilder(profile, (code) => targetClasses.has(code));
        await eachRow(source, profile, job.signal, async (cells, r, code) => {
          builder.add(cells, r, code);
          await writer.original(cells, r);
        });
        const data = builder.finish();
        const res = await sampler.fitResample(data, plan, rng, ctx);
        await writeExtras(res, data, writer);
      } else {
        const builder = new DatasetBuilder(profile, () => true);
        await eachRow(source, profile, job.signal, async (cells, r, code) => builder.add(cells, r, code));
        const data = builder.finish();
        const res = await sampler.fitResample(data, plan, rng, ctx);
        await writeKept(source, profile, res, data, writer, job.signal);
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

function warnScale(profile: TableProfile, scale: string | undefined, log: (m: string) => void): void {
  if (scale && scale !== 'none') return;
  const ranges = featureColumns(profile)
    .filter((c) => c.min !== undefined && c.max !== undefined)
    .map((c) => ({ name: c.name, range: c.max! - c.min! }))
    .filter((c) => c.range > 0);
  if (ranges.length < 2) return;
  const lo = ranges.reduce((a, b) => (b.range < a.range ? b : a));
  const hi = ranges.reduce((a, b) => (b.range > a.range ? b : a));
  if (hi.range > 100 * lo.range) {
    log(`feature ranges differ by ${Math.round(hi.range / lo.range)}x ('${hi.name}' vs '${lo.name}'): distances are dominated by the widest; consider --scale standard`);
  }
}

/** Iterates kept rows (dropped rows skipped) with their class code. */
async function eachRow(
  source: TableSource,
  profile: TableProfile,
  signal: AbortSignal | undefined,
  fn: (cells: Cell[], row: number, code: number) => Promise<void> | void,
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
  }
}

/** Writes rows to the sink, appending provenance and tracking class counts. */
class RowWriter {
  rows = 0;
  syntheticRows = 0;
  readonly classCounts: Int32Array;
  private readonly labelIndex: number;
  private readonly classOf: Map<string, number>;
  private readonly synth: (values: readonly number[], classCode: number) => Cell[];

  constructor(
    private readonly sink: RowSink,
    private readonly profile: TableProfile,
    private readonly provenance: boolean,
    round: boolean,
  ) {
    this.classCounts = new Int32Array(profile.classNames.length);
    this.labelIndex = profile.labelIndex;
    this.classOf = new Map(profile.classNames.map((c, i) => [c, i]));
    this.synth = syntheticCellWriter(profile, round);
  }

  async original(cells: Cell[], row: number, added = false): Promise<void> {
    const lv = cells[this.labelIndex];
    this.classCounts[this.classOf.get(typeof lv === 'string' ? lv : String(lv))!]++;
    this.rows++;
    if (added) this.syntheticRows++;
    if (this.provenance) await this.sink.write([...cells, added ? 1 : 0, row, null]);
    else await this.sink.write(cells);
  }

  async synthetic(values: readonly number[], code: number, sourceRow: number, neighborRow: number): Promise<void> {
    this.classCounts[code]++;
    this.rows++;
    this.syntheticRows++;
    const cells = this.synth(values, code);
    if (this.provenance) cells.push(1, sourceRow < 0 ? null : sourceRow, neighborRow < 0 ? null : neighborRow);
    await this.sink.write(cells);
  }
}

/** Streaming random over-sampling: every row once, then the drawn copies grouped by class. */
async function streamOver(
  source: TableSource,
  profile: TableProfile,
  plan: SamplingPlan,
  rng: Rng,
  writer: RowWriter,
  signal: AbortSignal | undefined,
): Promise<void> {
  const draws = drawOverSamples(plan, profile.counts, rng);
  // class-local position -> stored cells, only for positions that were drawn.
  const wanted = new Map<number, Set<number>>();
  for (const [code, pos] of draws) wanted.set(code, new Set(pos));
  const stored = new Map<number, Map<number, { cells: Cell[]; row: number }>>();
  for (const code of draws.keys()) stored.set(code, new Map());
  const seen = new Int32Array(profile.classNames.length);
  await eachRow(source, profile, signal, async (cells, r, code) => {
    const p = seen[code]++;
    const w = wanted.get(code);
    if (w && w.has(p)) stored.get(code)!.set(p, { cells: cells.slice(), row: r });
    await writer.original(cells, r);
  });
  for (const [code, pos] of draws) {
    const store = stored.get(code)!;
    for (let i = 0; i < pos.length; i++) {
      const s = store.get(pos[i])!;
      await writer.original(s.cells, s.row, true);
    }
  }
}

async function writeSynthetic(block: SyntheticBlock | null, data: Dataset, writer: RowWriter): Promise<void> {
  if (!block) return;
  const d = block.features.length;
  const values = new Array<number>(d);
  const rowId = (i: number): number => (i < 0 ? -1 : data.rowIds ? data.rowIds[i] : i);
  for (let i = 0; i < block.nRows; i++) {
    for (let j = 0; j < d; j++) {
      const x = block.features[j][i];
      if (!Number.isFinite(x)) {
        throw new Error(`internal: the sampler produced a non-finite value (synthetic row ${i}, feature ${j})`);
      }
      values[j] = x;
    }
    await writer.synthetic(values, block.labels[i], rowId(block.sourceRow[i]), rowId(block.neighborRow[i]));
  }
}

/** After a 'targets' sampler: originals were already written; append duplicates + synthetic rows. */
async function writeExtras(res: Resampled, data: Dataset, writer: RowWriter): Promise<void> {
  if (res.duplicates && res.duplicates.length) {
    throw new Error('internal: a targets-scope sampler returned duplicates');
  }
  await writeSynthetic(res.synthetic, data, writer);
}

/** Second pass for 'all'-scope samplers: kept rows in input order, then duplicates, then synthetic. */
async function writeKept(
  source: TableSource,
  profile: TableProfile,
  res: Resampled,
  data: Dataset,
  writer: RowWriter,
  signal: AbortSignal | undefined,
): Promise<void> {
  const ids = data.rowIds!;
  const keep = new Uint8Array(profile.rowsRead);
  for (const i of res.indices) keep[ids[i]]++;
  const dupRows = new Map<number, Cell[] | null>();
  for (const i of res.duplicates ?? []) dupRows.set(ids[i], null);
  await eachRow(source, profile, signal, async (cells, r) => {
    for (let t = 0; t < keep[r]; t++) await writer.original(cells, r);
    if (dupRows.has(r)) dupRows.set(r, cells.slice());
  });
  for (const i of res.duplicates ?? []) await writer.original(dupRows.get(ids[i])!, ids[i], true);
  await writeSynthetic(res.synthetic, data, writer);
}

/** Gathers Float64 features of the rows a predicate selects (by class code). */
export class DatasetBuilder {
  private readonly extract: ((v: Cell) => number)[];
  private readonly colIndex: number[];
  private readonly features: Float64Array[];
  private readonly labels: Int32Array;
  private readonly rowIds: Int32Array;
  private n = 0;

  constructor(
    private readonly profile: TableProfile,
    private readonly accept: (code: number) => boolean,
  ) {
    const feats = featureColumns(profile);
    this.extract = feats.map(extractorFor);
    this.colIndex = feats.map((c) => c.index);
    let total = 0;
    profile.counts.forEach((n, c) => {
      if (accept(c)) total += n;
    });
    this.features = feats.map(() => new Float64Array(total));
    this.labels = new Int32Array(total);
    this.rowIds = new Int32Array(total);
  }

  add(cells: Cell[], row: number, code: number): void {
    if (!this.accept(code)) return;
    const i = this.n++;
    for (let f = 0; f < this.extract.length; f++) this.features[f][i] = this.extract[f](cells[this.colIndex[f]]);
    this.labels[i] = code;
    this.rowIds[i] = row;
  }

  finish(): Dataset {
    const feats = featureColumns(this.profile);
    return {
      nRows: this.n,
      featureNames: feats.map((c) => c.name),
      features: this.features,
      featureKinds: feats.map(featureKind),
      categories: feats.map((c) => c.categories),
      labels: this.labels,
      classNames: this.profile.classNames,
      passthrough: new Map(),
      rowIds: this.rowIds,
    };
  }
}
