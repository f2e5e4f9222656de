/**
 * Opens the kNN backend a command asked for (--knn-backend auto|cpu|webgpu).
 *
 * 'auto' decides per index: the cpu backend for small problems; WebGPU when a hardware adapter
 * exists and the brute-force work (rows x rows x dims) passes GPU_MIN_WORK, where upload, dispatch
 * and readback costs are repaid. Software adapters (llvmpipe) never win against the cpu backend,
 * so 'auto' never picks them. If the GPU fails once 'auto' chose it (device lost, out of memory,
 * a driver error: REBALANCE_WEBGPU_FAILED), the search is answered on the cpu backend instead,
 * with the same results, and later indexes stay on the cpu. Which backend ran, and why, goes to
 * the log (stderr). An explicit 'webgpu' never falls back: its failures are errors (exit 5).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackendUnavailableError } from '../core/errors.js';
import type { KnnBackend, KnnProgress, KnnResult, NeighborIndex } from '../types.js';
import { createCpuBackend, type CpuAlgorithm } from './cpu.js';

/** rows x rows x dims above which a hardware GPU is used by 'auto' (see BENCHMARKS.md). */
export const GPU_MIN_WORK = 2e10;

export interface OpenKnnOptions {
  readonly backend?: 'auto' | 'cpu' | 'webgpu';
  readonly algorithm?: CpuAlgorithm;
  /** Worker threads of the cpu search and of the webgpu re-rank (default: all cores; webgpu at most 8). */
  readonly threads?: number;
  readonly log?: (message: string) => void;
  /** Told how many query rows of each search are answered (a progress display; see KnnProgress). */
  readonly onProgress?: KnnProgress;
  /** Stops long searches early (they reject with its reason): Ctrl-C in the CLI. */
  readonly signal?: AbortSignal;
}

export async function openKnn(options: OpenKnnOptions = {}): Promise<KnnBackend> {
  const backend = options.backend ?? 'auto';
  const log = options.log ?? (() => undefined);
  const { onProgress, signal } = options;
  const cpu = (): KnnBackend => createCpuBackend({ threads: options.threads, algorithm: options.algorithm, onProgress, signal });
  if (backend === 'cpu') return cpu();
  if (backend === 'webgpu') {
    const { createWebgpuBackend } = await import('./webgpu/index.js');
    // The backend itself logs the adapter it opened.
    return createWebgpuBackend({ log, rerankThreads: options.threads, onProgress, signal });
  }
  return createAutoBackend(cpu(), log, { threads: options.threads, onProgress, signal });
}

/**
 * Whether the Vulkan loader (libvulkan.so.1) is installed: without it no hardware adapter can
 * exist on Linux, and probing Dawn would only print its warnings on stderr.
 */
export function hasVulkanLoader(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/usr/local/lib',
  ];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}

/** The hardware GPU backend 'auto' may use, or null (with the reason logged) when there is none. */
async function openHardwareGpu(
  log: (m: string) => void, threads: number | undefined, onProgress: KnnProgress | undefined, signal: AbortSignal | undefined,
): Promise<KnnBackend | null> {
  if (!hasVulkanLoader()) {
    log('kNN backend: cpu (no Vulkan loader, so no hardware GPU: apt-get install libvulkan1 and a GPU driver to use one)');
    return null;
  }
  try {
    const { createWebgpuBackend } = await import('./webgpu/index.js');
    return await createWebgpuBackend({ requireGpu: true, log, rerankThreads: threads, onProgress, signal });
  } catch (e) {
    log(`kNN backend: cpu (no usable hardware GPU: ${(e as Error).message.split(';')[0]})`);
    return null;
  }
}

/** A device failure during a WebGPU build or search (not a data or usage error). */
function isGpuFailure(e: unknown): e is BackendUnavailableError {
  return e instanceof BackendUnavailableError && e.code === 'REBALANCE_WEBGPU_FAILED';
}

