/**
 * The `cpu` kNN backend: exact neighbours from WebAssembly SIMD kernels (assembly/) run across
 * worker_threads on one shared memory.
 *
 * Contract (shared with every backend, so results are byte-identical across backends, algorithms
 * and thread counts): for each query the k indexed rows with the smallest (d, index), where d is
 * the float64 sum in feature order of squared float64 differences of the Float32 coordinates
 * (exactly src/neighbors/naive.ts); querySelf excludes each row by row id (a duplicate at another
 * index is a neighbour at distance 0); distances are Math.fround(Math.sqrt(d)).
 *
 * Algorithms: 'brute' (a float32 SIMD pass that provably keeps every true neighbour, then an exact
 * float64 re-rank; see assembly/knn.ts) and 'kd-tree' (exact float64 search, for low dimension).
 * 'auto' picks from the data shape (chooseAlgorithm).
 */
import { availableParallelism } from 'node:os';
import { DataError } from '../core/errors.js';
import type { KnnBackend, KnnProgress, KnnResult, NeighborIndex } from '../types.js';
import { WorkerPool } from './cpu-pool.js';
import { instantiateKernels, loadKnnWasm, wasmApi, type KnnKernels, type KnnWasm, type WasmMemory } from './cpu-wasm.js';
import { checkK, float32Safe, maxAbsFinite, scanIndexed } from './checks.js';
import { PROGRESS_INTERVAL_MS, throttled } from './progress.js';
import { buildKdTree } from './kdtree.js';

export type CpuAlgorithm = 'auto' | 'brute' | 'kd-tree';

export interface CpuBackendOptions {
  /** Worker threads (default os.availableParallelism()); 1 runs in-process. */
  readonly threads?: number;
  /** Search algorithm (default 'auto': see chooseAlgorithm). */
  readonly algorithm?: CpuAlgorithm;
  /**
   * Work (indexed rows x query rows x dim) below which a call runs in-process even when threads > 1,
   * because starting workers would cost more (default 2^22). 0 always uses the workers.
   */
  readonly parallelThreshold?: number;
  /**
   * Brute-force self-queries compute each pair once (default true) when the per-thread candidate
   * state (about n x (2k + 33) x 12 bytes) fits 768 MiB; false always uses the one-sided kernel.
   */
  readonly symmetric?: boolean;
  /** Told how many query rows of each search are answered (see KnnProgress). */
  readonly onProgress?: KnnProgress;
  /** Least milliseconds between two progress reports (default PROGRESS_INTERVAL_MS; tests lower it). */
  readonly progressIntervalMs?: number;
  /**
   * Stops a search early, which then rejects with the signal's reason: workers take no new range
   * once it fires; a search in the calling thread stops at its next pause (every YIELD_MS).
   */
  readonly signal?: AbortSignal;
}

/** Highest dimension for which 'auto' uses the kd-tree (measured: on 50k rows of 8+ informative features brute force wins). */
export const KD_TREE_MAX_DIM = 6;
/** Fewest indexed rows for which 'auto' uses the kd-tree. */
export const KD_TREE_MIN_ROWS = 256;

/** The algorithm 'auto' uses for n indexed rows of dimension dim. */
export function chooseAlgorithm(n: number, dim: number): 'brute' | 'kd-tree' {
  return dim <= KD_TREE_MAX_DIM && n >= KD_TREE_MIN_ROWS ? 'kd-tree' : 'brute';
}

const PAGE = 65536;
/** Byte offset where regions start (the module has no data segments; keep page 0 free anyway). */
const BASE = PAGE;
/** Per-call budget for copied queries and outputs before query() splits the queries into batches. */
const BATCH_BYTES = 64 * 1024 * 1024;

/** Longest a search in the calling thread runs before it lets the event loop turn. */
const YIELD_MS = 100;

/** Largest memory for the symmetric self-query's per-worker candidate states. */
const SYM_STATE_BUDGET = 768 * 1024 * 1024;

const align16 = (x: number): number => (x + 15) & ~15;
/** Bytes of the guard word region that ends each worker's scratch. */
const GUARD = 16;
const GUARD_WORD = 0x5ca1ab1e;
/** Per-worker stride for a kernel needing `bytes` of scratch: aligned, plus the guard. */
const guarded = (bytes: number): number => align16(bytes) + GUARD;

let nextMemId = 1;

/**
 * Error-bound constants of the brute float32 pass for a dimension (see assembly/knn.ts): the
 * estimate of d - |q'|^2 is within g (|q'| + |r'|)^2 + slack.
 */
