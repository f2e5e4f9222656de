/**
 * The core types every part of rebalance shares. Pure declarations: no code.
 * See docs/ARCHITECTURE.md for how the parts use them.
 */
import type { Rng } from './core/rng.js';

/** How a feature column is interpreted. */
export type FeatureKind = 'int' | 'float' | 'bool' | 'categorical';

/**
 * A columnar, in-memory table of numeric features and class labels.
 * Immutable by convention: nothing in rebalance writes into a Dataset it was given.
 */
export interface Dataset {
  readonly nRows: number;
  readonly featureNames: readonly string[];
  /** One Float64Array per feature, length nRows. Categorical features hold codes into `categories[j]`. */
  readonly features: readonly Float64Array[];
  readonly featureKinds: readonly FeatureKind[];
  /** For categorical features: the category strings (code -> string); undefined otherwise. */
  readonly categories: readonly (readonly string[] | undefined)[];
  /** Class code of each row, an index into classNames. */
  readonly labels: Int32Array;
  /** Sorted as numpy.unique sorts them (numerically when every name is a number). */
  readonly classNames: readonly string[];
  /** Non-feature columns (ids, free text) carried by row index; null = missing. */
  readonly passthrough: ReadonlyMap<string, readonly (string | null)[]>;
  /**
   * The source row index (0-based, input order) of each row, when this Dataset holds a
   * subset of the input (e.g. only the classes being synthesized). Absent: row i is source row i.
   */
  readonly rowIds?: Int32Array;
}

export type SamplingStrategy =
  | 'auto'
  | 'minority'
  | 'majority'
  | 'not minority'
  | 'not majority'
  | 'all'
  | number
  | Readonly<Record<string, number>>;

export type SamplingKind = 'over' | 'under' | 'clean';

/**
 * Per class code: the count before (`from`) and after (`to`) resampling.
 * For 'clean' plans `to` equals `from`: the listed classes may lose rows, by a rule, not a count.
 */
export interface SamplingPlan {
  readonly kind: SamplingKind;
  readonly targets: ReadonlyMap<number, { readonly from: number; readonly to: number }>;
}

/**
 * Generated rows; one Float64Array per feature, in Dataset feature order. A lazy block (only when
 * the caller set ctx.lazySynthetic) has no `features` but `steps`: row i is then
 * x[sourceRow[i]] + steps[i] * (x[neighborRow[i]] - x[sourceRow[i]]), computed as it is written,
 * so memory grows with rows, not rows x features.
 */
export interface SyntheticBlock {
  readonly nRows: number;
  readonly features: readonly Float64Array[];
  readonly steps?: Float64Array;
  readonly labels: Int32Array;
  /** Dataset row each synthetic row was generated from (-1 when none), for provenance. */
  readonly sourceRow: Int32Array;
  /** Dataset row of the neighbour used (-1 when none). */
  readonly neighborRow: Int32Array;
}

export interface Resampled {
  /** Kept Dataset rows in output order (ascending for everything rebalance ships). */
  readonly indices: Int32Array;
  /** Rows that are copies of kept rows, in output order after `indices` (random over-sampling). */
  readonly duplicates?: Int32Array;
  readonly synthetic: SyntheticBlock | null;
  readonly plan: SamplingPlan;
}

/** What a sampler needs to see of the input. */
export type SamplerScope =
  /** Random under/over-sampling: labels only; rows stream through. */
  | 'stream'
  /** Only the rows of classes being synthesized (plan.to > plan.from); others flow through. */
  | 'targets'
  /** The features of every row (neighbourhoods across classes). */
  | 'all';

