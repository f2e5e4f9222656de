/**
 * `train` and `predict`: a model file is the model's own versioned JSON (src/models) plus a
 * `training` block saying how it was made and what input it expects. Both are untrusted data on
 * load: JSON.parse only, every field validated, sizes capped.
 */
import { DataError, showValue } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { classifyBool, classifyNumber, NumClass } from '../io/cells.js';
import type { ScanOptions } from '../dataset/scan.js';
import type { Cell } from '../io/batch.js';
import { outputFormatFor } from '../io/format.js';
import { ioErrorFrom } from '../io/fs-errors.js';
import { writeJsonAtomic } from '../io/json.js';
import { openSink } from '../io/sink.js';
import { openSource, type ReadOptions } from '../io/source.js';
import { readTextFile } from '../io/read-text.js';
import { loadModel } from '../models/io.js';
import { createModel, type ModelOptions } from '../models/registry.js';
import type { Dataset, FeatureKind, KnnBackend, SamplerOptions, SamplingStrategy } from '../types.js';
import { Float64, Utf8 } from 'apache-arrow';
import { positiveClass } from './evaluate-job.js';
import { predictionColumnNames } from './output-names.js';
import { readTable } from './read-table.js';
import { resampleData } from './resample-data.js';

export interface TrainingInfo {
  readonly sampler: string;
  readonly strategy: string | null;
  readonly seed: number;
  readonly labelColumn: string | null;
  readonly classNames: readonly string[];
  readonly positive: string;
  readonly featureNames: readonly string[];
  readonly featureKinds: readonly FeatureKind[];
  readonly categories: readonly (readonly string[] | null)[];
  readonly rows: number;
  readonly rowsResampled: number;
  readonly threshold: number;
  readonly rebalanceVersion: string;
}

export interface TrainJob {
  readonly input?: string;
  readonly output: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  readonly method: string;
  readonly model: string;
  readonly strategy?: SamplingStrategy;
  readonly samplerOptions?: SamplerOptions;
  readonly modelOptions?: ModelOptions;
  readonly positive?: string;
  readonly threshold?: number;
  readonly rng: Rng;
  readonly seed: number;
  readonly knn: KnnBackend;
  readonly log: (m: string) => void;
  readonly version: string;
}

export async function runTrain(job: TrainJob): Promise<TrainingInfo> {
  const data = await readTable(job.input, { ...job.read, ...job.scan });
  const positive = positiveClass(data, job.positive);
  const train =
    job.method === 'none'
      ? data
      : await resampleData(data, job.method, { rng: job.rng, strategy: job.strategy, options: job.samplerOptions, knn: job.knn, log: job.log });
  const model = createModel(job.model, { ...job.modelOptions, knn: job.knn, log: job.log });
  const fitted = await model.fit(train, job.rng.fork(`model/${job.model}`), { positive });
  try {
    const info: TrainingInfo = {
      sampler: job.method,
      strategy: job.strategy === undefined ? null : JSON.stringify(job.strategy),
      seed: job.seed,
      labelColumn: job.scan?.label ?? null,
      classNames: data.classNames,
      positive: data.classNames[positive],
      featureNames: data.featureNames,
      featureKinds: data.featureKinds,
      categories: data.categories.map((c) => c ?? null),
      rows: data.nRows,
      rowsResampled: train.nRows,
      threshold: job.threshold ?? 0.5,
      rebalanceVersion: job.version,
    };
    await writeJsonAtomic(job.output, { ...(fitted.toJSON() as object), training: info });
    return info;
  } finally {
    fitted.dispose();
  }
}

const MAX_MODEL_BYTES = 512 * 1024 * 1024;

function bad(detail: string, file: string): never {
  throw new DataError('REBALANCE_BAD_MODEL', `not a usable rebalance model file: ${detail}`, { where: { file } });
}

function strings(v: unknown, what: string, file: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) bad(`training.${what} must be a list of strings`, file);
  return v as string[];
}

/** Validates the `training` block of a model file. */
export function readTrainingInfo(json: unknown, file: string): TrainingInfo {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('expected a JSON object', file);
  const t = (json as Record<string, unknown>).training;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) bad("missing the 'training' block (was it written by `rebalance train`?)", file);
  const o = t as Record<string, unknown>;
  const featureNames = strings(o.featureNames, 'featureNames', file);
  const kinds = strings(o.featureKinds, 'featureKinds', file);
  if (kinds.length !== featureNames.length || !kinds.every((k) => ['int', 'float', 'bool', 'categorical'].includes(k))) {
    bad('training.featureKinds must give int|float|bool|categorical for every feature', file);
  }
  if (!Array.isArray(o.categories) || o.categories.length !== featureNames.length) bad('training.categories must have one entry per feature', file);
  const categories = (o.categories as unknown[]).map((c, j) => {
    if (kinds[j] !== 'categorical') return null;
    return strings(c, `categories[${j}]`, file);
  });
  const classNames = strings(o.classNames, 'classNames', file);
  if (typeof o.positive !== 'string' || !classNames.includes(o.positive)) bad('training.positive must be one of training.classNames', file);
  const threshold = o.threshold;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) bad('training.threshold must be a number in [0, 1]', file);
  return {
    sampler: String(o.sampler ?? ''),
    strategy: typeof o.strategy === 'string' ? o.strategy : null,
    seed: typeof o.seed === 'number' ? o.seed : 0,
    labelColumn: typeof o.labelColumn === 'string' ? o.labelColumn : null,
    classNames,
    positive: o.positive as string,
    featureNames,
    featureKinds: kinds as FeatureKind[],
    categories,
    rows: typeof o.rows === 'number' ? o.rows : 0,
    rowsResampled: typeof o.rowsResampled === 'number' ? o.rowsResampled : 0,
    threshold,
    rebalanceVersion: String(o.rebalanceVersion ?? ''),
  };
}

