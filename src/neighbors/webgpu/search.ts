/**
 * Runs the candidate kernel on a WebGPU device: uploads points in binding-sized chunks, cuts the
 * queries into batches and each batch's reference sweep into dispatches (plan.ts), and hands the
 * read-back candidates of each batch to a consumer while the device computes the next batch
 * (two buffer sets, double-buffered). Every device call runs inside validation, out-of-memory
 * and internal error scopes; any error, a lost device or a failed mapping becomes a
 * BackendUnavailableError (REBALANCE_WEBGPU_FAILED), so a device fault never yields numbers.
 */
import { BackendUnavailableError, isRebalanceError } from '../../core/errors.js';
import { nonFinite } from '../checks.js';
import type { WebgpuDevice } from './device.js';
import { knnKernelSource, NO_INDEX, PARAMS_BYTES, rowStride, type KernelShape } from './kernels.js';
import { planSearch, type PlanLimits, type PlanOverrides, type SearchPlan } from './plan.js';
import type { CandidateBatch } from './rerank.js';

/** Points resident on the device, `rowsPerChunk` rows per buffer, in the prepareRows layout. */
export interface DevicePoints {
  readonly rows: number;
  readonly dim: number;
  readonly rowsPerChunk: number;
  readonly buffers: readonly GPUBuffer[];
  /** The center subtracted from every row (for queries, the indexed points' center). */
  readonly center: Float64Array;
  /** Squared norm of each centered row (float64, from the stored float32 coordinates). */
  readonly norms: Float64Array;
  /** Largest of `norms`. */
  readonly maxNorm: number;
}

/**
 * Rows r0..r1 of `points` in the device layout: float32(x - center) per coordinate, the squared
 * norm of those float32 values in slot `dim` (rounded to float32), zeros up to rowStride(dim).
 * Writes each row's float64 squared norm to `norms[row - r0]`; returns the rows' largest, or
 * Infinity when a centered value overflowed float32 (such points are not float32-safe; see
 * centeredFloat32Safe). Also the finiteness check of the coordinates: a NaN or infinity throws
 * REBALANCE_KNN_NONFINITE (`what`: 'indexed' or 'query'), so no separate pass over the data.
 */
export function prepareRows(
  points: Float32Array,
  dim: number,
  center: Float64Array,
  r0: number,
  r1: number,
  out: Float32Array,
  norms: Float64Array,
  what = 'indexed',
): number {
  const stride = rowStride(dim);
  let max = 0;
  for (let r = r0, i = r0 * dim, o = 0; r < r1; r++, o += stride) {
    let nn = 0;
    for (let j = 0; j < dim; j++, i++) {
      const c = Math.fround(points[i] - center[j]);
      out[o + j] = c;
      nn += c * c;
    }
    // A NaN or infinite coordinate makes nn NaN or infinite; so does an overflowed difference.
    if (!(nn < Infinity)) {
      for (let j = i - dim; j < i; j++) if (!Number.isFinite(points[j])) throw nonFinite(points, what);
      nn = Infinity;
    }
    out[o + dim] = nn;
    norms[r - r0] = nn;
    if (nn > max) max = nn;
  }
  return max;
}

/**
 * Where a search's host time went (milliseconds, accumulated by CandidateSearch.run): `waitMs`
 * awaiting the device's candidates (kernel time not hidden behind the host's work), `consumeMs`
 * in the consumer (the re-rank of each batch, which overlaps the next batch's kernel), `compileMs`
 * awaiting the kernel's pipeline (0 once compiled: pipelines are cached per shape), `submitMs` in
 * the synchronous part of encoding and submitting each batch (on Dawn's OpenGL ES backend, e.g.
 * llvmpipe, that includes running the kernel; on Vulkan the device runs it asynchronously).
 */
export interface SearchTiming {
  compileMs: number;
  submitMs: number;
  waitMs: number;
  consumeMs: number;
}

interface BufferSet {
  readonly candDist: GPUBuffer;
  readonly candIdx: GPUBuffer;
  readonly readDist: GPUBuffer;
  readonly readIdx: GPUBuffer;
  readonly params: GPUBuffer;
  readonly slots: number;
}

interface Batch {
  readonly chunk: number;
  readonly start: number;
  readonly count: number;
}

/** Rows laid out per writeBuffer call when uploading points (1 MiB at 30 features). */
const STAGE_ROWS = 8192;

const SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