export interface SamplerContext {
  readonly knn: KnnBackend;
  /** Feature scaling applied to distances only (never to output values); default 'none'. */
  readonly scale?: 'none' | 'standard' | 'minmax';
  readonly signal?: AbortSignal;
  /** One-line notices for stderr (never data). */
  readonly log: (message: string) => void;
  /** Rows of the whole input when `data` holds only the target classes (scope 'targets'). */
  readonly totalRows?: number;
  /** The caller can take a lazy SyntheticBlock (SMOTE: source, neighbour and step per row). */
  readonly lazySynthetic?: boolean;
  /**
   * Neighbours over the whole input found elsewhere (the distributed kNN, src/distributed/), for
   * the samplers that look at every class's rows (Borderline-SMOTE, ADASYN) when `data` holds
   * only the classes they grow: for Dataset row i, the class codes of its m nearest rows of the
   * whole input (self excluded, the engine's order), row-major nRows x m; -1 for a class not in
   * `data`. Absent: the sampler searches `data` itself.
   */
  readonly allRowsNeighbours?: { readonly m: number; readonly labels: Int32Array };
  /**
   * With `scale`: the scaler of the whole input fitted elsewhere (the distributed scale steps),
   * used instead of one fitted on `data` when `data` holds only some classes (x' = (x - shift) * mult).
   */
  readonly scaler?: { readonly shift: Float64Array; readonly mult: Float64Array };
}

export interface Sampler {
  readonly name: string;
  readonly kind: SamplingKind;
  readonly scope: SamplerScope;
  /**
   * What this bound sampler needs when its options change what the definition declares (random
   * over-sampling with shrinkage writes synthetic cells); absent: the definition's `needs`.
   */
  readonly needs?: SamplerNeeds;
  /**
   * Resamples `data` according to `plan` (resolved by samplers/strategy.ts from the counts of the
   * whole input). With scope 'targets' `data` may hold only the target classes.
   */
  fitResample(data: Dataset, plan: SamplingPlan, rng: Rng, ctx: SamplerContext): Promise<Resampled>;
}

/**
 * The per-row decisions of one streaming pass (see StreamingSampler): made from the labels alone,
 * one input row at a time, in input order.
 */
export interface StreamSelection {
  /**
   * Called once per input row, in input order, with the row's class code: how many times the row
   * is written in place (0 or 1; more with replacement). Throws a DataError when a class has more
   * rows than the counts said.
   */
  write(classCode: number): number;
  /** Whether the row last given to `write` must be held for the copies written after the input. */
  hold(): boolean;
  /**
   * Called after the last row: the copies written after the input rows, in output order, as
   * indices into the held rows (0 = the first row held, in input order).
   */
  copies(): Int32Array;
}

/**
 * A sampler that also streams (scope 'stream': random under/over-sampling): the job runner
 * counts the classes, then calls `selectStream` and writes each row as the selection says, so
 * only the labels and the rows held for copies are in memory. Same draws, same fork labels and
 * same output as `fitResample` on the whole table.
 */
export interface StreamingSampler extends Sampler {
  readonly scope: 'stream';
  /** Starts a streaming pass over an input with these per-class `counts`; draws from `rng`. */
  selectStream(plan: SamplingPlan, counts: ArrayLike<number>, rng: Rng): StreamSelection;
}

/** Options every sampler factory accepts; each sampler reads the fields it documents. */
export interface SamplerOptions {
  /** SMOTE family k_neighbors (default 5); ADASYN n_neighbors (default 5). */
  readonly kNeighbors?: number;
  /** Borderline/SVM-SMOTE m_neighbors (default 10). */
  readonly mNeighbors?: number;
  /** Cleaning methods' n_neighbors (ENN/RENN/AllKNN/NearMiss 3, CNN/OSS 1). */
  readonly nNeighbors?: number;
  /** NearMiss-3 n_neighbors_ver3 (default 3). */
  readonly nNeighborsVer3?: number;
  /** Clamp k to the class size - 1 instead of failing. */
  readonly kAuto?: boolean;
  /** Borderline kind ('borderline-1' | 'borderline-2'); ENN kind_sel ('all' | 'mode'). */
  readonly variant?: string;
  /** NearMiss version 1, 2 or 3. */
  readonly version?: number;
  readonly maxIter?: number;
  readonly allowMinority?: boolean;
  readonly thresholdCleaning?: number;
  /** Random over-sampling smoothed bootstrap. */
  readonly shrinkage?: number | Readonly<Record<string, number>>;
  /** Random under-sampling with replacement. */
  readonly replacement?: boolean;
  /** Cluster centroids voting. */
  readonly voting?: 'auto' | 'soft' | 'hard';
  /** KMeans-SMOTE number of clusters; cluster-balance threshold. */
  readonly nClusters?: number;
  readonly clusterBalanceThreshold?: number;
  /** SVM-SMOTE out_step (default 0.5). */
  readonly outStep?: number;
  /** Combined methods: the SMOTE variant used first (default 'smote'). */
  readonly first?: string;
  /** Cleaning methods: class names to clean (instead of a count strategy). */
  readonly classes?: readonly string[];
}