export interface PredictJob {
  readonly model: string;
  readonly input?: string;
  readonly output?: string;
  readonly format?: string;
  readonly read?: ReadOptions;
  readonly threshold?: number;
  /** --safe-csv: neutralise formula-like text cells, header cells and predicted class names. */
  readonly safeCsv?: boolean;
  readonly knn: KnnBackend;
  readonly signal?: AbortSignal;
}

/** Streams rows through a saved model, appending `score` and `prediction`. Returns rows written. */
export async function runPredict(job: PredictJob): Promise<number> {
  // A named pipe is read without blocking a thread, so SIGINT/SIGTERM can stop a wait for its writer.
  const text = await readTextFile(job.model, MAX_MODEL_BYTES, {
    signal: job.signal,
    tooBig: (size) => new DataError('REBALANCE_BAD_MODEL', `not a usable rebalance model file: the file is ${size} bytes, more than the ${MAX_MODEL_BYTES} a model can be`, { where: { file: job.model } }),
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad(`not valid JSON (${(e as Error).message})`, job.model);
  }
  const info = readTrainingInfo(json, job.model);
  const modelNames = (json as { featureNames?: unknown }).featureNames;
  if (!Array.isArray(modelNames) || modelNames.length !== info.featureNames.length || modelNames.some((n, j) => n !== info.featureNames[j])) {
    bad('the model block and training.featureNames list different features (or a different order); columns would be misaligned', job.model);
  }
  const fitted = loadModel(json, { knn: job.knn });
  const threshold = job.threshold ?? info.threshold;
  const negative = info.classNames.find((c) => c !== info.positive) ?? '';
  const source = await openSource(job.input, job.read);
  try {
    const index = info.featureNames.map((name) => source.columns.indexOf(name));
    const missing = info.featureNames.filter((_, j) => index[j] < 0);
    if (missing.length) {
      throw new DataError(
        'REBALANCE_SCHEMA_MISMATCH',
        `the input lacks ${missing.length} feature column(s) the model was trained on: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}; expected columns ${info.featureNames.join(', ')}`,
        { where: { file: source.name } },
      );
    }
    const format = outputFormatFor(job.output, job.format, source.format);
    const inputCols = source.columns.map((name, j) => ({ name, type: source.arrowSchema?.fields[j].type ?? new Utf8(), nullable: true, text: true }));
    const [scoreName, predictionName] = predictionColumnNames(source.columns);
    const columns = [...inputCols, { name: scoreName, type: new Float64(), nullable: false }, { name: predictionName, type: new Utf8(), nullable: false, text: true }];
    const sink = await openSink(job.output, format, columns, { safeCsv: job.safeCsv, metadata: new Map([['rebalance.model', info.sampler]]) });
    let written = 0;
    try {
      const codes = info.categories.map((c) => (c ? new Map(c.map((v, i) => [v, i])) : null));
      for await (const batch of source.batches()) {
        job.signal?.throwIfAborted();
        const n = batch.rows.length;
        const features = info.featureNames.map(() => new Float64Array(n));
        for (let i = 0; i < n; i++) {
          const row = batch.rows[i];
          for (let f = 0; f < index.length; f++) {
            features[f][i] = toFeature(row[index[f]], info.featureKinds[f], codes[f], () => ({
              file: source.name,
              row: batch.offset + i + 1,
              column: info.featureNames[f],
            }));
          }
        }
        const data: Dataset = {
          nRows: n,
          featureNames: info.featureNames,
          features,
          featureKinds: info.featureKinds,
          categories: info.categories.map((c) => c ?? undefined),
          labels: new Int32Array(n),
          classNames: info.classNames,
          passthrough: new Map(),
        };
        const scores = await fitted.predictProba(data);
        for (let i = 0; i < n; i++) {
          const s = scores[i];
          if (!Number.isFinite(s)) {
            throw new DataError('REBALANCE_BAD_SCORE', `the model scored ${s} for input row ${batch.offset + i + 1}; no output written (feature values too large for this model?)`, {
              where: { file: source.name, row: batch.offset + i + 1 },
            });
          }
          await sink.write([...batch.rows[i], s, s >= threshold ? info.positive : negative]);
          written++;
        }
      }
      await sink.finish();
      return written;
    } catch (e) {
      await sink.abort();
      throw e;
    }
  } finally {
    fitted.dispose();
    await source.close();
  }
}

function toFeature(v: Cell, kind: FeatureKind, codes: Map<string, number> | null, where: () => { file: string; row: number; column: string }): number {
  if (v === null || v === undefined || v === '') {
    throw new DataError('REBALANCE_MISSING', `a missing value in feature '${where().column}'; the model needs every feature`, { where: where() });
  }
  if (kind === 'categorical') {
    const c = codes!.get(typeof v === 'string' ? v : String(v));
    if (c === undefined) {
      throw new DataError('REBALANCE_UNKNOWN_CATEGORY', `category '${String(v)}' of '${where().column}' was not seen in training`, { where: where() });
    }
    return c;
  }
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else if (typeof v === 'boolean') x = v ? 1 : 0;
  else if (kind === 'bool' && classifyBool(String(v)) >= 0) x = classifyBool(String(v));
  else {
    const t = String(v);
    x = classifyNumber(t) === NumClass.NotNumber ? NaN : Number(t);
  }
  if (!Number.isFinite(x)) {
    throw new DataError('REBALANCE_NOT_NUMERIC', `'${showValue(String(v))}' in feature '${where().column}' is not a finite number`, { where: where() });
  }
  return x;
}
