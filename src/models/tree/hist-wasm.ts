/**
 * The gbdt histogram kernel in WebAssembly (assembly/gbdt.ts, SIMD): the fit's training bins,
 * row ids, gradients, hessians and histograms live in one WebAssembly memory, and the grower
 * (tree/grower.ts) asks this kernel for each node's histogram instead of its TypeScript loop.
 * The kernel adds the same numbers in the same order as the TypeScript reference, so the
 * histograms, and therefore the trees, are bit-identical to it (test/unit/models/gbdt-engine.test.ts).
 * Measured on 1M x 30 (900k training rows): the root histogram 110-125 ms vs 330-550 ms in
 * TypeScript, a 25% node 32-38 ms vs 145-180 ms.
 *
 * With threads > 1, nodes of at least PARALLEL_ROWS rows are built by several threads, each on
 * its own block of features (as scikit-learn's OpenMP loop): this thread gathers the node's
 * gradients once, worker threads (instances of the same module over the same shared memory,
 * woken through Atomics on a control block) and this thread then fill disjoint features of the
 * histogram. Every bin's sum is still added in row order, so histograms and trees stay
 * bit-identical to the one-thread and TypeScript ones, whatever the number of threads.
 */
import { Worker } from 'node:worker_threads';
import { embeddedWasmLoader, wasmApi, type WasmMemory, type WasmModule } from '../../core/wasm.js';
import { HIST_STRIDE, type BinnedTrain, type HistogramKernel } from './grower.js';
import { BITSET_WORDS } from './tree.js';

const loadGbdtWasm = embeddedWasmLoader('gbdt histogram kernels', 'src/models/wasm/gbdt-wasm.generated.ts', 'SIMD', async () => {
  const specifier = '../wasm/gbdt-wasm.generated.js';
  const gen = (await import(specifier)) as { GBDT_WASM_BASE64: string; GBDT_WASM_MAX_PAGES: number };
  return { base64: gen.GBDT_WASM_BASE64, maxPages: gen.GBDT_WASM_MAX_PAGES };
});

interface Kernels {
  histogram(x: number, m: number, d: number, rows: number, start: number, end: number, identity: number, g: number, h: number, gh: number, out: number, gathered: number): void;
  subtract(a: number, b: number, len: number): void;
  partition(col: number, rows: number, scratch: number, start: number, end: number, threshold: number, missingLeft: number, bitset: number): number;
}

const PAGE = 65536;
/** First byte laid out (below: the module's static data, if any). */
const BASE = PAGE;
/** Largest memory (bytes) the layout may take: offsets stay positive int32. */
const MAX_BYTES = 2 ** 31 - PAGE;
type Twelve = [number, number, number, number, number, number, number, number, number, number, number, number];
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;
/** Nodes with fewer rows are built on one thread (waking workers costs more than it saves). */
export const PARALLEL_ROWS = 32_768;
/** Int32 words of a worker's control block: [seq, done, 12 arguments], padded. */
const CTL_WORDS = 16;