/**
 * What a method needs, declared as data: the fit-resample template and the job runner read these
 * and never test a method's name.
 */
export interface SamplerNeeds {
  /** Opens a kNN backend (neighbourhoods, SMOTE family). */
  readonly knn: boolean;
  /** 'numeric': categorical features are refused (REBALANCE_CATEGORICAL_FEATURES); 'any': accepted. */
  readonly features: 'numeric' | 'any';
  /** Writes generated cells (synthetic rows or centroids): output columns follow synthetic-cell rules. */
  readonly syntheticCells: boolean;
}

export interface SamplerDefinition {
  readonly name: string;
  readonly kind: SamplingKind;
  readonly scope: SamplerScope;
  readonly needs: SamplerNeeds;
  /** One line for --help and `rebalance methods`. */
  readonly summary: string;
  /** The default strategy ('auto' for most). */
  readonly defaultStrategy?: SamplingStrategy;
  /**
   * Binds `options`: validates the ones the method reads (UsageError REBALANCE_BAD_OPTION naming
   * the option) before any data is read. Callers go through samplers/template.ts.
   */
  create(options: SamplerOptions): Sampler;
}

// ---------------------------------------------------------------- neighbours

/** n x k neighbours, row-major, each row sorted by (distance, index). Distances are Euclidean. */
export interface KnnResult {
  readonly k: number;
  readonly indices: Int32Array;
  readonly distances: Float32Array;
}

export interface NeighborIndex {
  readonly size: number;
  readonly dim: number;
  /** Neighbours among the indexed points of other points (row-major n x dim). */
  query(points: Float32Array, k: number): Promise<KnnResult>;
  /** Neighbours of each indexed point among the others, itself excluded by row id. */
  querySelf(k: number): Promise<KnnResult>;
  dispose(): void;
}

/**
 * Progress of one kNN search (query or querySelf): `done` of its `total` query rows answered.
 * Called from time to time while the search runs (at most every PROGRESS_INTERVAL_MS or so), and
 * once with done === total when it ends. For progress displays only: results never depend on it.
 */
export type KnnProgress = (done: number, total: number) => void;

export interface KnnBackend {
  readonly name: 'cpu' | 'webgpu' | 'naive' | 'auto';
  build(points: Float32Array, dim: number): Promise<NeighborIndex>;
  dispose(): Promise<void>;
}

// ---------------------------------------------------------------- models

export interface FitOptions {
  /** Class code treated as positive (the rare class). */
  readonly positive: number;
  readonly signal?: AbortSignal;
}

export interface Classifier {
  readonly name: string;
  fit(train: Dataset, rng: Rng, options: FitOptions): Promise<FittedClassifier>;
}

export interface FittedClassifier {
  readonly name: string;
  /** Score of the positive class for each row, in [0, 1] (higher = more likely positive). */
  predictProba(x: Dataset): Promise<Float32Array>;
  /** A JSON-safe description that `loadModel` turns back into an equal FittedClassifier. */
  toJSON(): unknown;
  dispose(): void;
}
