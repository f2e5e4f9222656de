/**
 * Runs a bound sampler over the job's source by its scope and writes what it returns:
 * - 'stream' (a StreamingSampler): one writing pass as its selection says; labels only in memory;
 * - 'targets': one pass writes every row and gathers the features of the classes being grown,
 *   then fitResample, then the generated rows;
 * - 'all' (and any sampler that does not stream): one pass gathers every row's features, then
 *   fitResample, then a pass writes the kept rows exactly as they came in, then the added rows.
 */
import type { Rng } from '../core/rng.js';
import { scaleWarning } from '../dataset/scale-warning.js';
import type { RowWriter } from '../io/row-writer.js';
import type { Dataset, KnnBackend, Sampler, SamplerContext, SamplerNeeds, SamplingPlan } from '../types.js';
import { DatasetBuilder } from './collect.js';
import { eachPassRow, eachRow, type Pass, type StepReport } from './passes.js';
import { isStreaming } from './plan.js';
import type { JobProgress } from './progress.js';
import { writeKept } from './write-kept.js';
import { writeStream } from './write-stream.js';
import { writeSynthetic } from './write-synthetic.js';

export interface ScopeRun {
  /** The source and its counting pass (each pass adds its own report). */
  readonly pass: Omit<Pass, 'report'>;
  /** Input rows travel as bytes (see rawCopyPossible). */
  readonly raw: boolean;
  readonly writer: RowWriter;
  readonly sampler: Sampler;
  readonly needs: SamplerNeeds;
  readonly plan: SamplingPlan;
  /** The sampler's stream (the job forks `sampler/<name>`). */
  readonly rng: Rng;
  /** Opened when needs.knn (the caller disposes it); null otherwise. */
  readonly knn: KnnBackend | null;
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly log: (message: string) => void;
  /** The reporter of one step ('pass 2, writing' ...) over the rows read. */
  readonly step: (task: string) => StepReport | undefined;
  readonly progress?: JobProgress;
}

export async function runScope(run: ScopeRun): Promise<void> {
  const { pass, raw, writer, sampler, plan, rng } = run;
  const profile = pass.profile;
  if (isStreaming(sampler)) {
    await writeStream({ ...pass, report: run.step('pass 2, writing') }, raw, sampler.selectStream(plan, profile.counts, rng), writer);
    return;
  }
  const ctx: SamplerContext = { knn: run.knn ?? noKnn(sampler.name), scale: run.scale, log: run.log, signal: pass.signal, totalRows: profile.nRows };
  if (sampler.scope === 'targets') {
    const grown = new Set([...plan.targets].filter(([, t]) => t.to > t.from).map(([c]) => c));
    const builder = new DatasetBuilder(profile, (code) => grown.has(code));
    await eachPassRow({ ...pass, report: run.step('pass 2, writing') }, raw, (row, r, code) => {
      if (grown.has(code)) builder.add(row.cells(), r, code);
      return writer.original(row, r, code); // a promise only when the writer must wait
    });
    const data = checked(builder.finish(), run);
    // The synthetic rows go straight to the writer: a lazy block keeps memory O(rows).
    const res = await sampler.fitResample(data, plan, rng, { ...ctx, lazySynthetic: true });
    if (res.duplicates && res.duplicates.length) throw new Error('internal: a targets-scope sampler returned duplicates');
    await writeSynthetic(res.synthetic, data, writer, run.progress);
    return;
  }
  const builder = new DatasetBuilder(profile, () => true);
  await eachRow({ ...pass, report: run.step('pass 2, loading features') }, (cells, r, code) => builder.add(cells, r, code));
  const data = checked(builder.finish(), run);
  const res = await sampler.fitResample(data, plan, rng, ctx);
  await writeKept({ ...pass, report: run.step('pass 3, writing') }, raw, res, data, writer, run.progress);
}

/** Warns when distances would be dominated by one unscaled feature (methods that search neighbours). */
function checked(data: Dataset, run: ScopeRun): Dataset {
  const warning = run.needs.knn ? scaleWarning(data, run.scale) : null;
  if (warning) run.log(warning);
  return data;
}

/** The backend of a sampler that declared no kNN need: searching is an internal error. */
function noKnn(method: string): KnnBackend {
  return {
    name: 'naive',
    build: () => Promise.reject(new Error(`internal: method '${method}' searched neighbours but the job opened no kNN backend (needs.knn false, or ResampleJob.knn missing)`)),
    dispose: async () => undefined,
  };
}