/** The worker: waits for a new seq in its control block, builds that histogram, reports done. */
const WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, slot } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(memory.buffer, ctl, ${CTL_WORDS} * (slot + 1));
const b = ${CTL_WORDS} * slot;
let seen = 0;
try {
  for (;;) {
    Atomics.wait(c, b, seen);
    const s = Atomics.load(c, b);
    if (s === seen) continue;
    if (s < 0) break;
    seen = s;
    k.histogram(c[b + 2], c[b + 3], c[b + 4], c[b + 5], c[b + 6], c[b + 7], c[b + 8], c[b + 9], c[b + 10], c[b + 11], c[b + 12], c[b + 13]);
    Atomics.store(c, b + 1, s);
    Atomics.notify(c, b + 1);
  }
} finally {
  // Stopped or failed: done = -1 tells the main thread to build this worker's ranges itself.
  Atomics.store(c, b + 1, -1);
  Atomics.notify(c, b + 1);
}
`;

/** The buffers of one fit, in WebAssembly memory, and the kernel that reads them. */
export class WasmHistograms implements HistogramKernel {
  /** Column-major training bins (x[j * m + i]); fill it, then describeTrain(x, m, specs). */
  readonly x: Uint8Array;
  readonly rows: Int32Array;
  readonly scratch: Int32Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** Histogram buffers for the grower's pool (d * HIST_STRIDE each, zeroed). */
  readonly hists: Float64Array[];
  private readonly ghOffset: number;
  private readonly bitset: Uint32Array;
  private readonly ctl: Int32Array;
  private readonly workers: Worker[] = [];
  private seq = 0;
  /** A worker failed or exited: its ranges are built here from then on. */
  private failed = false;

  private constructor(
    private readonly k: Kernels,
    private readonly buffer: ArrayBuffer | SharedArrayBuffer,
    readonly m: number,
    readonly d: number,
    nHists: number,
    readonly threads: number,
  ) {
    let at = BASE;
    const take = (bytes: number): number => {
      const o = at;
      at += align16(bytes);
      return o;
    };
    this.x = new Uint8Array(buffer, take(m * d), m * d);
    this.rows = new Int32Array(buffer, take(m * 4), m);
    this.scratch = new Int32Array(buffer, take(m * 4), m);
    this.g = new Float64Array(buffer, take(m * 8), m);
    this.h = new Float64Array(buffer, take(m * 8), m);
    this.ghOffset = take(m * 16);
    this.bitset = new Uint32Array(buffer, take(BITSET_WORDS * 4), BITSET_WORDS);
    const len = d * HIST_STRIDE;
    this.hists = Array.from({ length: nHists }, () => new Float64Array(buffer, take(len * 8), len));
    this.ctl = new Int32Array(buffer, take(threads * CTL_WORDS * 4), threads * CTL_WORDS);
  }

  private start(module: WasmModule, memory: WasmMemory): void {
    for (let t = 1; t < this.threads; t++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, ctl: this.ctl.byteOffset, slot: t } });
      w.on('error', () => (this.failed = true));
      w.unref();
      this.workers.push(w);
    }
  }

  /** Stops the worker threads (the buffers stay readable). */
  dispose(): void {
    for (let t = 1; t < this.threads; t++) {
      Atomics.store(this.ctl, t * CTL_WORDS, -1);
      Atomics.notify(this.ctl, t * CTL_WORDS);
    }
    this.failed = true;
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }

  /** Bytes the layout needs for m rows, d features and nHists histograms. */
  static bytes(m: number, d: number, nHists: number, threads = 1): number {
    const fixed = BASE + align16(m * d) + 2 * align16(m * 4) + 2 * align16(m * 8) + align16(m * 16) + align16(BITSET_WORDS * 4);
    return fixed + nHists * align16(d * HIST_STRIDE * 8) + align16(threads * CTL_WORDS * 4);
  }

  /**
   * The kernel with room for m rows, d features and nHists histograms; null when the layout
   * would not fit 2 GiB (the caller keeps the TypeScript path). Throws BackendUnavailableError
   * when the module is not built or this runtime lacks WebAssembly SIMD.
   */
  static async create(m: number, d: number, nHists: number, threads = 1): Promise<WasmHistograms | null> {
    threads = Math.max(1, Math.floor(threads));
    const bytes = WasmHistograms.bytes(m, d, nHists, threads);
    if (bytes > MAX_BYTES) return null;
    const mod = await loadGbdtWasm();
    const pages = Math.ceil(bytes / PAGE);
    const memory: WasmMemory = new wasmApi.Memory({ initial: pages, maximum: mod.maxPages, shared: true });
    const k = new wasmApi.Instance(mod.module, { env: { memory } }).exports as Kernels;
    const kernel = new WasmHistograms(k, memory.buffer, m, d, nHists, threads);
    if (threads > 1) kernel.start(mod.module, memory);
    return kernel;
  }

  private inside(a: ArrayBufferView): boolean {
    return a.buffer === this.buffer;
  }

  build(t: BinnedTrain, rows: Int32Array, start: number, end: number, g: Float64Array, h: Float64Array, out: Float64Array): boolean {
    if (!this.inside(t.x) || !this.inside(rows) || !this.inside(g) || !this.inside(h) || !this.inside(out)) return false;
    if (t.m !== this.m || t.specs.length !== this.d || end - start > this.m) return false;
    const identity = end - start === t.m ? 1 : 0;
    const n = end - start;
    const d = this.d;
    const parts = this.threads > 1 && !this.failed && n >= PARALLEL_ROWS ? Math.min(this.threads, Math.ceil(d / 4)) : 1;
    const x = t.x.byteOffset;
    const args = (f0: number, f1: number, gathered: number): number[] => [
      x + f0 * t.m, t.m, f1 - f0, rows.byteOffset, start, end, identity, g.byteOffset, h.byteOffset, this.ghOffset, out.byteOffset + f0 * HIST_STRIDE * 8, gathered,
    ];
    if (parts <= 1) {
      this.k.histogram(...(args(0, d, 0) as Twelve));
      return true;
    }
    // Feature blocks, multiples of 4 (the kernel's unrolling) where possible.
    const cut = (p: number): number => Math.min(d, 4 * Math.round((p * d) / parts / 4));
    this.k.histogram(...(args(0, 0, 0) as Twelve));
    const seq = ++this.seq;
    const c = this.ctl;
    for (let p = 1; p < parts; p++) {
      const b = p * CTL_WORDS;
      const a = args(cut(p), p === parts - 1 ? d : cut(p + 1), 1);
      for (let i = 0; i < a.length; i++) c[b + 2 + i] = a[i];
      Atomics.store(c, b, seq);
      Atomics.notify(c, b);
    }
    this.k.histogram(...(args(0, cut(1), 1) as Twelve));
    for (let p = 1; p < parts; p++) {
      const b = p * CTL_WORDS;
      for (;;) {
        const done = Atomics.load(c, b + 1);
        if (done === seq) break;
        if (done < 0) {
          // The worker stopped: build its features here.
          this.failed = true;
          this.k.histogram(...(args(cut(p), p === parts - 1 ? d : cut(p + 1), 1) as Twelve));
          break;
        }
        Atomics.wait(c, b + 1, done, 200);
      }
    }
    return true;
  }

  subtract(a: Float64Array, b: Float64Array): boolean {
    if (!this.inside(a) || !this.inside(b) || a.length !== b.length) return false;
    this.k.subtract(a.byteOffset, b.byteOffset, a.length);
    return true;
  }

  partition(t: BinnedTrain, rows: Int32Array, scratch: Int32Array, start: number, end: number, feature: number, bin: number, missingLeft: boolean, bitset: Uint32Array | null): number {
    if (!this.inside(t.x) || !this.inside(rows) || !this.inside(scratch) || t.m !== this.m) return -1;
    if (bitset) this.bitset.set(bitset);
    const col = t.x.byteOffset + feature * t.m;
    return this.k.partition(col, rows.byteOffset, scratch.byteOffset, start, end, bin, missingLeft ? 1 : 0, bitset ? this.bitset.byteOffset : 0);
  }
}
