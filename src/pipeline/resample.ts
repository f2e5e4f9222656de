/**
 * The resample job: open the source -> counting pass (dataset/) -> plan and bound sampler
 * (samplers/) -> the sampler by scope (run-scope.ts) -> the row writer and sink (io/).
 * Memory by scope is the contract in docs/ARCHITECTURE.md.
 */
import { DataError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { openTable } from '../dataset/cell-semantics.js';
import { requireTwoClasses, scanTable, type ScanOptions } from '../dataset/scan.js';
import { outputFormatFor, type OutputFormat } from '../io/format.js';
import { rawCopyPossible, RowWriter } from '../io/row-writer.js';
import { openSink, type RowSink } from '../io/sink.js';
import type { ReadOptions } from '../io/source.js';
import { getSampler } from '../samplers/registry.js';
import type { KnnBackend, SamplerOptions, SamplingStrategy } from '../types.js';
import { featureColumns, featureKind, sinkColumns, syntheticRules } from './columns.js';
import { planJob } from './plan.js';
import { countedBatches, type JobProgress } from './progress.js';
import { runScope } from './run-scope.js';

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
  const source = await openTable(job.input, job.read, job.scan);
  for (const notice of source.notices ?? []) log(notice);
  const progress = job.onProgress;
  let sink: RowSink | null = null;
  try {
    const counting = progress && ((rows: number) => progress('pass 1, reading', rows, null));
    // Methods that never read features (random-under/over) pass rows with missing features through, as imbalanced-learn's do.
    const missing = job.scan?.missing ?? 'error';
    const keepMissing = missing === 'error' && def.scope === 'stream';
    const profile = await scanTable(counting ? countedBatches(source, counting) : source, { ...job.scan, missing: keepMissing ? 'keep' : missing, signal: job.signal });
    progress?.('pass 1, reading', profile.rowsRead, profile.rowsRead);
    requireTwoClasses(profile);
    if (profile.droppedBadRows) log(`skipped ${profile.droppedBadRows} malformed row(s) (--on-bad-row skip)`);
    if (profile.droppedMissing) log(`dropped ${profile.droppedMissing} row(s) with missing values (--missing drop)`);
    const feats = featureColumns(profile);
    const features = { names: feats.map((c) => c.name), kinds: feats.map(featureKind) };
    const { plan, sampler, needs } = planJob(def, profile.counts, profile.classNames, features, { strategy: job.strategy, options: job.samplerOptions });
    if (profile.missingError && sampler.scope !== 'stream') throw profile.missingError;
    if (sampler.scope !== 'stream' && feats.length === 0) {
      throw new DataError('REBALANCE_NO_FEATURES', `method '${def.name}' needs at least one feature column; the input has none besides the label and pass-through columns`, { where: { file: source.name } });
    }
    const format = outputFormatFor(job.output, job.format, source.format);
    const round = job.round ?? true;
    const provenance = job.provenance === true;
    const columns = sinkColumns(profile, { provenance, round, synthetic: needs.syntheticCells });
    const metadata = new Map([
      ['rebalance.version', job.version ?? ''],
      ['rebalance.method', def.name],
      ['rebalance.seed', String(job.seed)],
    ]);
    sink = await openSink(job.output, format, columns, { safeCsv: job.safeCsv, metadata, delimiter: format === 'csv' ? ',' : undefined });
    const writer = new RowWriter(sink, { classNames: profile.classNames, provenance, synthetic: syntheticRules(profile, round) });
    const knn = needs.knn && job.knn ? await job.knn() : null;
    try {
      await runScope({
        pass: { source, profile, signal: job.signal },
        raw: rawCopyPossible(source, format, job.safeCsv),
        writer,
        sampler,
        needs,
        plan,
        rng: job.rng.fork(`sampler/${def.name}`),
        knn,
        scale: job.scale,
        log,
        step: (task) => progress && ((rows) => progress(task, rows, profile.rowsRead)),
        progress,
      });
    } finally {
      if (knn) await knn.dispose();
    }
    await sink.finish();
    sink = null;
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
      classes: profile.classNames.map((name, c) => ({ name, before: profile.counts[c], after: writer.classCounts[c] })),
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    if (sink) await sink.abort().catch(() => undefined);
    throw e;
  } finally {
    await source.close();
  }
}
