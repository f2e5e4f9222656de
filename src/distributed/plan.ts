/**
 * The plan step: merges the partition summaries into one plan file. The global targets come from
 * the same planning code as a single-machine `resample` (pipeline/plan.ts planJob: imbalanced-
 * learn semantics on the global class counts); every partition gets a row offset, so each kept
 * row has a global id (its row number in the concatenated table); the route says which protocol
 * the method follows:
 *   random      random-under / random-over: rank (map) -> threshold (reduce) -> select (map)
 *   synthesize  methods of scope 'targets' (SMOTE, SMOTEN, SMOTE-NC, random-over with shrinkage):
 *               gather (map) -> synth (one task) -> select = pass-through (map)
 *               Borderline-SMOTE and ADASYN also need each gathered row's m nearest rows of the
 *               whole table (`neighbours`): points (map) -> knn (the grown classes' rows broadcast
 *               against every partition) -> merge -> synth --neighbours. borderline-2 (`other`)
 *               then queries the danger rows against the rows outside their class (knn --danger
 *               -> merge) and gathers after that (gather --fetch: the rows those lists name come
 *               along, in global order) -> synth --fetched.
 *               smote-tomek / smote-enn (`first`: the over-sampler, `clean`): synth also writes the
 *               synthetic rows' points (one more partition of the kNN), then the cleaning as below
 *               over originals + synthetic rows, and select --removed on every partition and on the
 *               synthetic one (--index = number of partitions).
 *   nearmiss    near-miss: gather the minority (map; or count --gather: countGathered) -> score (map:
 *               each cut-class row's sum against the gathered minority with the single machine's
 *               kernel; the best, or worst, candidates per class; version 3 also the minority rows'
 *               nearest rows of each class in the partition) -> threshold (reduce: version 3's lists
 *               merged into the shortlist; the kept or dropped ids per class) -> select (map)
 *   clean       tomek-links, enn, neighbourhood-cleaning-rule: points (map) -> knn partial top-k
 *               (map over partition pairs) -> merge (reduce) -> clean (reduce) -> select (map);
 *               renn, all-knn: ENN rounds, each over the rows the previous rounds kept (knn --round,
 *               clean --round: the state file says the removed rows, the next k and query classes).
 */
import { DataError, UsageError } from '../core/errors.js';
import { sortClassNames } from '../dataset/make.js';
import { isStreaming, planJob } from '../pipeline/plan.js';
import { getSampler } from '../samplers/registry.js';
import { mNeighbourOptions } from '../samplers/borderline-smote.js';
import { ennOptions, enumOption, intOption, kOptions, numberOption } from '../samplers/shared/options.js';
import { notMinorityOfCounts } from '../samplers/shared/classes.js';
import { modeTieFor, resolveM } from '../samplers/shared/neighbours.js';
import { needRows } from '../samplers/near-miss.js';
import type { FeatureKind, SamplerOptions, SamplingKind, SamplingStrategy } from '../types.js';
import type { PartitionColumn, PartitionSummary } from './partition.js';

export type Route = 'random' | 'synthesize' | 'clean' | 'nearmiss';

/**
 * The nearmiss route (near-miss.ts): the minority rows gathered, every cut class's rows scored
 * against them per partition, the global best per class from one reduce.
 */
export interface NearMissSpec {
  readonly version: 1 | 2 | 3;
  /** nNeighbors: minority neighbours summed per row. */
  readonly k: number;
  /** nNeighborsVer3: version 3's shortlist per minority row and cut class. */
  readonly kVer3: number;
  /** The minority of the whole table (fewest rows, ties to the class met first). */
  readonly minority: string;
  /** Every class with a planned target (the single machine runs near-miss on each), in class order: rows kept. */
  readonly classes: readonly { readonly class: string; readonly keep: number }[];
}

/** Per class of the random route: each row is written `base` times, plus once more when picked. */
export interface RandomPick {
  readonly class: string;
  /** Rows of the class (global). */
  readonly n: number;
  /** Rows to pick: the m smallest (key, id) pairs of the class. */
  readonly m: number;
  readonly base: number;
}

export type CleanMethod = 'tomek-links' | 'enn' | 'renn' | 'all-knn' | 'neighbourhood-cleaning-rule';

/** The repeated ENN methods: what the rounds need besides the first round's k and query classes. */
export interface RoundSpec {
  /** renn: at most this many rounds; all-knn: rounds with k = 1 .. kMax. */
  readonly maxIter: number;
  readonly kMax: number;
  readonly allowMinority: boolean;
  /** The cleaned classes are 'every class but the minority', re-resolved on each round's rows. */
  readonly reresolve: boolean;
}