function bruteBound(dim: number): { g: number; slack: number } {
  return { g: 2 * (dim + 8) * 2 ** -24, slack: (dim + 8) * 2 ** -140 };
}

class CpuIndex implements NeighborIndex {
  readonly size: number;
  private memory: WasmMemory | null;
  /** Workers' instance key; renewed when the memory grows (see grow). */
  private memId = nextMemId++;
  /** The pool that has run tasks on this index's memory (so it holds instances to drop). */
  private poolUsed: WorkerPool | null = null;
  private kernels: KnnKernels | null = null;
  private readonly pts: number;
  private readonly blocks: number;
  private readonly centre: number;
  private readonly kd: { kpts: number; perm: number; nodes: number; bounds: number } | null;
  private readonly end: number;
  private readonly maxAbs: number;

  constructor(
    private readonly wasm: KnnWasm,
    private readonly getPool: () => WorkerPool | null,
    private readonly threads: number,
    private readonly parallelThreshold: number,
    private readonly symmetricSelf: boolean,
    private readonly onProgress: KnnProgress | undefined,
    private readonly progressIntervalMs: number,
    private readonly signal: AbortSignal | undefined,
    points: Float32Array,
    readonly dim: number,
    readonly algorithm: 'brute' | 'kd-tree',
  ) {
    const n = points.length / dim;
    this.size = n;
    const scanned = scanIndexed(points, dim);
    this.maxAbs = scanned.maxAbs;
    const rowBytes = dim * 4;
    let at = BASE;
    this.pts = at;
    at = align16(at + n * rowBytes);
    let blocks = 0;
    let centre = 0;
    let kdTree: ReturnType<typeof buildKdTree> | null = null;
    let kd: CpuIndex['kd'] = null;
    if (algorithm === 'brute') {
      centre = at;
      at = align16(at + dim * 4);
      blocks = at;
      at = align16(at + Math.ceil(n / 8) * (dim + 2) * 32);
    } else {
      kdTree = buildKdTree(points, dim);
      kd = { kpts: at, perm: 0, nodes: 0, bounds: 0 };
      at = align16(at + n * rowBytes);
      kd.perm = at;
      at = align16(at + n * 4);
      kd.nodes = at;
      at = align16(at + kdTree.nodes.length * 4);
      kd.bounds = at;
      at = align16(at + kdTree.bounds.length * 4);
    }
    this.blocks = blocks;
    this.centre = centre;
    this.kd = kd;
    this.end = at;
    this.memory = new wasmApi.Memory({
      initial: Math.max(1, Math.ceil(at / PAGE)),
      maximum: wasm.maxPages,
      shared: true,
    });
    this.grow(at);
    const buf = this.memory.buffer;
    new Float32Array(buf, this.pts, n * dim).set(points);
    if (algorithm === 'brute') {
      // Centre c = the float32-rounded mean. Block b: lane l = row 8b+l; (dim + 2) x 8 floats:
      // r' = fround(r - c) per feature, then fround(|r'|^2), then |r'| rounded up; padded lanes
      // hold 0, +Infinity, 0 so their estimate is +Infinity (and the kernel skips rows >= n).
      const c = new Float32Array(buf, centre, dim);
      c.set(scanned.mean);
      const stride = (dim + 2) * 8;
      const nb = Math.ceil(n / 8);
      const t = new Float32Array(buf, blocks, nb * stride);
      for (let l = n; l < nb * 8; l++) t[(l >> 3) * stride + dim * 8 + (l & 7)] = Infinity;
      for (let i = 0; i < n; i++) {
        const o = (i >> 3) * stride + (i & 7);
        let norm = 0;
        for (let j = 0; j < dim; j++) {
          const v = Math.fround(points[i * dim + j] - c[j]);
          t[o + j * 8] = v;
          norm += v * v;
        }
        t[o + dim * 8] = norm;
        t[o + dim * 8 + 8] = Math.sqrt(norm) * (1 + 2 ** -20);
      }
    } else if (kdTree && kd) {
      new Float32Array(buf, kd.kpts, n * dim).set(kdTree.points);
      new Int32Array(buf, kd.perm, n).set(kdTree.perm);
      new Int32Array(buf, kd.nodes, kdTree.nodes.length).set(kdTree.nodes);
      new Float32Array(buf, kd.bounds, kdTree.bounds.length).set(kdTree.bounds);
    }
  }

  /** Calls on one index run one at a time: they share its memory regions. */
  private lock: Promise<unknown> = Promise.resolve();

