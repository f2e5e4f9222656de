/**
 * The 'webgpu' KnnBackend: exact kNN with the distance scan on a WebGPU device.
 *
 * The device keeps k + extra candidates per query (float32, kernels.ts); the CPU re-ranks them
 * in float64 and proves the true top k is among them (rerank.ts). Queries it cannot prove (ties
 * or near-ties at the k-th distance) get a second device pass that lists every row within the
 * float32 error bound of the k-th distance, re-ranked exactly; only when that list overflows
 * (mass duplicates) is the query scanned exactly on the CPU. So results are identical to the
 * float64 reference (naive.ts) and to the cpu backend: rows sorted by (distance, index), self
 * excluded by row id, distances Math.fround(sqrt(d)).
 */
import { availableParallelism } from 'node:os';
import type { KnnBackend, KnnProgress, KnnResult, NeighborIndex } from '../../types.js';
import { centeredFloat32Safe, checkK, sampleCenter } from '../checks.js';
import { throttled } from '../progress.js';
import { openWebgpuDevice, type AdapterSummary, type OpenOptions } from './device.js';
import { NO_INDEX } from './kernels.js';
import type { PlanOverrides } from './plan.js';
import { allocateResult, exactScanQuery, expansionSlack, rerankBatch, rerankList } from './rerank.js';
import { isShared, shareCopy, sharedRerankPool, type RerankPool, type SharedRerank } from './rerank-pool.js';
import { CandidateSearch, type DevicePoints, type SearchTiming } from './search.js';

/**
 * Options of the backend; from OpenOptions: `requireGpu` (refuse software adapters such as
 * llvmpipe: REBALANCE_NO_ADAPTER instead), `log` (one-line notices: adapter chosen, queries that
 * needed the exact CPU scan), `robustKernels`, `dawnToggles`.
 */