export interface CleanSpec {
  readonly method: CleanMethod;
  /** Neighbours per query (tomek 1, enn nNeighbors). */
  readonly k: number;
  readonly variant: 'all' | 'mode';
  readonly tie: 'lowest' | 'first';
  /** Classes whose rows may be removed. */
  readonly cleanClasses: readonly string[];
  /** Classes whose rows are queried in the first round (tomek: all but the largest class; enn: the cleaned classes). */
  readonly queryClasses: readonly string[];
  /** The minority class of the whole table (count, ties to the class met first): NCR, RENN, AllKNN. */
  readonly minority?: string;
  /** neighbourhood-cleaning-rule: thresholdCleaning. */
  readonly threshold?: number;
  /** renn, all-knn. */
  readonly rounds?: RoundSpec;
}

/** Synthesize route, Borderline-SMOTE / ADASYN: the m nearest rows (all classes) of every gathered row. */
export interface NeighbourSpec {
  readonly k: number;
  /** The grown classes (their rows are the queries, as gathered). */
  readonly queryClasses: readonly string[];
  /**
   * borderline-2: the k nearest rows outside its class of every row in danger (knn --danger),
   * whose rows are fetched by global id (gather --fetch); k covers every grown class's k.
   */
  readonly other?: { readonly k: number };
}

export interface DistPlan {
  readonly kind: 'rebalance-dist-plan';
  readonly version: 1;
  readonly method: string;
  readonly route: Route;
  readonly seed: number;
  readonly strategy?: SamplingStrategy;
  readonly options: SamplerOptions;
  readonly label: string;
  readonly columns: readonly PartitionColumn[];
  readonly classNames: readonly string[];
  readonly counts: readonly number[];
  readonly samplingKind: SamplingKind;
  /** Per class name: rows before and after (classes the method leaves alone: from = to). */
  readonly targets: Readonly<Record<string, { readonly from: number; readonly to: number }>>;
  readonly totalRows: number;
  readonly partitions: readonly { readonly file: string; readonly rows: number; readonly offset: number; readonly classes: Readonly<Record<string, number>> }[];
  readonly picks?: readonly RandomPick[];
  readonly clean?: CleanSpec;
  readonly neighbours?: NeighbourSpec;
  /** smote-tomek / smote-enn: the over-sampler the synth step runs (options.first). */
  readonly first?: string;
  /**
   * Synthesize route without neighbours or cleaning: the count step's --gather files hold exactly
   * the grown classes' rows (countGathered in plan.ts), so synth reads them and no gather pass runs.
   * nearmiss: they hold every partition's minority rows (and maybe other small classes), so score
   * reads them (--minority) and no gather pass runs.
   */
  readonly countGathered?: true;
  readonly nearMiss?: NearMissSpec;
}

export interface PlanRequest {
  readonly method: string;
  readonly strategy?: SamplingStrategy;
  readonly options?: SamplerOptions;
  readonly seed: number;
}

const CLEANERS = new Set(['tomek-links', 'enn', 'renn', 'all-knn', 'neighbourhood-cleaning-rule']);
/** Over-samplers that need the neighbours of the gathered rows among every row (borderline-smote, adasyn). */
const CROSS_CLASS = new Set(['borderline-smote', 'adasyn']);
/** The over-samplers smote-tomek / smote-enn can start with here. */
const FIRSTS = new Set(['smote', 'borderline-smote', 'adasyn']);

/** The minority of the whole table: fewest rows, ties to the class whose first row comes first (samplers/shared/classes.ts minorityClass). */
function minorityOf(summaries: readonly PartitionSummary[], classNames: readonly string[], counts: readonly number[]): string {
  const first = classNames.map((n) => {
    let offset = 0;
    for (const s of summaries) {
      const f = s.firstRows?.[n];
      if (f !== undefined) return offset + f;
      if ((s.classes[n] ?? 0) > 0) throw new DataError('REBALANCE_BAD_DIST_FILE', `${s.file} has no first rows per class; make the summaries again with this version of 'rebalance dist count'`);
      offset += s.rows;
    }
    return Infinity;
  });
  let best = -1;
  counts.forEach((n, c) => {
    if (n === 0) return;
    if (best < 0 || n < counts[best] || (n === counts[best] && first[c] < first[best])) best = c;
  });
  return classNames[best];
}

