/**
 * Opens the kNN backend a command asked for (--knn-backend auto|cpu|webgpu).
 *
 * 'auto' decides per index: the cpu backend for small problems; WebGPU when a hardware adapter
 * exists and the brute-force work (rows x rows x dims) passes GPU_MIN_WORK, where upload, dispatch
 * and readback costs are repaid. Software adapters (llvmpipe) never win against the cpu backend,
 * so 'auto' never picks them. Which backend ran, and why, goes to the log (stderr).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KnnBackend, NeighborIndex } from '../types.js';
import { createCpuBackend, type CpuAlgorithm } from './cpu.js';

/** rows x rows x dims above which a hardware GPU is used by 'auto' (see BENCHMARKS.md). */
export const GPU_MIN_WORK = 2e10;

export interface OpenKnnOptions {
  readonly backend?: 'auto' | 'cpu' | 'webgpu';
  readonly algorithm?: CpuAlgorithm;
  /** Worker threads of the cpu search and of the webgpu re-rank (default: all cores; webgpu at most 8). */
  readonly threads?: number;
  readonly log?: (message: string) => void;
}

export async function openKnn(options: OpenKnnOptions = {}): Promise<KnnBackend> {
  const backend = options.backend ?? 'auto';
  const log = options.log ?? (() => undefined);
  const cpu = (): KnnBackend => createCpuBackend({ threads: options.threads, algorithm: options.algorithm });
  if (backend === 'cpu') return cpu();
  if (backend === 'webgpu') {
    const { createWebgpuBackend } = await import('./webgpu/index.js');
    // The backend itself logs the adapter it opened.
    return createWebgpuBackend({ log, rerankThreads: options.threads });
  }
  return createAutoBackend(cpu(), log, options.threads);
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

function createAutoBackend(cpu: KnnBackend, log: (m: string) => void, threads: number | undefined): KnnBackend {
  let gpu: Promise<KnnBackend | null> | null = null;
  let said = false;
  const openGpu = (): Promise<KnnBackend | null> => {
    gpu ??= (async () => {
      if (!hasVulkanLoader()) {
        log('kNN backend: cpu (no Vulkan loader, so no hardware GPU: apt-get install libvulkan1 and a GPU driver to use one)');
        said = true;
        return null;
      }
      try {
        const { createWebgpuBackend } = await import('./webgpu/index.js');
        return await createWebgpuBackend({ requireGpu: true, log, rerankThreads: threads });
      } catch (e) {
        log(`kNN backend: cpu (no hardware WebGPU adapter: ${(e as Error).message.split(';')[0]})`);
        said = true;
        return null;
      }
    })();
    return gpu;
  };
  return {
    name: 'auto',
    async build(points: Float32Array, dim: number): Promise<NeighborIndex> {
      const n = points.length / dim;
      if (n * n * dim >= GPU_MIN_WORK) {
        const g = await openGpu();
        if (g) {
          if (!said) log(`kNN backend: webgpu (${n} rows x ${dim} dims is large enough for the GPU)`);
          said = true;
          return g.build(points, dim);
        }
      } else if (!said) {
        log(`kNN backend: cpu (${n} rows x ${dim} dims is below the GPU threshold)`);
        said = true;
      }
      return cpu.build(points, dim);
    },
    async dispose() {
      await cpu.dispose();
      const g = gpu ? await gpu : null;
      if (g) await g.dispose();
    },
  };
}