export interface WebgpuBackendOptions extends OpenOptions {
  /** Candidates kept beyond k (default 8; tests use 0 to exercise the near-tie passes). */
  readonly extraCandidates?: number;
  /** Rows the near-tie collect pass lists per query before giving up to an exact scan (default 256). */
  readonly collectCapacity?: number;
  /** Batch, tile and dispatch sizes (tests force many small ones). */
  readonly plan?: PlanOverrides;
  /**
   * Worker threads for the exact re-rank of large searches (default: available cores, at most
   * 8; 0 or 1: re-rank in the calling thread). Results do not depend on it.
   */
  readonly rerankThreads?: number;
  /** Fewest queries a search needs before its re-rank goes to the workers (default 16384; tests lower it). */
  readonly parallelRerankMin?: number;
  /** Told how many query rows of each search are answered (as each batch is re-ranked). */
  readonly onProgress?: KnnProgress;
  /** Least milliseconds between two progress reports (default PROGRESS_INTERVAL_MS; tests lower it). */
  readonly progressIntervalMs?: number;
  /** Stops a search between batches: it rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What the last search of an index did (for tests and logs). */
export interface SearchStats {
  readonly queries: number;
  readonly candidates: number;
  /** Queries whose top-k candidates could not be proven complete (ties or near-ties at the cut). */
  readonly unproven: number;
  /** Of those, queries settled by the collect pass (every row within the float32 error bound). */
  readonly collected: number;
  /** Queries scanned exactly on the CPU (collect list overflowed, or float32 could overflow). */
  readonly exactScans: number;
  readonly batches: number;
  /** Where the search's time went (see SearchPhases). */
  readonly phases: SearchPhases;
}

/**
 * Milliseconds of one search, measured on the host. `uploadMs`: laying out and copying the
 * queries (0 for a self-query); `compileMs`: awaiting the kernel's pipeline (0 when cached);
 * `waitMs`: awaiting candidates from the device (kernel time the host's work did not hide);
 * `rerankMs`: exact re-ranking of the candidates (overlaps the next batch's kernel);
 * `collectMs`: the near-tie collect pass (device and re-rank); `exactMs`: exact CPU scans;
 * `submitMs`: encoding and submitting the batches (on an OpenGL ES adapter such as llvmpipe
 * the kernels run inside the submit, so their time lands here rather than in `waitMs`);
 * `totalMs`: the whole query call.
 */
export interface SearchPhases {
  readonly uploadMs: number;
  readonly compileMs: number;
  readonly submitMs: number;
  readonly waitMs: number;
  readonly rerankMs: number;
  readonly collectMs: number;
  readonly exactMs: number;
  readonly totalMs: number;
}

/**
 * Milliseconds of an index build: `centerMs` averaging a sample of rows for the center,
 * `uploadMs` checking, centering, laying out and copying the rows (one pass).
 */
export interface BuildPhases {
  readonly centerMs: number;
  readonly uploadMs: number;
}

export interface WebgpuNeighborIndex extends NeighborIndex {
  readonly lastStats: SearchStats | null;
  readonly buildPhases: BuildPhases;
}

export interface WebgpuKnnBackend extends KnnBackend {
  readonly name: 'webgpu';
  readonly adapter: AdapterSummary;
  /** Device limits in use. */
  readonly limits: Readonly<Record<string, number>>;
  build(points: Float32Array, dim: number): Promise<WebgpuNeighborIndex>;
}

const DEFAULT_EXTRA = 8;
const DEFAULT_COLLECT = 256;
/** Unproven queries per collect pass. */
const COLLECT_CHUNK = 16384;
/** Queries below which a search re-ranks in the calling thread (worker messages cost more). */
export const PARALLEL_RERANK_MIN = 16384;

/** Re-rank worker threads when the caller does not say: the available cores, at most 8. */
export function defaultRerankThreads(): number {
  return Math.min(8, availableParallelism());
}
/**
 * Largest indexed points copied to shared memory for the parallel re-rank (points already in a
 * SharedArrayBuffer are shared as they are). Above it the re-rank stays in the calling thread
 * rather than holding a second copy of a big table.
 */
const SHARE_COPY_MAX_BYTES = 256 * 1024 * 1024;

/**
 * A getter of `a` over a SharedArrayBuffer (itself when it is one, else a copy made on the first
 * call and kept), or null when a copy would exceed SHARE_COPY_MAX_BYTES.
 */
function lazyShare(a: Float32Array): (() => Float32Array) | null {
  if (!isShared(a) && a.byteLength > SHARE_COPY_MAX_BYTES) return null;
  let copy: Float32Array | null = null;
  return () => (copy ??= shareCopy(a));
}

/**
 * Opens a WebGPU device (Vulkan first, then OpenGL ES compatibility) and returns the backend.
 * Throws BackendUnavailableError REBALANCE_NO_ADAPTER, saying what to install, when there is no
 * adapter; device faults during a search throw REBALANCE_WEBGPU_FAILED.
 */
export async function createWebgpuBackend(options: WebgpuBackendOptions = {}): Promise<WebgpuKnnBackend> {
  const extra = options.extraCandidates ?? DEFAULT_EXTRA;
  if (!Number.isInteger(extra) || extra < 0) throw new RangeError(`extraCandidates must be a non-negative integer, got ${extra}`);
  const capacity = options.collectCapacity ?? DEFAULT_COLLECT;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`collectCapacity must be a positive integer, got ${capacity}`);
  const threads = options.rerankThreads ?? defaultRerankThreads();
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`rerankThreads must be a non-negative integer, got ${threads}`);
  const parallelMin = options.parallelRerankMin ?? PARALLEL_RERANK_MIN;
  const gpu = await openWebgpuDevice(options);
  const search = new CandidateSearch(gpu, options.plan);
  // The process's re-rank workers, started by the first index or search big enough to use them
  // (an index that large will be searched with as many queries when self-queried).
  const rerankPool = (): RerankPool | null => (threads > 1 ? sharedRerankPool(threads) : null);
  const log = options.log;
  const live = new Set<DevicePoints>();

  async function searchInto(
    points: Float32Array,
    dim: number,
    refs: DevicePoints,
    queries: Float32Array,
    devQueries: DevicePoints,
    k: number,
    self: boolean,
    safe: boolean,
    started: number,
    uploadMs: number,
    sharedPoints: (() => Float32Array) | null,
  ): Promise<{ result: KnnResult; stats: SearchStats }> {
    const n = refs.rows;
    const m = queries.length / dim;
    // Parallel re-rank: every array the workers touch over SharedArrayBuffers. The copies of the
    // points and queries (at most SHARE_COPY_MAX_BYTES each) are made when the first batch comes
    // back, while the device computes the next one, not before the first batch is submitted.
    const pool = m >= parallelMin && k > 0 && safe ? rerankPool() : null;
    const sharedQueries = self ? sharedPoints : lazyShare(queries);
    const parts = pool && sharedPoints && sharedQueries && {
      pool,
      points: sharedPoints,
      queries: sharedQueries,
      slack: expansionSlack(dim, devQueries.norms, refs.maxNorm, new Float64Array(new SharedArrayBuffer(m * 8))),
      out: { k, indices: new Int32Array(new SharedArrayBuffer(m * k * 4)), distances: new Float32Array(new SharedArrayBuffer(m * k * 4)) },
    };
    let shared: SharedRerank | null = null;
    const slack = parts ? parts.slack : expansionSlack(dim, devQueries.norms, refs.maxNorm);
    const result: KnnResult = parts ? { k, indices: parts.out.indices, distances: parts.out.distances } : allocateResult(m, k);
    const available = self ? n - 1 : n;
    const kc = Math.min(k + extra, available);
    let unproven = 0;
    let collected = 0;
    let exactScans = 0;
    let batches = 0;
    const scratch = new Float64Array(k);
    const timing: SearchTiming = { compileMs: 0, submitMs: 0, waitMs: 0, consumeMs: 0 };
    let exactMs = 0;
    let exactInBatches = 0;
    let collectMs = 0;
    const report = options.onProgress;
    const tick = report && throttled((done) => report(done, m), options.progressIntervalMs);
    let answered = 0;
    const exactScan = (row: number): void => {
      const t = performance.now();
      exactScans++;
      exactScanQuery(points, dim, queries, row, self ? row : -1, result, row, scratch);
      exactMs += performance.now() - t;
    };
    if (k > 0 && m > 0 && !safe) {
      for (let q = 0; q < m; q++) {
        exactScan(q);
        tick?.(q + 1);
      }
    } else if (k > 0 && m > 0) {
      const rows: number[] = [];
      const bounds: number[] = [];
      await search.run(
        refs,
        devQueries,
        kc,
        self,
        (batch) => {
          options.signal?.throwIfAborted();
          batches++;
          const onUnproven = (row: number, bound: number): void => {
            if (bound === Infinity) {
              exactScan(row);
            } else {
              rows.push(row);
              bounds.push(bound);
            }
          };
          if (parts) {
            shared ??= { points: parts.points(), queries: parts.queries(), dim, slack: parts.slack, out: parts.out };
            const copy = { ...batch, dist: shareCopy(batch.dist), idx: shareCopy(batch.idx) };
            return parts.pool.rerank(shared, copy, onUnproven).then((u) => {
              unproven += u;
              tick?.((answered += batch.count));
            });
          }
          unproven += rerankBatch(points, dim, queries, batch, result, onUnproven, slack);
          tick?.((answered += batch.count));
        },
        timing,
      );
      exactInBatches = exactMs;
      const collectStart = performance.now();
      // Second pass for near-ties: every row within the float32 error bound of the k-th, in
      // chunks so the lists stay small (capacity x COLLECT_CHUNK indices at a time).
      const cd = new Float64Array(k);
      const ci = new Int32Array(k);
      for (let c0 = 0; c0 < rows.length; c0 += COLLECT_CHUNK) {
        options.signal?.throwIfAborted();
        const part = rows.slice(c0, c0 + COLLECT_CHUNK);
        const gathered = new Float32Array(part.length * dim);
        part.forEach((r, i) => gathered.set(queries.subarray(r * dim, r * dim + dim), i * dim));
        const selfIds = Uint32Array.from(part, (r) => (self ? r : NO_INDEX));
        const partBounds = Float32Array.from(bounds.slice(c0, c0 + COLLECT_CHUNK));
        const { counts, lists } = await search.collect(refs, gathered, partBounds, selfIds, capacity);
        part.forEach((row, i) => {
          const list = lists.subarray(i * capacity, i * capacity + Math.min(counts[i], capacity));
          if (counts[i] <= capacity && rerankList(points, dim, queries, row, self ? row : -1, list, result, cd, ci)) {
            collected++;
          } else {
            exactScan(row);
          }
        });
      }
      if (rows.length > 0) collectMs = performance.now() - collectStart - (exactMs - exactInBatches);
    }
    report?.(m, m);
    if (exactScans > 0) log?.(`webgpu: ${exactScans} of ${m} queries had too many ties at the k-th distance and were scanned exactly on the CPU`);
    const phases: SearchPhases = {
      uploadMs,
      compileMs: timing.compileMs,
      submitMs: timing.submitMs,
      waitMs: timing.waitMs,
      rerankMs: Math.max(0, timing.consumeMs - exactInBatches),
      collectMs,
      exactMs,
      totalMs: performance.now() - started,
    };
    return { result, stats: { queries: m, candidates: kc, unproven, collected, exactScans, batches, phases } };
  }

  return {
    name: 'webgpu',
    adapter: gpu.adapter,
    limits: gpu.limits,
    async build(points: Float32Array, dim: number): Promise<WebgpuNeighborIndex> {
      if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
      if (points.length % dim !== 0) throw new RangeError(`points length ${points.length} is not a multiple of dim ${dim}`);
      const t0 = performance.now();
      const center = sampleCenter(points, dim);
      const t1 = performance.now();
      if (points.length / dim >= parallelMin) rerankPool();
      const refs = await search.upload(points, dim, center);
      const buildPhases: BuildPhases = { centerMs: t1 - t0, uploadMs: performance.now() - t1 };
      live.add(refs);
      let disposed = false;
      // The points as the re-rank workers see them: shared as they are, or one lazy copy.
      let sharedPoints = lazyShare(points);
      const index: WebgpuNeighborIndex & { lastStats: SearchStats | null } = {
        size: refs.rows,
        dim,
        lastStats: null,
        buildPhases,
        async query(q: Float32Array, k: number): Promise<KnnResult> {
          if (disposed) throw new RangeError('query on a disposed webgpu index');
          if (q.length % dim !== 0) throw new RangeError(`query length ${q.length} is not a multiple of dim ${dim}`);
          checkK(k, refs.rows, false);
          const started = performance.now();
          const devQ = await search.upload(q, dim, refs.center, 'query');
          const safe = centeredFloat32Safe(Math.max(refs.maxNorm, devQ.maxNorm));
          try {
            const { result, stats } = await searchInto(points, dim, refs, q, devQ, k, false, safe, started, performance.now() - started, sharedPoints);
            index.lastStats = stats;
            return result;
          } finally {
            CandidateSearch.release(devQ);
          }
        },
        async querySelf(k: number): Promise<KnnResult> {
          if (disposed) throw new RangeError('querySelf on a disposed webgpu index');
          checkK(k, Math.max(0, refs.rows - 1), true);
          const { result, stats } = await searchInto(points, dim, refs, points, refs, k, true, centeredFloat32Safe(refs.maxNorm), performance.now(), 0, sharedPoints);
          index.lastStats = stats;
          return result;
        },
        dispose(): void {
          if (disposed) return;
          disposed = true;
          sharedPoints = null;
          live.delete(refs);
          CandidateSearch.release(refs);
        },
      };
      return index;
    },
    async dispose(): Promise<void> {
      for (const r of live) CandidateSearch.release(r);
      live.clear();
      gpu.device.destroy();
    },
  };
}