export interface AutoBackendOptions {
  /** rows x rows x dims from which the GPU is used (default GPU_MIN_WORK). */
  readonly minWork?: number;
  /**
   * Opens the GPU backend the first time a problem is large enough; null when there is none (the
   * opener logs why). Default: the hardware WebGPU adapter, if the Vulkan loader exists.
   */
  readonly openGpu?: () => Promise<KnnBackend | null>;
  readonly threads?: number;
  /** Passed to the default GPU opener's backend (the cpu backend gets its own from the caller). */
  readonly onProgress?: KnnProgress;
  readonly signal?: AbortSignal;
}

/**
 * The 'auto' backend over `cpu`: see the module comment. Exported for tests, which inject the
 * GPU opener (CI machines have no hardware adapter).
 */
export function createAutoBackend(cpu: KnnBackend, log: (m: string) => void, options: AutoBackendOptions = {}): KnnBackend {
  const minWork = options.minWork ?? GPU_MIN_WORK;
  const open = options.openGpu ?? (() => openHardwareGpu(log, options.threads, options.onProgress, options.signal));
  let gpu: Promise<KnnBackend | null> | null = null;
  let broken = false;
  // What the log last said about the choice: a line only when it changes, none after it said
  // the cpu will answer everything (no GPU here, or the GPU failed).
  let said: 'small' | 'gpu' | 'no-gpu' | null = null;
  const say = (what: 'small' | 'gpu', m: string): void => {
    if (said === 'no-gpu' || said === what) return;
    log(m);
    said = what;
  };
  /** Logs a GPU failure once and sends this and every later index to the cpu backend. */
  const failOver = (e: BackendUnavailableError): void => {
    if (!broken) log(`kNN backend: cpu from here on (the GPU failed: ${e.message.split(';')[0]}); same results, more time`);
    broken = true;
    said = 'no-gpu';
  };
  /** A GPU index whose searches move to a cpu index of the same points if the GPU fails. */
  const guarded = (index: NeighborIndex, points: Float32Array, dim: number): NeighborIndex => {
    let onCpu: Promise<NeighborIndex> | null = null;
    let gpuIndex: NeighborIndex | null = index;
    const run = async (search: (i: NeighborIndex) => Promise<KnnResult>): Promise<KnnResult> => {
      if (gpuIndex && !broken) {
        try {
          return await search(gpuIndex);
        } catch (e) {
          if (!isGpuFailure(e)) throw e;
          failOver(e);
        }
      }
      if (gpuIndex) {
        gpuIndex.dispose();
        gpuIndex = null;
      }
      onCpu ??= cpu.build(points, dim);
      return search(await onCpu);
    };
    return {
      size: index.size,
      dim: index.dim,
      query: (q, k) => run((i) => i.query(q, k)),
      querySelf: (k) => run((i) => i.querySelf(k)),
      dispose(): void {
        gpuIndex?.dispose();
        gpuIndex = null;
        void onCpu?.then((i) => i.dispose(), () => undefined);
      },
    };
  };
  return {
    name: 'auto',
    async build(points: Float32Array, dim: number): Promise<NeighborIndex> {
      const n = points.length / dim;
      if (n * n * dim < minWork) {
        say('small', `kNN backend: cpu (${n} rows x ${dim} dims is below the GPU threshold)`);
        return cpu.build(points, dim);
      }
      gpu ??= open();
      const g = broken ? null : await gpu;
      if (!g) {
        said = 'no-gpu'; // the opener (or failOver) said why
        return cpu.build(points, dim);
      }
      say('gpu', `kNN backend: webgpu (${n} rows x ${dim} dims is large enough for the GPU)`);
      try {
        return guarded(await g.build(points, dim), points, dim);
      } catch (e) {
        if (!isGpuFailure(e)) throw e;
        failOver(e);
        return cpu.build(points, dim);
      }
    },
    async dispose() {
      await cpu.dispose();
      const g = gpu ? await gpu : null;
      if (g) await g.dispose();
    },
  };
}
