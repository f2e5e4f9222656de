/**
 * Loads the kNN WebAssembly kernels (assembly/, compiled by scripts/build-wasm.mjs into a generated
 * base64 module) once per process, and types their exports.
 */
import { embeddedWasmLoader, wasmApi, type EmbeddedWasm, type WasmMemory } from '../core/wasm.js';

export { wasmApi, type WasmMemory, type WasmModule } from '../core/wasm.js';

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
export type KnnWasm = EmbeddedWasm;

/**
 * Compiles the embedded kernels once. Fails with BackendUnavailableError when the generated module
 * is missing (not built) or this runtime lacks WebAssembly SIMD / threads.
 */
export const loadKnnWasm: () => Promise<KnnWasm> = embeddedWasmLoader(
  'kNN kernels',
  'src/neighbors/wasm/knn-wasm.generated.ts',
  'SIMD and threads',
  async () => {
    // A computed specifier: type-checking must not depend on the generated file existing.
    const specifier = './wasm/knn-wasm.generated.js';
    const gen = (await import(specifier)) as { KNN_WASM_BASE64: string; KNN_WASM_MAX_PAGES: number };
    return { base64: gen.KNN_WASM_BASE64, maxPages: gen.KNN_WASM_MAX_PAGES };
  },
);

/** Instantiates the kernels on `memory` in the calling thread. */
export function instantiateKernels(wasm: KnnWasm, memory: WasmMemory): KnnKernels {
  const instance = new wasmApi.Instance(wasm.module, { env: { memory } });
  return instance.exports as unknown as KnnKernels;
}
