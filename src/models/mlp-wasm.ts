/**
 * The MLP's default training engine: rebalance's own WebAssembly SIMD kernels (assembly/mlp.ts),
 * which run a whole epoch of mini-batches (forward pass, weighted cross-entropy,
 * back-propagation, Adam) per call. Same network, loss, L2 penalty and Adam formulation as the
 * tfjs engine (mlp.ts), in float32.
 *
 * Why not tfjs by default: for the default network (16 -> 64 -> 32 -> 1, batches of 200) tfjs-wasm
 * spends most of each step dispatching ~150 small ops from JavaScript: one fit on 18k rows took
 * 11.3 s (36 epochs) on the 2-core dev machine; this engine takes 0.60 s for the same 36 epochs
 * and validation losses equal to 5 digits. Fits run on pooled worker threads (mlpThreads), so
 * `rebalance evaluate` trains several networks at once. `--tf-backend wasm|cpu|webgpu|tensorflow`
 * still trains through tfjs.
 */
import { availableParallelism } from 'node:os';
import { BackendUnavailableError } from '../core/errors.js';
import { embeddedWasmLoader, wasmApi } from '../core/wasm.js';
import { HostPool, hostWorkerSource, type HostReply, type HostWorker } from '../core/worker-host.js';
import type { MlpParams } from './mlp-params.js';

/** Compiles the embedded MLP kernels once; BackendUnavailableError when not built or unsupported. */
const loadMlpWasm = embeddedWasmLoader('MLP kernels', 'src/models/wasm/mlp-wasm.generated.ts', 'SIMD', async () => {
  const specifier = './wasm/mlp-wasm.generated.js';
  const gen = (await import(specifier)) as { MLP_WASM_BASE64: string; MLP_WASM_MAX_PAGES: number };
  return { base64: gen.MLP_WASM_BASE64, maxPages: gen.MLP_WASM_MAX_PAGES };
});

/** Training rows as the engine needs them (row-major standardized x, 0/1 labels, sample weights). */
export interface EngineData {
  readonly x: Float32Array;
  readonly y: Uint8Array;
  readonly s: Float64Array;
  readonly d: number;
  /** The rows whose loss drives early stopping. */
  readonly held: Int32Array;
}

/** Hyper-parameters of every step. */
export interface EngineSettings {
  readonly batch: number;
  readonly learningRate: number;
  readonly l2: number;
}

