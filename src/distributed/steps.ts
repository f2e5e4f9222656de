/**
 * The map steps that read one partition and write rows (select, gather) and the one task that
 * writes the synthetic rows (synth). Rows travel as resample writes them: CSV in and out as their
 * bytes, Arrow cells with their types, so the output partitions are the input rows, unchanged.
 */
import { createRng } from '../core/rng.js';
import { DataError, UsageError } from '../core/errors.js';
import type { Scaler } from '../dataset/pack.js';
import type { ScanOptions } from '../dataset/scan.js';
import { scanTable } from '../dataset/scan.js';
import { rawCopyPossible } from '../io/row-writer.js';
import type { ReadOptions } from '../io/source.js';
import { DatasetBuilder } from '../pipeline/collect.js';
import { eachPassRow, eachRow } from '../pipeline/passes.js';
import { writeSynthetic } from '../pipeline/write-synthetic.js';
import { getSampler } from '../samplers/registry.js';
import { prepareSampler, samplerRng } from '../samplers/template.js';
import type { Dataset, KnnBackend, SamplingPlan, SyntheticBlock } from '../types.js';
import { FIRST_SAMPLERS } from '../samplers/combine.js';
import { writeBlob } from './blob.js';
import { dangerIds, pointsToBlob, type Neighbours, type Points } from './knn.js';
import { concatSources, globalCodes, openPartitionWriter, openPlanned, withPlanKinds, type PartitionStep } from './partition.js';
import type { DistPlan } from './plan.js';
import { keptGlobalCodes, timesFor, type Thresholds } from './random.js';
import { copyPlainPartition } from './verbatim.js';
import { nearMissTimes, type NearMissChoice } from './near-miss.js';

export interface StepResult {
  readonly rowsRead: number;
  readonly rowsWritten: number;
  /** Rows written per class name. */
  readonly classes: Readonly<Record<string, number>>;
}

function metadata(plan: DistPlan, version: string | undefined): Map<string, string> {
  return new Map([
    ['rebalance.version', version ?? ''],
    ['rebalance.method', plan.method],
    ['rebalance.seed', String(plan.seed)],
  ]);
}


/**
 * Writes a partition's rows, each as many times as `times(globalCode, gid)` says (0: dropped;
 * more than 1: copies right after the row).
 */
async function writeRows(
  step: PartitionStep,
  times: (code: number, gid: number) => number,
  accept?: (code: number, gid: number) => boolean,
  gather?: { readonly output: string; readonly grown: ReadonlySet<number> },
): Promise<StepResult> {
  const p = await openPlanned(step);
  try {
    const { source, profile, offset, toGlobal } = p;
    const meta = metadata(step.plan, step.version);
    const { writer, sink, format } = await openPartitionWriter(step.output, step.format, source, profile, meta);
    let side: Awaited<ReturnType<typeof openPartitionWriter>> | null = null;
    try {
      // The synthesize route's select also writes the gathered rows, in the same pass.
      side = gather ? await openPartitionWriter(gather.output, undefined, source, profile, meta) : null;
      const raw = rawCopyPossible(source, format, false) && (!side || rawCopyPossible(source, side.format, false));
      let j = 0;
      await eachPassRow({ source, profile, signal: step.read?.signal }, raw, async (row, r, code) => {
        const g = toGlobal[code];
        const gid = offset + j++;
        if (side && gather!.grown.has(g)) await side.writer.original(row, r, code);
        if (accept && !accept(g, gid)) return;
        const t = times(g, gid);
        if (t > 0) await writer.original(row, r, code);
        for (let c = 1; c < t; c++) await writer.copy(row, r, code);
      });
      await sink.finish();
      if (side) await side.sink.finish();
    } catch (e) {
      await sink.abort().catch(() => undefined);
      if (side) await side.sink.abort().catch(() => undefined);
      throw e;
    }
    const classes: Record<string, number> = {};
    profile.classNames.forEach((n, c) => (classes[n] = writer.classCounts[c]));
    return { rowsRead: profile.rowsRead, rowsWritten: writer.rows, classes };
  } finally {
    await p.source.close();
  }
}