  private serial<T>(job: () => Promise<T>): Promise<T> {
    const next = this.lock.then(job, job);
    this.lock = next.catch(() => undefined);
    return next;
  }

  query(points: Float32Array, k: number): Promise<KnnResult> {
    return this.serial(() => this.queryNow(points, k));
  }

  querySelf(k: number): Promise<KnnResult> {
    return this.serial(() => this.querySelfNow(k));
  }

  private async queryNow(points: Float32Array, k: number): Promise<KnnResult> {
    const mem = this.live();
    if (points.length % this.dim !== 0) {
      throw new RangeError(`query points: expected a multiple of dim=${this.dim} values, got ${points.length}`);
    }
    const m = points.length / this.dim;
    checkK(k, this.size, false);
    const indices = new Int32Array(m * k);
    const distances = new Float32Array(m * k);
    if (m === 0 || k === 0) return { k, indices, distances };
    const qMax = maxAbsFinite(points, 'query');
    const rowBytes = this.dim * 4;
    const batch = Math.max(8, Math.floor(BATCH_BYTES / (rowBytes + k * 8)));
    for (let s = 0; s < m; s += batch) {
      this.signal?.throwIfAborted();
      const mb = Math.min(batch, m - s);
      const qs = this.end;
      const out = align16(qs + mb * rowBytes);
      this.grow(out);
      new Float32Array(mem.buffer, qs, mb * this.dim).set(points.subarray(s * this.dim, (s + mb) * this.dim));
      const r = await this.run(qs, mb, false, k, Math.max(qMax, this.maxAbs), out, this.progress(s, m));
      indices.set(r.indices, s * k);
      distances.set(r.distances, s * k);
    }
    this.onProgress?.(m, m);
    return { k, indices, distances };
  }

  private async querySelfNow(k: number): Promise<KnnResult> {
    this.live();
    checkK(k, Math.max(0, this.size - 1), true);
    const n = this.size;
    if (n === 0 || k === 0) return { k, indices: new Int32Array(n * k), distances: new Float32Array(n * k) };
    const result = await this.run(this.pts, n, true, k, this.maxAbs, this.end, this.progress(0, n));
    this.onProgress?.(n, n);
    return result;
  }

  /**
   * The progress callback for a kernel call answering query rows [base, base + rows of the call)
   * of a search of `total` rows, or undefined when nobody listens.
   */
  private progress(base: number, total: number): ((rowsDone: number) => void) | undefined {
    const report = this.onProgress;
    return report && ((rowsDone) => report(Math.min(total, base + rowsDone), total));
  }

  dispose(): void {
    if (!this.memory) return;
    this.poolUsed?.forget(this.memId);
    this.memory = null;
    this.kernels = null;
  }

  private live(): WasmMemory {
    if (!this.memory) throw new Error('this neighbour index was disposed');
    return this.memory;
  }

