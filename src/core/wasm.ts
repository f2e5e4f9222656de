/**
 * The embedded WebAssembly modules (assembly/, compiled by scripts/build-wasm.mjs into generated
 * base64 TypeScript files): the runtime types used with them, and a once-per-process loader.
 */
import { BackendUnavailableError } from './errors.js';

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
  Memory: new (d: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}
/** The runtime's WebAssembly namespace. */
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A compiled embedded module and the largest memory (in 64 KiB pages) its memory import accepts. */
export interface EmbeddedWasm {
  readonly module: WasmModule;
  readonly maxPages: number;
}

/**
 * Returns a loader that compiles an embedded module once (retrying after a failure).
 * `importGenerated` imports the generated file (a computed specifier in the caller, so
 * type-checking never depends on it existing) and returns its base64 bytes and page limit.
 * Fails with BackendUnavailableError REBALANCE_WASM_NOT_BUILT when the file is missing, and
 * REBALANCE_WASM_UNSUPPORTED when this runtime rejects the module's features.
 */
export function embeddedWasmLoader(
  what: string,
  generatedPath: string,
  features: string,
  importGenerated: () => Promise<{ base64: string; maxPages: number }>,
): () => Promise<EmbeddedWasm> {
  let cached: Promise<EmbeddedWasm> | undefined;
  return () => {
    cached ??= (async () => {
      let gen: { base64: string; maxPages: number };
      try {
        gen = await importGenerated();
      } catch (cause) {
        throw new BackendUnavailableError('REBALANCE_WASM_NOT_BUILT', `expected the compiled ${what} in ${generatedPath}, found none; run \`node scripts/build.mjs\``, { cause });
      }
      try {
        return { module: await wasmApi.compile(Buffer.from(gen.base64, 'base64')), maxPages: gen.maxPages };
      } catch (cause) {
        throw new BackendUnavailableError(
          'REBALANCE_WASM_UNSUPPORTED',
          `expected WebAssembly ${features} support, found a runtime that rejects them (${String(cause)}); use Node >= 20`,
          { cause },
        );
      }
    })();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