/** The rank step's input: a partition's kept rows as global class codes (labels only). */
export async function partitionCodes(step: PartitionStep): Promise<{ offset: number; codes: Int32Array }> {
  const p = await openPlanned(step);
  try {
    return { offset: p.offset, codes: keptGlobalCodes(p.profile, p.toGlobal) };
  } finally {
    await p.source.close();
  }
}

/**
 * The select step: the partition's output rows. Random route: by the thresholds; synthesize
 * route: every row (the synthetic rows are one more partition), and with `gather` the rows of the
 * grown classes into that file too (the gather step fused into this pass); clean route: every row
 * but the removed global ids; nearmiss route: the rows the threshold step's choice keeps (near-miss.ts).
 */
export function selectPartition(step: PartitionStep, extra: { thresholds?: Thresholds | NearMissChoice | null; removed?: ReadonlySet<number>; gather?: string }): Promise<StepResult> {
  const plan = step.plan;
  if (extra.gather !== undefined && plan.route !== 'synthesize') {
    throw new UsageError('REBALANCE_BAD_OPTION', `--gather is for the synthesize route (smote...), not the ${plan.route} route of ${plan.method}; drop it`);
  }
  if (plan.route === 'random') return writeRows(step, timesFor(plan, (extra.thresholds ?? null) as Thresholds | null));
  if (plan.route === 'nearmiss') {
    // A partition that loses no row is copied (a plain CSV file as its bytes).
    const rule = nearMissTimes(plan, extra.thresholds as NearMissChoice | null | undefined);
    const e = plan.partitions[step.index];
    return e && !rule.losesRows(e.offset, e.rows, e.classes) ? passThrough(step) : writeRows(step, rule.times);
  }
  if (plan.clean) {
    if (extra.gather !== undefined) throw new UsageError('REBALANCE_BAD_OPTION', `--gather cannot go with select for ${plan.method}: its output needs the removed rows; run the gather step, then select --removed`);
    const removed = extra.removed;
    if (!removed) throw new DataError('REBALANCE_PLAN_MISMATCH', `the ${plan.method} plan needs the removed rows: pass --removed with the file the clean step wrote`);
    return keepsEvery(step, removed) ? passThrough(step) : writeRows(step, (_c, gid) => (removed.has(gid) ? 0 : 1));
  }
  if (extra.gather !== undefined) return writeRows(step, () => 1, undefined, { output: extra.gather, grown: grownCodes(plan) });
  return passThrough(step);
}

/** A cleaning plan removes none of this input partition's rows (the synthetic partition N is not one). */
function keepsEvery(step: PartitionStep, removed: ReadonlySet<number>): boolean {
  const entry = step.plan.partitions[step.index];
  if (entry === undefined) return false;
  for (const gid of removed) if (gid >= entry.offset && gid < entry.offset + entry.rows) return false;
  return true;
}

/**
 * Every row once, unchanged: a byte copy of a plain CSV file (verbatim.ts), else the row pass
 * (`copy: false`: always the row pass, the output a copy must equal).
 */
export async function passThrough(step: PartitionStep, options: { copy?: boolean } = {}): Promise<StepResult & { copied: boolean }> {
  const rows = options.copy === false ? null : await copyPlainPartition(step);
  if (rows === null) return { ...(await writeRows(step, () => 1)), copied: false };
  return { rowsRead: rows, rowsWritten: rows, classes: { ...step.plan.partitions[step.index].classes }, copied: true };
}

/** The classes the synthesize route grows (global codes). */
function grownCodes(plan: DistPlan): Set<number> {
  return new Set(plan.classNames.map((n, c) => (plan.targets[n].to > plan.targets[n].from ? c : -1)).filter((c) => c >= 0));
}

/**
 * The gather step: the rows of the classes being grown (near-miss: of the minority class), in the
 * partition's order and format; with `fetch` (borderline-2) also the rows of those global ids.
 */