  /** Grows the memory to at least `bytes`. */
  private grow(bytes: number): void {
    const mem = this.live();
    const have = mem.buffer.byteLength;
    if (bytes <= have) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > this.wasm.maxPages) {
      throw new DataError(
        'REBALANCE_KNN_TOO_LARGE',
        `expected the kNN working set to fit in ${this.wasm.maxPages / 16384} GiB, found ${Math.ceil(bytes / 2 ** 20)} MiB needed; reduce rows or features`,
      );
    }
    mem.grow(pages);
    // An instance in another thread may miss growth done here (V8 refreshes its bounds lazily),
    // so workers get a fresh instance, built on the grown memory, under a new key.
    this.poolUsed?.forget(this.memId);
    this.memId = nextMemId++;
  }

  /** Runs the chosen kernel for queries at byte offset qs (m rows); outputs start at `out`. */
  private async run(
    qs: number, m: number, self: boolean, k: number, maxAbs: number, out: number, progress?: (rowsDone: number) => void,
  ): Promise<KnnResult> {
    const mem = this.live();
    const n = this.size;
    const dim = this.dim;
    const main = (this.kernels ??= instantiateKernels(this.wasm, mem));
    const outIdx = out;
    const outDist = align16(outIdx + m * k * 4);
    const counters = align16(outDist + m * k * 4);
    const scratchBase = counters + 16;
    const selfMode = self ? 1 : 0;
    const pool = this.threads > 1 && n * m * dim >= this.parallelThreshold ? this.getPool() : null;
    const workers = pool ? pool.size : 1;

    if (this.kd) {
      const kd = this.kd;
      const args = [kd.kpts, kd.perm, kd.nodes, kd.bounds, n, dim, qs, 0, 0, selfMode, k, 0, outIdx, outDist];
      await this.exec(pool, 'kdRange', args, 7, 11, scratchBase, guarded(main.kdScratchBytes(k)), counters, m, 8, progress);
    } else if (float32Safe(maxAbs, dim)) {
      const cap = 2 * k + 32;
      const { g, slack } = bruteBound(dim);
      // Sized in float64 first: the kernel's int32 size would wrap for huge n.
      const symmetric = self && this.symmetricSelf && workers * (n * (cap + 1) * 12 + 65536) <= SYM_STATE_BUDGET;
      const stateBytes = symmetric ? guarded(main.symStateBytes(n, cap, dim)) : 0;
      if (symmetric) {
        await this.symmetric(pool, workers, k, cap, g, slack, stateBytes, scratchBase, counters, outIdx, outDist, progress);
      } else {
        const args = [this.pts, this.blocks, this.centre, n, dim, qs, 0, 0, selfMode, k, cap, g, slack, 0, outIdx, outDist];
        await this.exec(pool, 'bruteRange', args, 6, 13, scratchBase, guarded(main.bruteScratchBytes(dim, cap)), counters, m, 8, progress);
      }
    } else {
      const args = [this.pts, n, dim, qs, 0, 0, selfMode, k, 0, outIdx, outDist];
      await this.exec(pool, 'exactRange', args, 4, 8, scratchBase, guarded(k * 12 + 64), counters, m, 8, progress);
    }
    const after = mem.buffer;
    return {
      k,
      indices: new Int32Array(after, outIdx, m * k).slice(),
      distances: new Float32Array(after, outDist, m * k).slice(),
    };
  }

  /**
   * Self-query by the symmetric kernels: each worker fills its own per-row candidate state from
   * a share of the query tiles (every pair computed once), then every row merges the states and
   * is re-ranked exactly. Progress follows the first step, nearly all of the time: tile t pairs
   * its rows with the rows after them only, so the first T of N tiles hold 1 - (1 - T/N)^2 of the
   * work, reported as that share of the n rows.
   */
  private async symmetric(
    pool: WorkerPool | null, workers: number, k: number, cap: number, g: number, slack: number,
    stateBytes: number, states: number, counters: number, outIdx: number, outDist: number,
    progress?: (rowsDone: number) => void,
  ): Promise<void> {
    const n = this.size;
    const dim = this.dim;
    const main = this.kernels!;
    const finishBase = states + workers * stateBytes;
    const finishStride = guarded(main.symFinishScratchBytes(workers, cap, k));
    this.grow(finishBase + workers * finishStride);
    const buf = this.live().buffer;
    const nPad = Math.ceil(n / 8) * 8;
    for (let w = 0; w < workers; w++) {
      const at = states + w * stateBytes + n * cap * 12; // counts, thresholds, overflow flags
      new Int32Array(buf, at, nPad).fill(0);
      const thr = new Float32Array(buf, at + nPad * 4, nPad);
      thr.fill(Infinity, 0, n);
      thr.fill(-Infinity, n);
      new Int32Array(buf, at + nPad * 8, nPad).fill(0);
    }
    const tiles = Math.ceil(n / 4);
    await this.exec(
      pool, 'symRange', [this.blocks, this.centre, n, dim, this.pts, 0, 0, k, cap, g, slack, 0],
      5, 11, states, stateBytes, counters, tiles, 4, progress && ((t) => progress(Math.floor(n * (1 - (1 - t / tiles) ** 2)))),
    );
    await this.exec(
      pool, 'symFinish', [this.pts, n, dim, 0, 0, k, cap, states, stateBytes, workers, 0, outIdx, outDist],
      3, 10, finishBase, finishStride, counters + 4, n, 64,
    );
  }

  /**
   * Calls kernel `fn` over [0, total) in ranges (args[qbPos], args[qbPos + 1]) with
   * args[scratchPos] = scratchBase + worker * stride (stride from `guarded`): on the pool, or
   * in-process. `progress` hears, every progressIntervalMs or so, how much of [0, total) is
   * done (on the pool: the ranges claimed so far, less one chunk per worker still running).
   */
  private async exec(
    pool: WorkerPool | null, fn: keyof KnnKernels, args: number[], qbPos: number, scratchPos: number,
    scratchBase: number, stride: number, counter: number, total: number, unit: number,
    progress?: (done: number) => void,
  ): Promise<void> {
    const mem = this.live();
    const workers = pool ? pool.size : 1;
    this.grow(scratchBase + workers * stride);
    new Int32Array(mem.buffer, counter, 1)[0] = 0;
    // A guard word ends each worker's region: a kernel writing past its scratch would corrupt a
    // neighbour's silently (a race), so check instead.
    const guards = (): Int32Array => new Int32Array(this.live().buffer);
    for (let w = 0; w < workers; w++) guards()[(scratchBase + (w + 1) * stride - GUARD) >> 2] = GUARD_WORD;
    if (pool) {
      this.poolUsed = pool;
      const chunk = Math.min(8 * unit, Math.max(unit, Math.ceil(total / (workers * 16 * unit)) * unit));
      // The workers claim ranges by adding to the counter: reading it is all progress costs, and
      // setting it to `total` (on abort) makes them stop after the range each one is on.
      const workCounter = (): Int32Array => new Int32Array(this.live().buffer, counter, 1);
      const timer = progress && setInterval(() => {
        progress(Math.max(0, Math.min(total, Atomics.load(workCounter(), 0) - workers * chunk)));
      }, this.progressIntervalMs);
      timer?.unref();
      const stop = (): void => void Atomics.store(workCounter(), 0, total);
      this.signal?.addEventListener('abort', stop, { once: true });
      try {
        this.signal?.throwIfAborted();
        await pool.run({
          module: this.wasm.module, memory: mem, memId: this.memId, fn, args, qbPos, qePos: qbPos + 1,
          scratchPos, scratchBase, scratchStride: stride, counterPtr: counter, total, chunk,
        });
      } finally {
        clearInterval(timer);
        this.signal?.removeEventListener('abort', stop);
      }
      this.signal?.throwIfAborted();
    } else {
      // Many short calls rather than one long one: V8 runs a wasm function's first calls on its
      // baseline compiler and switches to optimized code only between calls. Every YIELD_MS the
      // loop lets the event loop run, so a signal handler (Ctrl-C) is heard and a progress line
      // is drawn during a long search in the calling thread (--threads 1, a one-core machine).
      const kernel = this.kernels![fn] as (...a: number[]) => void;
      args[scratchPos] = scratchBase;
      const step = 4 * unit;
      const tick = progress && throttled(progress, this.progressIntervalMs);
      let yielded = performance.now();
      for (let s = 0; s < total; s += step) {
        args[qbPos] = s;
        args[qbPos + 1] = Math.min(total, s + step);
        kernel(...args);
        tick?.(args[qbPos + 1]);
        if (performance.now() - yielded >= YIELD_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          this.signal?.throwIfAborted();
          yielded = performance.now();
        }
      }
    }
    for (let w = 0; w < workers; w++) {
      if (guards()[(scratchBase + (w + 1) * stride - GUARD) >> 2] !== GUARD_WORD) {
        throw new Error(`internal error: kNN kernel ${fn} overran its scratch memory; please report`);
      }
    }
  }
}