const ONE_MACHINE = "or run 'rebalance resample' on one machine";

function mergeColumns(summaries: readonly PartitionSummary[]): PartitionColumn[] {
  const first = summaries[0];
  return first.columns.map((c, j) => {
    let kind = c.kind;
    for (const s of summaries) {
      const o = s.columns[j];
      if (!o || o.name !== c.name || o.role !== c.role || s.columns.length !== first.columns.length) {
        throw new DataError('REBALANCE_PLAN_MISMATCH', `partition ${s.file} has other columns than ${first.file} (column ${j + 1}: '${o?.name ?? '-'}' vs '${c.name}'); all partitions must have the same columns and label`);
      }
      if (o.kind === kind) continue;
      const num = (k: string): boolean => k === 'int' || k === 'float';
      if (num(o.kind) && num(kind)) kind = 'float';
      else throw new DataError('REBALANCE_PLAN_MISMATCH', `column '${c.name}' is ${kind} in ${first.file} but ${o.kind} in ${s.file}; give --categorical or --passthrough for it to every step`);
    }
    return { ...c, kind };
  });
}

/**
 * borderline-2: how many rows outside its class each danger row needs, the largest k of the grown
 * classes (a class of <= k rows gets size - 1 with --k-auto, resolveK); every grown class must
 * have that many rows outside it, so each merged list is complete.
 */
function otherSpec(classNames: readonly string[], counts: readonly number[], grown: readonly string[], total: number, opts: SamplerOptions): { k: number } {
  const { k, kAuto } = kOptions('borderline-smote', opts);
  let kk = 1;
  for (const n of grown) {
    const size = counts[classNames.indexOf(n)];
    kk = Math.max(kk, size > k || !kAuto || size < 2 ? k : size - 1);
  }
  for (const n of grown) {
    const outside = total - counts[classNames.indexOf(n)];
    if (outside < kk) {
      throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `the distributed borderline-2 needs ${kk} rows outside class '${n}', the table has ${outside}; use --k-neighbors ${Math.max(1, outside)} or fewer, ${ONE_MACHINE}`);
    }
  }
  return { k: kk };
}

/**
 * count --gather kept the grown classes: every partition's summary lists exactly the grown
 * classes it holds rows of, so the files it names are the gather step's rows.
 */
function countGathered(summaries: readonly PartitionSummary[], grown: readonly string[]): boolean {
  return summaries.every((s) => {
    if (!s.gathered) return false;
    const want = grown.filter((n) => (s.classes[n] ?? 0) > 0);
    return s.gathered.classes.length === want.length && want.every((n) => s.gathered!.classes.includes(n));
  });
}