export function gatherPartition(step: PartitionStep, fetch?: ReadonlySet<number>): Promise<StepResult> {
  // near-miss: the minority rows (every partition scores against them).
  const grown = step.plan.route === 'nearmiss' ? new Set([step.plan.classNames.indexOf(step.plan.nearMiss!.minority)]) : grownCodes(step.plan);
  if (fetch && !step.plan.neighbours?.other) throw new UsageError('REBALANCE_BAD_OPTION', `--fetch is for borderline-smote --variant borderline-2, not this ${step.plan.method} plan; drop it`);
  return writeRows(step, () => 1, (g, gid) => grown.has(g) || (fetch !== undefined && fetch.has(gid)));
}

export interface SynthStep {
  readonly gathered: readonly string[];
  readonly plan: DistPlan;
  readonly output?: string;
  readonly format?: string;
  readonly read?: ReadOptions;
  readonly scan?: ScanOptions;
  readonly knn?: () => Promise<KnnBackend>;
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly log?: (m: string) => void;
  readonly signal?: AbortSignal;
  readonly version?: string;
  /** Borderline-SMOTE / ADASYN: the merged neighbour lists of the gathered rows (plan.neighbours). */
  readonly neighbours?: Neighbours;
  /** smote-tomek / smote-enn: where to write the synthetic rows' points (the cleaning's last partition). */
  readonly points?: string;
  /** Borderline-SMOTE / ADASYN with --scale: the whole table's scaler (scale.ts). */
  readonly scaler?: Scaler;
  /** borderline-2: the merged lists of the danger rows whose rows gather --fetch added to the gathered files. */
  readonly fetched?: Neighbours;
  /**
   * Write only slice `index` of `count` of the generated rows (rows [floor(index*N/count),
   * floor((index+1)*N/count)) of the N a single run generates): every slice draws the same rows,
   * so `count` synth tasks on as many workers write the synthetic partition in parallel.
   */
  readonly slice?: { readonly index: number; readonly count: number };
}

/**
 * The merged lists of the gathered rows -> the classes of each Dataset row's neighbours, in the
 * gathered Dataset's class codes (-1: a class not gathered), checked row by row against it. With
 * `fetched` (borderline-2) the Dataset also holds the fetched rows (classes not grown, no lists:
 * -1s), in global id order among the gathered ones: every row's global id and class is checked.
 */
function neighbourLabels(plan: DistPlan, nn: Neighbours, data: Dataset, grown: ReadonlySet<number>, fetched?: Neighbours): { m: number; labels: Int32Array } {
  const spec = plan.neighbours!;
  const nGrown = data.labels.reduce((t, l) => t + (grown.has(l) ? 1 : 0), 0);
  if (nn.k !== spec.k || nn.queryGids.length !== nGrown) {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `--neighbours holds ${nn.queryGids.length} lists of ${nn.k} neighbours, the gathered rows need ${nGrown} of ${spec.k}; pass the merged knn lists of this plan's query rows`);
  }
  const toLocal = new Int32Array(plan.classNames.length).fill(-1);
  plan.classNames.forEach((n, g) => (toLocal[g] = data.classNames.indexOf(n)));
  // The fetched rows: the ids the lists name outside the grown classes, ascending, with their classes.
  const extra = new Map<number, number>();
  if (fetched) {
    for (let i = 0; i < fetched.gids.length; i++) if (fetched.gids[i] >= 0 && !grown.has(toLocal[fetched.labels[i]])) extra.set(fetched.gids[i], fetched.labels[i]);
  }
  const extraIds = [...extra.keys()].sort((a, b) => a - b);
  if (data.nRows !== nGrown + extraIds.length) {
    throw new DataError('REBALANCE_PLAN_MISMATCH', `the gathered files hold ${data.nRows - nGrown} rows outside the grown classes, --fetched names ${extraIds.length}; pass the files of gather --fetch with the same merged lists`);
  }
  const labels = new Int32Array(data.nRows * spec.k).fill(-1);
  let prev = -1;
  for (let i = 0, q = 0, e = 0; i < data.nRows; i++) {
    const takeList = q < nGrown && (e >= extraIds.length || nn.queryGids[q] < extraIds[e]);
    const gid = takeList ? nn.queryGids[q] : extraIds[e];
    const cls = takeList ? nn.queryLabels[q] : extra.get(gid)!;
    if (toLocal[cls] !== data.labels[i] || gid <= prev) {
      throw new DataError('REBALANCE_PLAN_MISMATCH', `--neighbours${fetched ? ' / --fetched' : ''}: gathered row ${i} is not row ${gid} of the table; pass the merged knn lists of this plan's query rows${fetched ? ' and the files of gather --fetch with those lists' : ''}`);
    }
    prev = gid;
    if (!takeList) {
      e++;
      continue;
    }
    for (let t = 0; t < spec.k; t++) {
      const l = nn.labels[q * spec.k + t];
      labels[i * spec.k + t] = l < 0 ? -1 : toLocal[l];
    }
    q++;
  }
  return { m: spec.k, labels };
}

