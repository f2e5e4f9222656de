/**
 * The exact re-rank of a candidate batch spread over worker threads. Each worker builds the same
 * re-rank functions from rerankKit's source and re-ranks a contiguous range of the batch's
 * queries straight into the shared result arrays; the queries it could not prove come back as
 * (row, bound) lists and are handed on in ascending row order, as the in-thread re-rank does, so
 * results and statistics do not depend on the thread count. Everything the workers read or write
 * lives in SharedArrayBuffers (see SharedRerank).
 */
import { HostPool, hostWorkerSource, type HostHandle } from '../../core/worker-host.js';
import { rerankKit, type CandidateBatch, type RerankKit, type RerankTarget, type UnprovenHandler } from './rerank.js';

/** The arrays of one search the workers share (every typed array over a SharedArrayBuffer). */
export interface SharedRerank {
  readonly points: Float32Array;
  readonly queries: Float32Array;
  readonly dim: number;
  readonly slack: Float64Array;
  readonly out: RerankTarget;
}

/** Fewest queries worth a worker call (below it the messages cost more than the work). */
const MIN_PART = 2048;

/**
 * The worker's host: re-ranks one range into the shared output, returns the unproven rows.
 * Runs from source text (makeRerankHost.toString()), so it uses nothing from this module's scope.
 */
function makeRerankHost(kit: RerankKit): HostHandle {
  // Run the re-rank on made-up data (shared arrays, as real batches are) so the engine has
  // optimized it before the first real batch arrives.
  const n = 256;
  const dim = 30;
  const kc = 14;
  const m = 16384;
  const shared = <T>(Ctor: new (b: SharedArrayBuffer) => T, length: number, bytes: number): T => new Ctor(new SharedArrayBuffer(length * bytes));
  const pts = shared(Float32Array, n * dim, 4);
  for (let i = 0; i < pts.length; i++) pts[i] = ((i * 2654435761) >>> 0) / 4294967296;
  const qs = shared(Float32Array, m * dim, 4);
  for (let i = 0; i < qs.length; i++) qs[i] = pts[i % pts.length];
  const dist = shared(Float32Array, m * kc, 4);
  const idx = shared(Uint32Array, m * kc, 4);
  for (let q = 0; q < m; q++) {
    for (let t = 0; t < kc; t++) {
      idx[q * kc + t] = (q + 7 * t + 1) % n;
      dist[q * kc + t] = 100 * t;
    }
  }
  const out = { k: 6, indices: shared(Int32Array, m * 6, 4), distances: shared(Float32Array, m * 6, 4) };
  const slack = shared(Float64Array, m, 8);
  // Many calls rather than one long one: the engine optimizes a function that is called often,
  // not only the loop it is in.
  for (let q0 = 0; q0 < m; q0 += 512) {
    const b = { kc, count: 512, dist: dist.subarray(q0 * kc, (q0 + 512) * kc), idx: idx.subarray(q0 * kc, (q0 + 512) * kc), firstRow: q0, self: false };
    kit.rerankBatch(pts, dim, qs, b, out, () => undefined, slack);
  }
  return (msg) => {
    const s = msg.shared as SharedRerank;
    const b = msg.batch as CandidateBatch;
    const rows: number[] = [];
    const bounds: number[] = [];
    kit.rerankBatch(s.points, s.dim, s.queries, b, s.out, (row, bound) => {
      rows.push(row);
      bounds.push(bound);
    }, s.slack);
    return { rows: Int32Array.from(rows), bounds: Float64Array.from(bounds) };
  };
}

const SOURCE = hostWorkerSource(`(${makeRerankHost.toString()})((${rerankKit.toString()})())`);

/** Whether a typed array can be handed to the workers without a copy. */
export function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** A copy of `a` over a SharedArrayBuffer (or `a` itself when it already is). */
export function shareCopy<T extends Float32Array | Float64Array | Int32Array | Uint32Array>(a: T): T {
  if (isShared(a)) return a;
  const Ctor = a.constructor as new (b: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

/** The process's re-rank pools, one per thread count (see sharedRerankPool). */
const pools = new Map<number, RerankPool>();

/**
 * The process-wide pool of `threads` re-rank workers, started (and warmed) on first request and
 * shared by every backend: workers are unref'd while idle, so the pool never keeps the process
 * alive and needs no disposal, and many backends never multiply the threads.
 */
export function sharedRerankPool(threads: number): RerankPool {
  let p = pools.get(threads);
  if (!p || p.disposed) {
    p = new RerankPool(threads);
    pools.set(threads, p);
  }
  return p;
}

export class RerankPool {
  private readonly pool: HostPool;

  constructor(readonly threads: number) {
    this.pool = new HostPool(threads, SOURCE, 'kNN re-rank');
    this.pool.warm();
  }

  /** Set by dispose (a shared pool is then replaced on the next request). */
  disposed = false;

  /**
   * Re-ranks `batch` (its dist and idx over SharedArrayBuffers) into `shared.out`, then calls
   * `unproven` for each query that was not proven, in ascending row order. Returns their count.
   */
  async rerank(shared: SharedRerank, batch: CandidateBatch, unproven: UnprovenHandler): Promise<number> {
    const { kc, count } = batch;
    const parts = Math.max(1, Math.min(this.threads, Math.ceil(count / MIN_PART)));
    const replies = await Promise.all(
      Array.from({ length: parts }, async (_, p) => {
        const a = Math.floor((count * p) / parts);
        const b = Math.floor((count * (p + 1)) / parts);
        const part: CandidateBatch = {
          kc,
          count: b - a,
          dist: batch.dist.subarray(a * kc, b * kc),
          idx: batch.idx.subarray(a * kc, b * kc),
          firstRow: batch.firstRow + a,
          self: batch.self,
        };
        const w = await this.pool.acquire();
        try {
          return await w.call({ shared, batch: part });
        } finally {
          this.pool.release(w);
        }
      }),
    );
    let n = 0;
    for (const r of replies) {
      const rows = r.rows as Int32Array;
      const bounds = r.bounds as Float64Array;
      for (let i = 0; i < rows.length; i++) unproven(rows[i], bounds[i]);
      n += rows.length;
    }
    return n;
  }

  dispose(): Promise<void> {
    this.disposed = true;
    return this.pool.dispose();
  }
}