/** Merges summaries (in partition order) into the plan. */
export function makePlan(summaries: readonly PartitionSummary[], request: PlanRequest): DistPlan {
  if (summaries.length === 0) throw new UsageError('REBALANCE_NO_INPUT', 'no partition summaries given; pass the files the count step wrote');
  for (const s of summaries) {
    if (s.kind !== 'rebalance-partition-summary' || s.version !== 1) throw new DataError('REBALANCE_BAD_DIST_FILE', `${s.file ?? 'a summary'} is not a partition summary; give the files 'rebalance dist count' wrote`);
  }
  const columns = mergeColumns(summaries);
  const classNames = sortClassNames(new Set(summaries.flatMap((s) => Object.keys(s.classes))));
  const counts = classNames.map((n) => summaries.reduce((t, s) => t + (s.classes[n] ?? 0), 0));
  const def = getSampler(request.method);
  const feats = columns.filter((c) => c.role === 'feature');
  const featureKind = (c: PartitionColumn): FeatureKind => (c.kind === 'text' ? 'categorical' : c.kind);
  const { plan, sampler } = planJob(def, counts, classNames, { names: feats.map((c) => c.name), kinds: feats.map(featureKind) }, { strategy: request.strategy, options: request.options });
  const targets: Record<string, { from: number; to: number }> = {};
  classNames.forEach((n, c) => (targets[n] = plan.targets.get(c) ?? { from: counts[c], to: counts[c] }));
  let offset = 0;
  const partitions = summaries.map((s) => {
    const p = { file: s.file, rows: s.rows, offset, classes: s.classes };
    offset += s.rows;
    return p;
  });
  const base = {
    kind: 'rebalance-dist-plan' as const,
    version: 1 as const,
    method: def.name,
    seed: request.seed,
    strategy: request.strategy,
    options: request.options ?? {},
    label: summaries[0].label,
    columns,
    classNames,
    counts,
    samplingKind: plan.kind,
    targets,
    totalRows: offset,
    partitions,
  };
  if (isStreaming(sampler)) {
    if (request.options?.replacement) throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--replacement is not supported by the distributed random-under; drop it (rows are drawn without replacement)`);
    const picks = classNames.map((name): RandomPick => {
      const { from, to } = targets[name];
      if (to < from) return { class: name, n: from, m: to, base: 0 };
      if (to > from) return { class: name, n: from, m: (to - from) % from, base: 1 + Math.floor((to - from) / from) };
      return { class: name, n: from, m: 0, base: 1 };
    });
    return { ...base, route: 'random', picks };
  }
  const opts = request.options ?? {};
  const grown = classNames.filter((n) => targets[n].to > targets[n].from);
  if (sampler.scope === 'targets') return { ...base, route: 'synthesize', ...(countGathered(summaries, grown) ? { countGathered: true } : {}) };
  const combined = def.name === 'smote-tomek' || def.name === 'smote-enn';
  if (def.name === 'svm-smote' || (combined && opts.first === 'svm-smote')) {
    throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `svm-smote cannot run distributed exactly: its SVM trains on every row of every class (the majority too), not on the gathered minority and its neighbours; ${ONE_MACHINE}`);
  }
  const overSampler = combined ? (opts.first ?? 'smote') : def.name;
  if (combined || CROSS_CLASS.has(def.name)) {
    if (!FIRSTS.has(overSampler)) throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--first ${overSampler} has no distributed protocol; use smote, borderline-smote or adasyn, ${ONE_MACHINE}`);
    let neighbours: NeighbourSpec | undefined;
    if (CROSS_CLASS.has(overSampler)) {
      // The sampler's own option readers; --k-auto clamps to the table's rows as its resolveM does.
      const k0 = overSampler === 'adasyn' ? kOptions('adasyn', opts).k : mNeighbourOptions('borderline-smote', opts).m;
      const k = resolveM(overSampler, offset, k0, opts.kAuto, () => undefined);
      neighbours = { k, queryClasses: grown };
      if (overSampler === 'borderline-smote' && (opts.variant === 'borderline-2' || opts.variant === '2')) neighbours = { ...neighbours, other: otherSpec(classNames, counts, grown, offset, opts) };
    }
    if (combined) {
      // Every class may lose rows; the rows after synthesis count from the targets.
      const after = classNames.map((n) => targets[n].to);
      let largest = 0;
      after.forEach((n, c) => (largest = n > after[largest] ? c : largest));
      const clean: CleanSpec =
        def.name === 'smote-tomek'
          ? { method: 'tomek-links', k: 1, variant: 'all', tie: modeTieFor(classNames), cleanClasses: classNames, queryClasses: classNames.filter((_, c) => c !== largest) }
          : { method: 'enn', k: intOption(def.name, 'nNeighbors', opts.nNeighbors, 3), variant: 'all', tie: modeTieFor(classNames), cleanClasses: classNames, queryClasses: classNames };
      return { ...base, route: 'synthesize', first: overSampler, clean, ...(neighbours ? { neighbours } : {}) };
    }
    return { ...base, route: 'synthesize', neighbours };
  }
  if (def.name === 'near-miss') {
    const nearMiss = nearMissSpec(summaries, classNames, counts, plan.targets, opts);
    // count --gather kept every partition's minority rows (among its small classes): score reads those files.
    const kept = summaries.every((s) => s.gathered && (!((s.classes[nearMiss.minority] ?? 0) > 0) || s.gathered.classes.includes(nearMiss.minority)));
    return { ...base, route: 'nearmiss', nearMiss, ...(kept ? { countGathered: true } : {}) };
  }
  if (CLEANERS.has(def.name)) {
    const cleanClasses = classNames.filter((n) => plan.targets.has(classNames.indexOf(n)));
    const named = opts.classes && opts.classes.length ? opts.classes : undefined;
    const cleaned = named ? [...named] : cleanClasses;
    for (const n of cleaned) {
      if (!classNames.includes(n)) throw new DataError('REBALANCE_UNKNOWN_CLASS', `class '${n}' to clean is not in the data (classes: ${classNames.join(', ')}); name one of those`);
    }
    if (def.name === 'tomek-links') {
      // Every link has a member outside the largest class (its members' classes differ).
      let largest = 0;
      counts.forEach((n, c) => (largest = n > counts[largest] ? c : largest));
      const queryClasses = classNames.filter((_, c) => c !== largest && counts[c] > 0);
      return { ...base, route: 'clean', clean: { method: 'tomek-links', k: 1, variant: 'all', tie: modeTieFor(classNames), cleanClasses: cleaned, queryClasses } };
    }
    const { k, kind } = ennOptions(def.name, opts);
    const tie = modeTieFor(classNames);
    if (def.name === 'enn') return { ...base, route: 'clean', clean: { method: 'enn', k, variant: kind, tie, cleanClasses: cleaned, queryClasses: cleaned } };
    const minority = minorityOf(summaries, classNames, counts);
    if (def.name === 'neighbourhood-cleaning-rule') {
      const threshold = numberOption(def.name, 'thresholdCleaning', opts.thresholdCleaning, 0.5, { min: 0, max: 1 });
      // The queries: the cleaned classes (ENN) and the minority (its neighbours may go).
      const queryClasses = classNames.filter((n) => cleaned.includes(n) || n === minority);
      return { ...base, route: 'clean', clean: { method: def.name, k, variant: kind, tie, cleanClasses: cleaned, queryClasses, minority, threshold } };
    }
    // renn / all-knn: 'every class but the minority' (no --classes) is re-resolved on each round's rows.
    const auto = notMinorityOfCounts(counts);
    const reresolve = !named && classNames.every((n, c) => (auto[c] === 1) === cleaned.includes(n));
    const rounds: RoundSpec = { maxIter: intOption(def.name, 'maxIter', opts.maxIter, 100), kMax: k, allowMinority: def.name === 'all-knn' && opts.allowMinority === true, reresolve };
    return { ...base, route: 'clean', clean: { method: def.name as CleanMethod, k: def.name === 'all-knn' ? 1 : k, variant: kind, tie, cleanClasses: cleaned, queryClasses: cleaned, minority, rounds } };
  }
  throw new UsageError(
    'REBALANCE_DIST_UNSUPPORTED',
    `method '${def.name}' has no distributed protocol yet; use random-under, random-over, a SMOTE-type method (smote, smoten, smote-nc, borderline-smote, adasyn), smote-tomek, smote-enn, tomek-links, enn, renn, all-knn, neighbourhood-cleaning-rule or near-miss, ${ONE_MACHINE}`,
  );
}