/**
 * The synth step: the gathered rows of every partition (in partition order = global row order)
 * become the Dataset a single-machine run of scope 'targets' builds, the sampler runs once on it
 * with the plan's global targets and the same random stream (rng.fork('sampler/<name>')), and
 * the generated rows are written as one more partition.
 */
export async function synthesize(step: SynthStep): Promise<StepResult> {
  const plan = step.plan;
  const def = getSampler(plan.method);
  const source = await concatSources(step.gathered, step.read);
  try {
    const scanned = await scanTable(source, { ...step.scan, label: step.scan?.label ?? plan.label, signal: step.signal });
    const profile = withPlanKinds(scanned, plan.columns);
    globalCodes(profile, plan.classNames); // every gathered class is one of the plan's
    const targets = new Map<number, { from: number; to: number }>();
    const other = plan.neighbours?.other;
    if (other && !step.fetched) throw new UsageError('REBALANCE_BAD_OPTION', `borderline-2 interpolates towards the danger rows' nearest rows of other classes: pass --fetched with the merged lists of knn --danger, and the files gather --fetch wrote with them`);
    if (!other && step.fetched) throw new UsageError('REBALANCE_BAD_OPTION', `--fetched is for borderline-smote --variant borderline-2, not this ${plan.method} plan; drop it`);
    if (other && step.neighbours && step.fetched) {
      const danger = dangerIds(plan, step.neighbours);
      if (step.fetched.k !== other.k || danger.length !== step.fetched.queryGids.length || danger.some((g, i) => g !== step.fetched!.queryGids[i])) {
        throw new DataError('REBALANCE_PLAN_MISMATCH', `--fetched does not answer the danger rows of --neighbours with ${other.k} neighbours each; pass the merge of knn --danger with those lists`);
      }
    }
    profile.classNames.forEach((name, c) => {
      const t = plan.targets[name];
      // borderline-2: rows of classes not grown are the fetched ones (checked against --fetched below).
      if (other && t.to <= t.from && profile.counts[c] <= t.from) return;
      if (profile.counts[c] !== t.from) {
        throw new DataError('REBALANCE_PLAN_MISMATCH', `the gathered files hold ${profile.counts[c]} rows of class '${name}', the plan counted ${t.from}; pass the gather output of every partition`);
      }
      if (t.to > t.from) targets.set(c, t);
    });
    for (const [name, t] of Object.entries(plan.targets)) {
      if (t.to > t.from && !profile.classNames.includes(name)) throw new DataError('REBALANCE_PLAN_MISMATCH', `the gathered files hold no rows of class '${name}', which the plan grows; pass the gather output of every partition`);
    }
    const local: SamplingPlan = { kind: plan.samplingKind, targets };
    const builder = new DatasetBuilder(profile, (code) => targets.has(code) || other !== undefined);
    await eachRow({ source, profile, signal: step.signal }, (cells, r, code) => builder.add(cells, r, code));
    const data = builder.finish();
    if (plan.neighbours && !step.neighbours) throw new UsageError('REBALANCE_BAD_OPTION', `${plan.method} needs the neighbours of the gathered rows among all rows: pass --neighbours with the merged knn lists (see 'rebalance dist --help')`);
    if (plan.clean && step.points === undefined) throw new UsageError('REBALANCE_BAD_OPTION', `${plan.method} cleans the synthetic rows too: pass --points for their points file`);
    if (step.slice && (plan.clean || step.points !== undefined)) {
      throw new UsageError('REBALANCE_BAD_OPTION', `--slice is not for ${plan.method}: its cleaning needs the synthetic rows as one partition; drop --slice`);
    }
    // smote-tomek / smote-enn: the over-sampler runs here (on the combined method's random stream, as on one machine).
    const runDef = plan.first ? FIRST_SAMPLERS[plan.first] : def;
    const sampler = prepareSampler(runDef, plan.options);
    const knn = (sampler.needs ?? runDef.needs).knn && step.knn ? await step.knn() : null;
    const { writer, sink } = await openPartitionWriter(step.output, step.format, source, profile, metadata(plan, step.version), (sampler.needs ?? def.needs).syntheticCells);
    try {
      const res = await sampler.fitResample(data, local, samplerRng(def, createRng(plan.seed)), {
        knn: knn ?? noKnn(def.name),
        scale: step.scale,
        log: step.log ?? (() => undefined),
        signal: step.signal,
        totalRows: plan.totalRows,
        lazySynthetic: !plan.clean,
        ...(step.neighbours ? { allRowsNeighbours: neighbourLabels(plan, step.neighbours, data, new Set(targets.keys()), step.fetched) } : {}),
        ...(step.scaler ? { scaler: step.scaler } : {}),
      });
      if (res.duplicates && res.duplicates.length) throw new Error('internal: a targets-scope sampler returned duplicates');
      if (step.points !== undefined) await writeBlob(step.points, ...pointsToBlob(syntheticPoints(plan, data, res.synthetic)));
      await writeSynthetic(step.slice ? sliceBlock(res.synthetic, step.slice) : res.synthetic, data, writer);
      await sink.finish();
    } catch (e) {
      await sink.abort().catch(() => undefined);
      throw e;
    } finally {
      if (knn) await knn.dispose();
    }
    const classes: Record<string, number> = {};
    profile.classNames.forEach((n, c) => (classes[n] = writer.classCounts[c]));
    return { rowsRead: profile.rowsRead, rowsWritten: writer.rows, classes };
  } finally {
    await source.close();
  }
}

