/**
 * A small pool of kNN worker threads sharing one WebAssembly module and the callers' shared
 * memories. Tasks run one at a time (each task already uses every worker); workers are unref'd
 * while idle, so an undisposed pool never keeps the process alive, and `dispose` terminates them.
 */
import { Worker } from 'node:worker_threads';
import { KNN_WORKER_SOURCE } from './cpu-worker-source.js';
import type { WasmMemory, WasmModule } from './cpu-wasm.js';

/** One kernel call spread over the pool: `fn(...args)` per claimed query range. */
export interface PoolTask {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  /** Identifies `memory` so workers reuse their instance for it. */
  readonly memId: number;
  readonly fn: string;
  readonly args: readonly number[];
  readonly qbPos: number;
  readonly qePos: number;
  readonly scratchPos: number;
  /** Scratch offset of worker w is scratchBase + w * scratchStride. */
  readonly scratchBase: number;
  readonly scratchStride: number;
  /** Byte offset of a zeroed int32 work counter in `memory`. */
  readonly counterPtr: number;
  readonly total: number;
  readonly chunk: number;
}

interface Pending {
  remaining: number;
  failed: Error | undefined;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<void> = Promise.resolve();
  private disposed = false;
  /** Set when a worker died: later tasks fail instead of waiting for it forever. */
  private broken: Error | undefined;

  constructor(readonly size: number) {
    for (let w = 0; w < size; w++) {
      const worker = new Worker(KNN_WORKER_SOURCE, { eval: true });
      worker.unref();
      worker.on('message', (m: { type: string; id: number; message?: string }) => this.onMessage(m));
      worker.on('error', (e) => {
        this.broken ??= e instanceof Error ? e : new Error(String(e));
        this.failAll(this.broken);
      });
      worker.on('exit', (code) => {
        if (this.disposed) return;
        this.broken ??= new Error(`kNN worker exited unexpectedly (code ${code})`);
        this.failAll(this.broken);
      });
      this.workers.push(worker);
    }
  }

  /** Runs `task` on every worker; resolves when all query ranges are done. Tasks are serialized. */
  run(task: PoolTask): Promise<void> {
    const next = this.queue.then(() => this.runNow(task));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Tells workers to drop their instance for a memory that will not be used again. */
  forget(memId: number): void {
    if (this.disposed) return;
    for (const w of this.workers) w.postMessage({ type: 'forget', memId });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll(new Error('kNN worker pool disposed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private runNow(task: PoolTask): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('kNN worker pool disposed'));
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { remaining: this.workers.length, failed: undefined, resolve, reject });
      for (const w of this.workers) w.ref();
      this.workers.forEach((w, slot) => {
        w.postMessage({
          type: 'run',
          id,
          module: task.module,
          memory: task.memory,
          memId: task.memId,
          fn: task.fn,
          args: task.args,
          qbPos: task.qbPos,
          qePos: task.qePos,
          scratchPos: task.scratchPos,
          scratch: task.scratchBase + slot * task.scratchStride,
          counterPtr: task.counterPtr,
          total: task.total,
          chunk: task.chunk,
        });
      });
    });
  }

  private onMessage(m: { type: string; id: number; message?: string }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'error') p.failed ??= new Error(`kNN worker failed: ${m.message ?? 'unknown error'}`);
    if (--p.remaining > 0) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    if (p.failed) p.reject(p.failed);
    else p.resolve();
  }

  private failAll(e: Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(e);
    }
    for (const w of this.workers) w.unref();
  }
}
