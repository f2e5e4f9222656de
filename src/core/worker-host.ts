/**
 * Request/response worker threads that run a "host": a plain function built from source text in
 * the worker (so it works the same from dist/ and from TypeScript under test) that answers one
 * message with one reply. Used by the MLP engine (one network per worker) and by the WebGPU
 * backend's parallel re-rank. Workers are unref'd while idle, so they never keep the process
 * alive; a worker that fails or exits marks itself broken and rejects everything it was asked.
 */
import { Worker } from 'node:worker_threads';

/** A host's answer; `error` (set by the worker shell) becomes a rejected call. */
export type HostReply = Record<string, unknown> & { error?: string };
/** What a host does with one message. */
export type HostHandle = (m: Record<string, unknown>) => HostReply;

/**
 * Source of a worker whose host is `handleExpression`: JavaScript evaluating to a HostHandle,
 * typically `(${factory.toString()})(...)` of a function that uses nothing from its module scope.
 */
export function hostWorkerSource(handleExpression: string): string {
  return `
'use strict';
const { parentPort } = require('node:worker_threads');
const handle = ${handleExpression};
parentPort.on('message', (m) => {
  try {
    const out = handle(m);
    parentPort.postMessage({ id: m.id, ...out });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.stack) || e) });
  }
});
`;
}

/** One worker thread running a host. */
export class HostWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: HostReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  broken: Error | undefined;

  constructor(
    source: string,
    private readonly label: string,
  ) {
    this.worker = new Worker(source, { eval: true });
    this.worker.on('message', (r: HostReply & { id: number }) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (r.error !== undefined) w.reject(new Error(`${label} worker: ${r.error}`));
      else w.resolve(r);
    });
    const fail = (e: Error): void => {
      this.broken ??= e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    this.worker.on('exit', (code) => fail(new Error(`${label} worker exited (code ${code})`)));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  call(m: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<HostReply> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...m, id }, transfer);
    });
  }

  terminate(): Promise<number> {
    this.broken ??= new Error(`${this.label} worker terminated`);
    return this.worker.terminate();
  }
}

/**
 * At most `size` HostWorkers of one source, created on first use and reused; `acquire` waits for
 * a free one when all are busy. A broken worker is replaced rather than reused.
 */
export class HostPool {
  private readonly idle: HostWorker[] = [];
  private readonly all = new Set<HostWorker>();
  private readonly queue: ((w: HostWorker) => void)[] = [];

  constructor(
    readonly size: number,
    private readonly source: string,
    private readonly label: string,
  ) {}

  private make(): HostWorker {
    const w = new HostWorker(this.source, this.label);
    this.all.add(w);
    return w;
  }

  /** Starts every worker now (they boot in parallel) instead of on first use. */
  warm(): void {
    while (this.all.size < this.size) this.idle.push(this.make());
  }

  async acquire(): Promise<HostWorker> {
    const w = this.idle.pop();
    if (w) return w;
    if (this.all.size < this.size) return this.make();
    return new Promise((resolve) => this.queue.push(resolve));
  }

  release(w: HostWorker): void {
    if (w.broken) {
      this.all.delete(w);
      void w.terminate();
      const next = this.queue.shift();
      if (next) next(this.make());
      return;
    }
    const next = this.queue.shift();
    if (next) next(w);
    else this.idle.push(w);
  }

  /** Terminates every worker; the pool must not be used afterwards. */
  async dispose(): Promise<void> {
    const workers = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