/** Rows [floor(index*N/count), floor((index+1)*N/count)) of a generated block (views, no copy). */
export function sliceBlock(block: SyntheticBlock | null, slice: { readonly index: number; readonly count: number }): SyntheticBlock | null {
  if (!block) return null;
  const a = Math.floor((slice.index * block.nRows) / slice.count);
  const b = Math.floor(((slice.index + 1) * block.nRows) / slice.count);
  return {
    nRows: b - a,
    features: block.features.map((f) => f.subarray(a, b)),
    ...(block.steps ? { steps: block.steps.subarray(a, b) } : {}),
    labels: block.labels.subarray(a, b),
    sourceRow: block.sourceRow.subarray(a, b),
    neighborRow: block.neighborRow.subarray(a, b),
  };
}

/**
 * The synthetic rows as points (global ids from totalRows, in block order; Float32 of the values
 * in memory, as the single-machine cleaning packs its stacked rows: samplers/combine.ts).
 */
function syntheticPoints(plan: DistPlan, data: Dataset, s: SyntheticBlock | null): Points {
  const n = s ? s.nRows : 0;
  const dim = data.features.length;
  if (s && s.features.length !== dim) throw new Error('internal: a deferred synthetic block cannot give points');
  const gids = new Float64Array(n);
  const labels = new Int32Array(n);
  const coords = new Float32Array(n * dim);
  const toGlobal = data.classNames.map((name) => plan.classNames.indexOf(name));
  for (let i = 0; i < n; i++) {
    gids[i] = plan.totalRows + i;
    labels[i] = toGlobal[s!.labels[i]];
    for (let j = 0; j < dim; j++) coords[i * dim + j] = s!.features[j][i];
  }
  return { dim, gids, labels, coords };
}

function noKnn(method: string): KnnBackend {
  return {
    name: 'naive',
    build: () => Promise.reject(new Error(`internal: method '${method}' searched neighbours but no kNN backend was opened`)),
    dispose: async () => undefined,
  };
}