function failed(what: string, detail: string, cause?: unknown): BackendUnavailableError {
  return new BackendUnavailableError(
    'REBALANCE_WEBGPU_FAILED',
    `expected the WebGPU device to ${what}, it failed (${detail.split('\n')[0]}); rerun with --knn-backend cpu`,
    cause === undefined ? undefined : { cause },
  );
}

/** The device side of the WebGPU kNN backend. */
export class CandidateSearch {
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly limits: PlanLimits;

  constructor(
    private readonly gpu: WebgpuDevice,
    private readonly overrides: PlanOverrides = {},
  ) {
    this.limits = gpu.limits as unknown as PlanLimits;
  }

  /** The plan for `dim` features and `kc` candidates on this device. */
  plan(dim: number, kc: number): SearchPlan {
    return planSearch(this.limits, dim, kc, this.overrides);
  }

  private checkAlive(what: string): void {
    const reason = this.gpu.lostReason();
    if (reason !== null) throw failed(what, reason);
  }

  /**
   * Runs `fn` inside error scopes; a captured error or a throw becomes REBALANCE_WEBGPU_FAILED.
   * The scopes are pushed and popped synchronously around `fn` (a promise it returns is awaited
   * after the pop), so scopes of batches in flight never interleave on the device's scope stack.
   */
  private async scoped<T>(what: string, fn: () => T): Promise<Awaited<T>> {
    this.checkAlive(what);
    const device = this.gpu.device;
    for (const s of SCOPES) device.pushErrorScope(s);
    let result: T | undefined;
    let thrown: unknown = null;
    let threw = false;
    try {
      result = fn();
    } catch (e) {
      thrown = e;
      threw = true;
    }
    const pops = SCOPES.map(() => device.popErrorScope());
    let value: Awaited<T> | undefined;
    try {
      value = await (result as T);
    } catch (e) {
      if (!threw) {
        thrown = e;
        threw = true;
      }
    }
    const err = (await Promise.all(pops)).find((e) => e !== null);
    if (err) throw failed(what, err.message, err);
    if (threw) {
      // Our own typed errors (a non-finite coordinate found while laying out points) pass as they are.
      if (isRebalanceError(thrown)) throw thrown;
      throw failed(what, (thrown as Error)?.message ?? String(thrown), thrown);
    }
    this.checkAlive(what);
    return value as Awaited<T>;
  }

  /**
   * Copies row-major points to device buffers of at most `rowsPerChunk` rows each, in the
   * prepareRows layout centered on `center` (for queries, the indexed points' center), laying
   * out STAGE_ROWS rows at a time in one reused array (no second copy of the whole table).
   * Throws REBALANCE_KNN_NONFINITE on a NaN or infinite coordinate (`what` names the points).
   */
  async upload(points: Float32Array, dim: number, center: Float64Array, what = 'indexed'): Promise<DevicePoints> {
    const rows = points.length / dim;
    const rowsPerChunk = this.plan(dim, 1).rowsPerChunk;
    const stride = rowStride(dim);
    const { STORAGE, COPY_DST } = this.gpu.usage;
    const buffers: GPUBuffer[] = [];
    const norms = new Float64Array(rows);
    const stage = new Float32Array(Math.min(rows, STAGE_ROWS) * stride);
    let maxNorm = 0;
    await this.scoped('store the points', () => {
      for (let r0 = 0; r0 < Math.max(rows, 1); r0 += rowsPerChunk) {
        const r1 = Math.min(rows, r0 + rowsPerChunk);
        const size = Math.max(16, (r1 - r0) * stride * 4);
        const buffer = this.gpu.device.createBuffer({ size, usage: STORAGE | COPY_DST, label: `points ${r0}-${r1}` });
        buffers.push(buffer);
        for (let s0 = r0; s0 < r1; s0 += STAGE_ROWS) {
          const s1 = Math.min(r1, s0 + STAGE_ROWS);
          maxNorm = Math.max(maxNorm, prepareRows(points, dim, center, s0, s1, stage, norms.subarray(s0, s1), what));
          this.gpu.device.queue.writeBuffer(buffer, (s0 - r0) * stride * 4, stage, 0, (s1 - s0) * stride);
        }
      }
    }).catch((e: unknown) => {
      for (const b of buffers) b.destroy();
      throw e;
    });
    return { rows, dim, rowsPerChunk, buffers, center, norms, maxNorm };
  }

