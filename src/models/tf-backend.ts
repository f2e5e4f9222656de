/**
 * Chooses and initialises the tfjs backend the neural models train on. tfjs keeps its backend
 * in global engine state, so this is the one place that sets it; everything is loaded lazily
 * (dynamic import) so commands that never train a network do not pay tfjs's start-up.
 *
 * - 'wasm' (default): @tensorflow/tfjs-backend-wasm; in Node its .wasm binaries are loaded from
 *   the package's dist/ folder. Falls back to 'cpu' with a notice when it cannot start.
 * - 'cpu': tfjs's pure-JS kernels (always available, slowest).
 * - 'webgpu': @tensorflow/tfjs-backend-webgpu when the user installed it and an adapter exists.
 * - 'tensorflow': the native TensorFlow bindings of @tensorflow/tfjs-node-gpu or
 *   @tensorflow/tfjs-node, when the user installed one of them.
 *
 * Measured (this 2-core machine, MLP [64, 32], 20 epochs, warm backend): pima (768 x 8)
 * wasm 0.40 s vs cpu 1.30 s; optical_digits (1797 x 64) wasm 0.82 s vs cpu 4.60 s. For one
 * seed both backends' scores agreed within 6e-8 (float32 rounding): a fallback costs speed only.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendUnavailableError } from '../core/errors.js';

export type TfBackendName = 'wasm' | 'cpu' | 'webgpu' | 'tensorflow';
export const TF_BACKENDS: readonly TfBackendName[] = ['wasm', 'cpu', 'webgpu', 'tensorflow'];

export type Tf = typeof import('@tensorflow/tfjs');

export interface TfSetup {
  readonly tf: Tf;
  /** The backend actually in use (differs from the request after a fallback). */
  readonly backend: string;
}

/** Imports a module whose name is only known at run time (optional peer packages). */
async function importOptional(name: string): Promise<unknown> {
  return import(name);
}

let loading: Promise<Tf> | undefined;
async function loadTf(): Promise<Tf> {
  loading ??= import('@tensorflow/tfjs').then((tf) => {
    // PROD skips tfjs debug checks and its "install tfjs-node" console banner (stdout is data).
    tf.env().set('PROD', true);
    return tf;
  });
  return loading;
}

async function useWasm(tf: Tf): Promise<void> {
  if (!tf.findBackend('wasm')) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(dist + '/');
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  await tf.ready();
}

/**
 * Makes `backend` the active tfjs backend and returns tfjs. `log` receives a one-line notice
 * when wasm falls back to cpu. Throws BackendUnavailableError REBALANCE_TF_UNAVAILABLE when an
 * optional backend ('tensorflow', 'webgpu') is not installed or cannot start.
 */
export async function setupTf(backend: TfBackendName = 'wasm', log: (message: string) => void = () => {}): Promise<TfSetup> {
  if (backend === 'tensorflow') {
    let lastError: unknown;
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        const tf = (await importOptional(pkg)) as Tf;
        tf.env().set('PROD', true);
        if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} did not register the 'tensorflow' backend`);
        await tf.ready();
        return { tf, backend: 'tensorflow' };
      } catch (e) {
        lastError = e;
      }
    }
    throw new BackendUnavailableError(
      'REBALANCE_TF_UNAVAILABLE',
      "tfjs backend 'tensorflow' needs @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu), which could not be loaded; run `npm install @tensorflow/tfjs-node` or use --tf-backend wasm",
      { cause: lastError },
    );
  }
  const tf = await loadTf();
  if (tf.getBackend() === backend && backend !== 'webgpu') return { tf, backend };
  if (backend === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu' };
  }
  if (backend === 'webgpu') {
    try {
      if (!tf.findBackend('webgpu')) await importOptional('@tensorflow/tfjs-backend-webgpu');
      if (!(await tf.setBackend('webgpu'))) throw new Error('no WebGPU adapter');
      await tf.ready();
      return { tf, backend: 'webgpu' };
    } catch (e) {
      throw new BackendUnavailableError(
        'REBALANCE_TF_UNAVAILABLE',
        "tfjs backend 'webgpu' needs @tensorflow/tfjs-backend-webgpu and a WebGPU adapter, which are not available here; run `npm install @tensorflow/tfjs-backend-webgpu` or use --tf-backend wasm",
        { cause: e },
      );
    }
  }
  try {
    await useWasm(tf);
    return { tf, backend: 'wasm' };
  } catch (e) {
    log(`tfjs wasm backend unavailable (${e instanceof Error ? e.message : String(e)}); using the slower cpu backend`);
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, backend: 'cpu' };
  }
}