/**
 * near-miss: the options as the sampler binds them and its size checks in its order (per cut
 * class: version 3's class size, then the minority), so a plan fails as the single machine does.
 */
function nearMissSpec(summaries: readonly PartitionSummary[], classNames: readonly string[], counts: readonly number[], targets: ReadonlyMap<number, { readonly to: number }>, opts: SamplerOptions): NearMissSpec {
  const version = enumOption('near-miss', 'version', opts.version, 1, [1, 2, 3]) as 1 | 2 | 3;
  const k = intOption('near-miss', 'nNeighbors', opts.nNeighbors, 3);
  const kVer3 = intOption('near-miss', 'nNeighborsVer3', opts.nNeighborsVer3, 3);
  const minority = minorityOf(summaries, classNames, counts);
  const m = counts[classNames.indexOf(minority)];
  const classes: { class: string; keep: number }[] = [];
  for (const c of [...targets.keys()].sort((a, b) => a - b)) {
    if (counts[c] === 0) continue;
    if (version === 3) needRows(counts[c], kVer3, 'each target class', 'nNeighborsVer3');
    needRows(m, k, 'the minority class', 'nNeighbors');
    classes.push({ class: classNames[c], keep: targets.get(c)!.to });
  }
  return { version, k, kVer3, minority, classes };
}

/** Reads and checks a plan object (the JSON of the plan step). */
export function checkPlan(value: unknown, file: string): DistPlan {
  const p = value as Partial<DistPlan>;
  if (!p || p.kind !== 'rebalance-dist-plan' || p.version !== 1) throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} is not a distributed plan; give the file 'rebalance dist plan' wrote`);
  return p as DistPlan;
}

/** The partition entry of the plan for partition index `i`. */
export function partitionOf(plan: DistPlan, i: number): DistPlan['partitions'][number] {
  const p = plan.partitions[i];
  if (!p) throw new UsageError('REBALANCE_BAD_OPTION', `--index ${i} is out of range: the plan has ${plan.partitions.length} partitions (0 to ${plan.partitions.length - 1})`);
  return p;
}
