/**
 * Loads the kNN WebAssembly kernels (assembly/, compiled by scripts/build-wasm.mjs into a generated
 * base64 module) once per process, and types their exports.
 */
import { BackendUnavailableError } from '../core/errors.js';

// The project's lib settings (ES2023 + @types/node) carry no WebAssembly declarations, so the few
// members used here are typed locally (structurally what the runtime provides).
/** A compiled WebAssembly module (opaque; transferable to workers). */
export interface WasmModule {
  readonly __wasmModule?: never;
}
/** A WebAssembly memory; `shared: true` ones have a SharedArrayBuffer `buffer`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
/** The runtime's WebAssembly namespace. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels' exports (byte offsets into the shared memory, counts as int32). */
export interface KnnKernels {
  bruteRange(
    pts: number, blocks: number, centre: number, n: number, dim: number, qs: number, qb: number,
    qe: number, selfMode: number, k: number, cap: number, g: number, slack: number,
    scratch: number, outIdx: number, outDist: number,
  ): void;
  bruteScratchBytes(dim: number, cap: number): number;
  exactRange(
    pts: number, n: number, dim: number, qs: number, qb: number, qe: number, selfMode: number,
    k: number, scratch: number, outIdx: number, outDist: number,
  ): void;
  kdRange(
    kpts: number, perm: number, nodes: number, bounds: number, n: number, dim: number,
    qs: number, qb: number, qe: number, selfMode: number, k: number,
    scratch: number, outIdx: number, outDist: number,
  ): void;
  kdScratchBytes(k: number): number;
  symRange(
    blocks: number, centre: number, n: number, dim: number, pts: number, tb: number, te: number,
    k: number, cap: number, g: number, slack: number, state: number,
  ): void;
  symStateBytes(n: number, cap: number, dim: number): number;
  symFinish(
    pts: number, n: number, dim: number, rb: number, re: number, k: number, cap: number,
    states: number, stateBytes: number, workers: number, scratch: number, outIdx: number, outDist: number,
  ): void;
  symFinishScratchBytes(workers: number, cap: number, k: number): number;
}

/** The compiled module and the largest memory (in 64 KiB pages) its memory import accepts. */
export interface KnnWasm {
  readonly module: WasmModule;
  readonly maxPages: number;
}

let cached: Promise<KnnWasm> | undefined;

/**
 * Compiles the embedded kernels once. Fails with BackendUnavailableError when the generated module
 * is missing (not built) or this runtime lacks WebAssembly SIMD / threads.
 */
export function loadKnnWasm(): Promise<KnnWasm> {
  cached ??= (async () => {
    // A computed specifier: type-checking must not depend on the generated file existing.
    const specifier = './wasm/knn-wasm.generated.js';
    let gen: { KNN_WASM_BASE64: string; KNN_WASM_MAX_PAGES: number };
    try {
      gen = (await import(specifier)) as typeof gen;
    } catch (cause) {
      throw new BackendUnavailableError(
        'REBALANCE_WASM_NOT_BUILT',
        'expected the compiled kNN kernels in src/neighbors/wasm/knn-wasm.generated.ts, found none; run `node scripts/build.mjs`',
        { cause },
      );
    }
    try {
      const module = await wasmApi.compile(Buffer.from(gen.KNN_WASM_BASE64, 'base64'));
      return { module, maxPages: gen.KNN_WASM_MAX_PAGES };
    } catch (cause) {
      throw new BackendUnavailableError(
        'REBALANCE_WASM_UNSUPPORTED',
        `expected WebAssembly SIMD and threads support, found a runtime that rejects them (${String(cause)}); use Node >= 20`,
        { cause },
      );
    }
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/** Instantiates the kernels on `memory` in the calling thread. */
export function instantiateKernels(wasm: KnnWasm, memory: WasmMemory): KnnKernels {
  const instance = new wasmApi.Instance(wasm.module, { env: { memory } });
  return instance.exports as unknown as KnnKernels;
}