/** One network being trained in WebAssembly memory (in a worker thread when one is free). */
export interface MlpEngine {
  /** Trains one epoch over these row ids (in this order); resolves to the early-stopping loss. */
  epoch(rows: Int32Array): Promise<number>;
  /** A copy of the current parameters. */
  snapshot(): Promise<Pick<MlpParams, 'weights' | 'biases' | 'alphas'>>;
  /** Frees the memory and returns the worker to the pool. */
  dispose(): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;
/** First byte the engine lays out (below it: the module's own static data, if any). */
const BASE = 65536;
const align16 = (bytes: number): number => Math.ceil(bytes / 16) * 16;
const pad4 = (floats: number): number => Math.ceil(floats / 4) * 4;

/** Everything a host needs: the memory image from BASE, and the kernels' arguments. */
interface Setup {
  readonly base: number;
  readonly pages: number;
  readonly maxPages: number;
  readonly image: ArrayBuffer;
  /** trainEpoch's arguments (assembly/mlp.ts) without `n` (inserted at index 11) and `step0` (appended). */
  readonly train: number[];
  /** meanLoss's arguments (rows = the held rows' region). */
  readonly loss: number[];
  readonly rows: number;
  readonly params: number;
  readonly nParams: number;
}

type Reply = HostReply & { loss?: number; params?: Float32Array };

/**
 * The host of one network: owns its memory and instance and answers messages
 * { type: 'init', module, setup } | { type: 'epoch', rows, n, step0 } -> { loss } |
 * { type: 'params' } -> { params } | { type: 'free' }. Runs in the calling thread, or in a worker
 * as source text (makeHost.toString()), so it must not use anything from this module's scope.
 */
function makeHost(wa: typeof wasmApi): (m: Record<string, unknown>) => Reply {
  let k: Record<string, (...a: number[]) => number> | null = null;
  let memory: { buffer: ArrayBuffer | SharedArrayBuffer } | null = null;
  let setup: Setup | null = null;
  return (m) => {
    if (m.type === 'init') {
      setup = m.setup as Setup;
      memory = new wa.Memory({ initial: setup.pages, maximum: setup.maxPages });
      k = new wa.Instance(m.module as never, { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
      new Uint8Array(memory.buffer, setup.base, setup.image.byteLength).set(new Uint8Array(setup.image));
      return {};
    }
    if (!k || !memory || !setup) throw new Error(`mlp host: '${String(m.type)}' before init`);
    if (m.type === 'epoch') {
      const n = m.n as number;
      new Int32Array(memory.buffer, setup.rows, n).set(m.rows as Int32Array);
      const a = setup.train.slice();
      a.splice(11, 0, n);
      a.push(m.step0 as number);
      k.trainEpoch(...a);
      return { loss: k.meanLoss(...setup.loss) };
    }
    if (m.type === 'params') return { params: new Float32Array(memory.buffer, setup.params, setup.nParams).slice() };
    if (m.type === 'free') {
      k = null;
      memory = null;
      setup = null;
      return {};
    }
    throw new Error(`mlp host: unknown message ${String(m.type)}`);
  };
}

const WORKER_SOURCE = hostWorkerSource(`(${makeHost.toString()})(WebAssembly)`);

let pool: HostPool | undefined;

/**
 * Worker threads the MLP may train on, at most: availableParallelism() by default, or the
 * REBALANCE_MLP_THREADS environment variable (0: train in the calling thread).
 */
export function mlpThreads(): number {
  const env = process.env.REBALANCE_MLP_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 0) return n;
  }
  return Math.max(1, Math.min(availableParallelism(), 8));
}

/** Lays out `init` and the data and returns an engine on a pooled worker (or in this thread). */
export async function createMlpEngine(init: MlpParams, data: EngineData, settings: EngineSettings): Promise<MlpEngine> {
  const wasm = await loadMlpWasm();
  const { sizes } = init;
  const L = sizes.length - 1;
  const n = data.y.length;
  const d = data.d;
  const batch = Math.max(1, Math.min(settings.batch, n));
  const widest = Math.max(...sizes);

  // Parameter layout (float offsets, each block 16-byte aligned): W_l, b_l, a_l per layer.
  const wOff: number[] = [];
  const bOff: number[] = [];
  const aOff: number[] = [];
  let p = 0;
  for (let l = 0; l < L; l++) {
    wOff.push(p);
    p += pad4(sizes[l] * sizes[l + 1]);
    bOff.push(p);
    p += pad4(sizes[l + 1]);
    if (init.alphas[l].length) {
      aOff.push(p);
      p += pad4(sizes[l + 1]);
    } else {
      aOff.push(-1);
    }
  }
  const nParams = p;

  let at = BASE;
  const take = (bytes: number): number => {
    const o = at;
    at = align16(at + bytes);
    return o;
  };
  const net = take((2 + 7 * L) * 4);
  const params = take(nParams * 4);
  const grads = take(nParams * 4);
  const m = take(nParams * 4);
  const v = take(nParams * 4);
  const x = take(n * d * 4);
  const y = take(n * 4);
  const s = take(n * 4);
  const held = take(data.held.length * 4);
  const imageEnd = at; // everything above is scratch, filled by the kernels
  const rows = take(n * 4);
  const h0 = take(batch * d * 4);
  const dA = take(batch * widest * 4);
  const dH = take(batch * widest * 4);
  const wt = take(widest * widest * 4);
  const act: number[] = [];
  const post: number[] = [];
  for (let l = 0; l < L; l++) {
    act.push(take(batch * sizes[l + 1] * 4));
    post.push(take(batch * sizes[l + 1] * 4));
  }
  const pages = Math.ceil(at / 65536);
  if (pages > wasm.maxPages) {
    throw new BackendUnavailableError('REBALANCE_MLP_TOO_LARGE', `expected the MLP's training data to fit 2 GiB of WebAssembly memory, it needs ${at} bytes; use --tf-backend wasm`);
  }

  // The memory image from BASE to imageEnd: layer table, parameters (moments start at zero), data.
  const image = new ArrayBuffer(imageEnd - BASE);
  const view = (Ctor: typeof Float32Array | typeof Int32Array, offset: number, length: number) => new Ctor(image, offset - BASE, length);
  const table = view(Int32Array, net, 2 + 7 * L);
  table[0] = L;
  table[1] = init.activation === 'prelu' ? 1 : 0;
  for (let l = 0; l < L; l++) {
    table.set([sizes[l], sizes[l + 1], wOff[l] * 4, bOff[l] * 4, aOff[l] < 0 ? -1 : aOff[l] * 4, act[l], post[l]], 2 + 7 * l);
  }
  const P = view(Float32Array, params, nParams);
  for (let l = 0; l < L; l++) {
    P.set(init.weights[l], wOff[l]);
    P.set(init.biases[l], bOff[l]);
    if (aOff[l] >= 0) P.set(init.alphas[l], aOff[l]);
  }
  view(Float32Array, x, n * d).set(data.x.subarray(0, n * d));
  view(Float32Array, y, n).set(data.y);
  view(Float32Array, s, n).set(data.s);
  view(Int32Array, held, data.held.length).set(data.held);
  const setup: Setup = {
    base: BASE,
    pages,
    maxPages: wasm.maxPages,
    image,
    train: [net, params, grads, m, v, nParams, x, y, s, d, rows, batch, h0, dA, dH, wt, settings.learningRate, settings.l2, BETA1, BETA2, EPSILON],
    loss: [net, params, x, y, s, d, held, data.held.length, batch, h0],
    rows,
    params,
    nParams,
  };

  const threads = mlpThreads();
  let worker: HostWorker | undefined;
  let release = (): void => {};
  let call: (msg: Record<string, unknown>, transfer?: ArrayBuffer[]) => Promise<Reply>;
  if (threads > 0) {
    if (pool?.size !== threads) pool = new HostPool(threads, WORKER_SOURCE, 'mlp');
    const owner = pool;
    const w = await owner.acquire();
    release = () => owner.release(w);
    worker = w;
    call = (msg, transfer) => w.call(msg, transfer) as Promise<Reply>;
  } else {
    const handle = makeHost(wasmApi);
    call = async (msg) => handle(msg);
  }
  try {
    await call({ type: 'init', module: wasm.module, setup }, [image]);
  } catch (e) {
    release();
    throw e;
  }

  let steps = 0;
  let disposed = false;
  const unpack = (flat: Float32Array): Pick<MlpParams, 'weights' | 'biases' | 'alphas'> => ({
    weights: wOff.map((o, l) => flat.slice(o, o + sizes[l] * sizes[l + 1])),
    biases: bOff.map((o, l) => flat.slice(o, o + sizes[l + 1])),
    alphas: aOff.map((o, l) => (o < 0 ? new Float32Array(0) : flat.slice(o, o + sizes[l + 1]))),
  });
  return {
    async epoch(order: Int32Array): Promise<number> {
      const r = await call({ type: 'epoch', rows: order, n: order.length, step0: steps });
      steps += Math.ceil(order.length / batch);
      return r.loss as number;
    },
    async snapshot() {
      const r = await call({ type: 'params' });
      return unpack(r.params as Float32Array);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      if (worker) {
        const w = worker;
        void w.call({ type: 'free' }).catch(() => undefined).finally(release);
      }
    },
  };
}