  private pipeline(shape: KernelShape): Promise<GPUComputePipeline> {
    const key = `${shape.mode ?? 'topk'}/${shape.dim}/${shape.kc}/${shape.tileRows}/${shape.workgroupSize}/${shape.queriesPerThread ?? 1}/${shape.lists ?? 'registers'}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.scoped('compile the kNN kernel', () => {
        const module = this.gpu.device.createShaderModule({ code: knnKernelSource(shape), label: `knn ${key}` });
        return this.gpu.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: `knn ${key}` });
      });
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  /** One set of batch buffers for batches of up to `maxCount` queries. */
  private allocate(plan: SearchPlan, kc: number, slots: number, maxCount: number): BufferSet {
    const { STORAGE, COPY_SRC, COPY_DST, MAP_READ, UNIFORM } = this.gpu.usage;
    const bytes = maxCount * kc * 4;
    const d = this.gpu.device;
    return {
      candDist: d.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC, label: 'candidate distances' }),
      candIdx: d.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC, label: 'candidate indices' }),
      readDist: d.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST, label: 'read distances' }),
      readIdx: d.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST, label: 'read indices' }),
      params: d.createBuffer({ size: slots * plan.paramsStride, usage: UNIFORM | COPY_DST, label: 'dispatch params' }),
      slots,
    };
  }

  private static destroySet(s: BufferSet): void {
    for (const b of [s.candDist, s.candIdx, s.readDist, s.readIdx, s.params]) {
      if (b.mapState === 'mapped') b.unmap();
      b.destroy();
    }
  }

  /** Encodes, submits and maps one batch; resolves once its candidates are readable. */
  private submit(
    set: BufferSet,
    pipeline: GPUComputePipeline,
    plan: SearchPlan,
    kc: number,
    refs: DevicePoints,
    queries: DevicePoints,
    batch: Batch,
    self: boolean,
  ): Promise<void> {
    return this.scoped('run the kNN kernel', () => {
      const d = this.gpu.device;
      const words = new Uint32Array((set.slots * plan.paramsStride) / 4);
      const entries: { buffer: GPUBuffer; slot: number }[] = [];
      let slot = 0;
      for (let c = 0; c < refs.buffers.length; c++) {
        const chunkRows = Math.min(refs.rowsPerChunk, refs.rows - c * refs.rowsPerChunk);
        for (let r0 = 0; r0 < chunkRows; r0 += plan.refsPerDispatch) {
          const o = (slot * plan.paramsStride) / 4;
          words[o] = batch.start;
          words[o + 1] = batch.count;
          words[o + 2] = r0;
          words[o + 3] = Math.min(plan.refsPerDispatch, chunkRows - r0);
          words[o + 4] = c * refs.rowsPerChunk + r0;
          words[o + 5] = self ? batch.chunk * queries.rowsPerChunk + batch.start : NO_INDEX;
          words[o + 6] = slot === 0 ? 1 : 0;
          entries.push({ buffer: refs.buffers[c], slot });
          slot++;
        }
      }
      d.queue.writeBuffer(set.params, 0, words, 0, (slot * plan.paramsStride) / 4);
      const layout = pipeline.getBindGroupLayout(0);
      const encoder = d.createCommandEncoder({ label: 'knn batch' });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      const groups = Math.ceil(batch.count / (plan.workgroupSize * plan.queriesPerThread));
      for (const e of entries) {
        const group = d.createBindGroup({
          layout,
          entries: [
            { binding: 0, resource: { buffer: set.params, offset: e.slot * plan.paramsStride, size: PARAMS_BYTES } },
            { binding: 1, resource: { buffer: e.buffer } },
            { binding: 2, resource: { buffer: queries.buffers[batch.chunk] } },
            { binding: 3, resource: { buffer: set.candDist } },
            { binding: 4, resource: { buffer: set.candIdx } },
          ],
        });
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(groups);
      }
      pass.end();
      const bytes = batch.count * kc * 4;
      encoder.copyBufferToBuffer(set.candDist, 0, set.readDist, 0, bytes);
      encoder.copyBufferToBuffer(set.candIdx, 0, set.readIdx, 0, bytes);
      d.queue.submit([encoder.finish()]);
      return Promise.all([set.readDist.mapAsync(this.gpu.mapRead, 0, bytes), set.readIdx.mapAsync(this.gpu.mapRead, 0, bytes)]);
    }).then(() => undefined);
  }

  /**
   * Finds `kc` candidates for every query row against every reference row, calling `consume`
   * with each batch (rows in query order) while the next batch runs. `self`: the queries are
   * the references, and each query skips its own row. The batch's arrays are valid only during
   * the synchronous call (they are the mapped read-back buffers); a consumer that continues
   * asynchronously copies what it needs and returns a promise, which is awaited before the next
   * batch is consumed and before run resolves.
   */
  async run(
    refs: DevicePoints,
    queries: DevicePoints,
    kc: number,
    self: boolean,
    consume: (b: CandidateBatch) => void | Promise<void>,
    timing?: SearchTiming,
  ): Promise<void> {
    if (queries.rows === 0) return;
    const plan = this.plan(refs.dim, kc);
    if (plan.rowsPerChunk < refs.rowsPerChunk || plan.rowsPerChunk < queries.rowsPerChunk) {
      throw new RangeError('points were uploaded with a larger chunk than this plan allows');
    }
    const shape: KernelShape = {
      dim: refs.dim,
      kc,
      tileRows: plan.tileRows,
      workgroupSize: plan.workgroupSize,
      queriesPerThread: plan.queriesPerThread,
      lists: plan.candidateLists,
    };
    const compiling = performance.now();
    const pipeline = await this.pipeline(shape);
    if (timing) timing.compileMs += performance.now() - compiling;
    const batches: Batch[] = [];
    for (let c = 0; c < queries.buffers.length; c++) {
      const chunkRows = Math.min(queries.rowsPerChunk, queries.rows - c * queries.rowsPerChunk);
      for (let s = 0; s < chunkRows; s += plan.queriesPerBatch) {
        batches.push({ chunk: c, start: s, count: Math.min(plan.queriesPerBatch, chunkRows - s) });
      }
    }
    let slots = 0;
    for (let c = 0; c < refs.buffers.length; c++) {
      slots += Math.ceil(Math.min(refs.rowsPerChunk, refs.rows - c * refs.rowsPerChunk) / plan.refsPerDispatch);
    }
    const maxCount = Math.max(...batches.map((b) => b.count));
    const sets: BufferSet[] = [];
    try {
      await this.scoped('allocate kNN buffers', () => {
        sets.push(this.allocate(plan, kc, slots, maxCount));
        if (batches.length > 1) sets.push(this.allocate(plan, kc, slots, maxCount));
      });
      let pending: Promise<void> | null = null;
      let consuming: Promise<void> | null = null;
      for (let i = 0; i <= batches.length; i++) {
        const submitting = performance.now();
        const next: Promise<void> | null =
          i < batches.length ? this.submit(sets[i % sets.length], pipeline, plan, kc, refs, queries, batches[i], self) : null;
        if (timing) timing.submitMs += performance.now() - submitting;
        // Keep a rejection of `next` from being reported unhandled while we await `pending`.
        next?.catch(() => undefined);
        if (pending) {
          const waited = performance.now();
          await pending;
          if (timing) timing.waitMs += performance.now() - waited;
          const b = batches[i - 1];
          const set = sets[(i - 1) % sets.length];
          const n = b.count * kc;
          const dist = new Float32Array(set.readDist.getMappedRange(0, n * 4));
          const idx = new Uint32Array(set.readIdx.getMappedRange(0, n * 4));
          const consumed = performance.now();
          if (consuming) await consuming;
          try {
            consuming = consume({ kc, count: b.count, dist, idx, firstRow: b.chunk * queries.rowsPerChunk + b.start, self }) ?? null;
          } finally {
            set.readDist.unmap();
            set.readIdx.unmap();
            if (timing) timing.consumeMs += performance.now() - consumed;
          }
          consuming?.catch(() => undefined);
        }
        pending = next;
      }
      const consumed = performance.now();
      if (consuming) await consuming;
      if (timing) timing.consumeMs += performance.now() - consumed;
    } finally {
      for (const s of sets) CandidateSearch.destroySet(s);
    }
  }

  /**
   * The collect pass: for each gathered query row, every reference row (other than `selfIds[i]`,
   * or none when NO_INDEX) whose float32 distance is at most `bounds[i]`, up to `capacity` of them
   * in ascending index, and how many there were in all (a count above capacity means the list is
   * incomplete). Rare and small, so it runs batch after batch without overlap.
   */
  async collect(
    refs: DevicePoints,
    queries: Float32Array,
    bounds: Float32Array,
    selfIds: Uint32Array,
    capacity: number,
  ): Promise<{ counts: Uint32Array; lists: Uint32Array }> {
    const dim = refs.dim;
    const m = bounds.length;
    const counts = new Uint32Array(m);
    const lists = new Uint32Array(m * capacity);
    if (m === 0) return { counts, lists };
    const plan = this.plan(dim, capacity + 1);
    const pipeline = await this.pipeline({ dim, kc: capacity, tileRows: plan.tileRows, workgroupSize: plan.workgroupSize, mode: 'collect' });
    const { STORAGE, COPY_SRC, COPY_DST, MAP_READ, UNIFORM } = this.gpu.usage;
    const d = this.gpu.device;
    const stride = rowStride(dim);
    const ranges: { buffer: GPUBuffer; refStart: number; refCount: number; refBase: number }[] = [];
    for (let c = 0; c < refs.buffers.length; c++) {
      const chunkRows = Math.min(refs.rowsPerChunk, refs.rows - c * refs.rowsPerChunk);
      for (let r0 = 0; r0 < chunkRows; r0 += plan.refsPerDispatch) {
        ranges.push({ buffer: refs.buffers[c], refStart: r0, refCount: Math.min(plan.refsPerDispatch, chunkRows - r0), refBase: c * refs.rowsPerChunk + r0 });
      }
    }
    for (let q0 = 0; q0 < m; q0 += plan.queriesPerBatch) {
      const count = Math.min(plan.queriesPerBatch, m - q0);
      const words = (capacity + 1) * count;
      const made: GPUBuffer[] = [];
      try {
        await this.scoped('collect near-tie neighbours', () => {
          const make = (size: number, usage: number, label: string): GPUBuffer => {
            const b = d.createBuffer({ size, usage, label });
            made.push(b);
            return b;
          };
          const qBuf = make(count * stride * 4, STORAGE | COPY_DST, 'collect queries');
          const laid = new Float32Array(count * stride);
          prepareRows(queries.subarray(q0 * dim, (q0 + count) * dim), dim, refs.center, 0, count, laid, new Float64Array(count), 'query');
          d.queue.writeBuffer(qBuf, 0, laid);
          const info = new Uint32Array(count * 2);
          const boundBits = new Uint32Array(bounds.buffer, bounds.byteOffset, m);
          for (let i = 0; i < count; i++) {
            info[2 * i] = boundBits[q0 + i];
            info[2 * i + 1] = selfIds[q0 + i];
          }
          const infoBuf = make(info.byteLength, STORAGE | COPY_DST, 'collect bounds');
          d.queue.writeBuffer(infoBuf, 0, info);
          const found = make(words * 4, STORAGE | COPY_SRC, 'collect lists');
          const read = make(words * 4, MAP_READ | COPY_DST, 'collect read');
          const params = make(ranges.length * plan.paramsStride, UNIFORM | COPY_DST, 'collect params');
          const pw = new Uint32Array((ranges.length * plan.paramsStride) / 4);
          ranges.forEach((r, slot) => {
            const o = (slot * plan.paramsStride) / 4;
            pw.set([0, count, r.refStart, r.refCount, r.refBase, NO_INDEX, slot === 0 ? 1 : 0, 0], o);
          });
          d.queue.writeBuffer(params, 0, pw);
          const layout = pipeline.getBindGroupLayout(0);
          const encoder = d.createCommandEncoder({ label: 'knn collect' });
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipeline);
          ranges.forEach((r, slot) => {
            pass.setBindGroup(
              0,
              d.createBindGroup({
                layout,
                entries: [
                  { binding: 0, resource: { buffer: params, offset: slot * plan.paramsStride, size: PARAMS_BYTES } },
                  { binding: 1, resource: { buffer: r.buffer } },
                  { binding: 2, resource: { buffer: qBuf } },
                  { binding: 3, resource: { buffer: infoBuf } },
                  { binding: 4, resource: { buffer: found } },
                ],
              }),
            );
            pass.dispatchWorkgroups(Math.ceil(count / plan.workgroupSize));
          });
          pass.end();
          encoder.copyBufferToBuffer(found, 0, read, 0, words * 4);
          d.queue.submit([encoder.finish()]);
          return read.mapAsync(this.gpu.mapRead, 0, words * 4);
        });
        const out = new Uint32Array(made[3].getMappedRange(0, words * 4));
        for (let i = 0; i < count; i++) {
          counts[q0 + i] = out[i * (capacity + 1)];
          lists.set(out.subarray(i * (capacity + 1) + 1, (i + 1) * (capacity + 1)), (q0 + i) * capacity);
        }
      } finally {
        for (const b of made) {
          if (b.mapState === 'mapped') b.unmap();
          b.destroy();
        }
      }
    }
    return { counts, lists };
  }

  /** Releases the device's buffers of `points`. */
  static release(points: DevicePoints): void {
    for (const b of points.buffers) b.destroy();
  }
}