/**
 * Creates the `cpu` backend. Worker threads start on the first call that needs them and stop at
 * `dispose()` (they never keep the process alive while idle).
 */
export function createCpuBackend(options: CpuBackendOptions = {}): KnnBackend {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const algorithm = options.algorithm ?? 'auto';
  if (algorithm !== 'auto' && algorithm !== 'brute' && algorithm !== 'kd-tree') {
    throw new RangeError(`algorithm must be 'auto', 'brute' or 'kd-tree', got '${String(algorithm)}'`);
  }
  const parallelThreshold = options.parallelThreshold ?? 2 ** 22;
  const progressIntervalMs = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  let pool: WorkerPool | null = null;
  let disposed = false;
  const getPool = (): WorkerPool | null => {
    if (disposed) throw new Error('the cpu kNN backend was disposed');
    if (threads <= 1) return null;
    pool ??= new WorkerPool(threads);
    return pool;
  };
  return {
    name: 'cpu',
    async build(points: Float32Array, dim: number): Promise<NeighborIndex> {
      if (disposed) throw new Error('the cpu kNN backend was disposed');
      if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
      if (points.length % dim !== 0) {
        throw new RangeError(`points: expected a multiple of dim=${dim} values, got ${points.length}`);
      }
      const wasm = await loadKnnWasm();
      const n = points.length / dim;
      const algo = algorithm === 'auto' ? chooseAlgorithm(n, dim) : algorithm;
      return new CpuIndex(wasm, getPool, threads, parallelThreshold, options.symmetric ?? true, options.onProgress, progressIntervalMs, options.signal, points, dim, algo);
    },
    async dispose(): Promise<void> {
      disposed = true;
      const p = pool;
      pool = null;
      await p?.dispose();
    },
  };
}
