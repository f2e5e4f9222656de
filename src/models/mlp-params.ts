/**
 * Parameters of the multilayer perceptron, their initialisation, and the pure-JS forward pass
 * used for scoring (so a fitted or loaded network scores identically without tfjs).
 */
import type { Rng } from '../core/rng.js';

export type MlpActivation = 'prelu' | 'relu';

/** Initial PReLU slope (He et al. 2015). */
export const PRELU_INIT = 0.25;

/** Dense layer l maps sizes[l] inputs to sizes[l + 1] outputs; the last layer has 1 output (a logit). */
export interface MlpParams {
  readonly sizes: readonly number[];
  readonly activation: MlpActivation;
  /** Row-major sizes[l] x sizes[l + 1] kernels. */
  readonly weights: Float32Array[];
  readonly biases: Float32Array[];
  /** PReLU slopes per unit of each hidden layer (empty arrays for 'relu'). */
  readonly alphas: Float32Array[];
}

/**
 * He initialisation std for a layer with `fanIn` inputs whose outputs go through a rectifier:
 * sqrt(2 / ((1 + a^2) fanIn)) for PReLU with slope a (He et al. 2015, eq. 10), which is
 * sqrt(2 / fanIn) for ReLU (a = 0).
 */
export function heStd(fanIn: number, activation: MlpActivation, a = PRELU_INIT): number {
  const slope = activation === 'prelu' ? a : 0;
  return Math.sqrt(2 / ((1 + slope * slope) * fanIn));
}

/**
 * Fresh parameters: every kernel ~ N(0, heStd(fanIn)) drawn from `rng` (the output layer too:
 * its inputs are rectified units, the case the derivation covers), zero biases, PReLU slopes
 * PRELU_INIT.
 */
export function initMlpParams(sizes: readonly number[], activation: MlpActivation, rng: Rng): MlpParams {
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  const alphas: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const std = heStd(fanIn, activation);
    const w = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < w.length; i++) w[i] = std * rng.nextNormal();
    weights.push(w);
    biases.push(new Float32Array(fanOut));
    const hidden = l + 2 < sizes.length;
    alphas.push(hidden && activation === 'prelu' ? new Float32Array(fanOut).fill(PRELU_INIT) : new Float32Array(0));
  }
  return { sizes, activation, weights, biases, alphas };
}

/** Positive-class probabilities of row-major standardized inputs x (n x sizes[0]). */
export function mlpForward(p: MlpParams, x: Float32Array, n: number): Float32Array {
  const layers = p.sizes.length - 1;
  let input = Float64Array.from(x);
  for (let l = 0; l < layers; l++) {
    const fin = p.sizes[l];
    const fout = p.sizes[l + 1];
    const w = p.weights[l];
    const b = p.biases[l];
    const out = new Float64Array(n * fout);
    for (let i = 0; i < n; i++) {
      const row = i * fin;
      const o = i * fout;
      for (let u = 0; u < fout; u++) out[o + u] = b[u];
      for (let k = 0; k < fin; k++) {
        const xv = input[row + k];
        if (xv === 0) continue;
        const wr = k * fout;
        for (let u = 0; u < fout; u++) out[o + u] += xv * w[wr + u];
      }
    }
    if (l + 1 < layers) {
      const a = p.alphas[l];
      const prelu = p.activation === 'prelu';
      for (let i = 0; i < n; i++) {
        for (let u = 0; u < fout; u++) {
          const v = out[i * fout + u];
          if (v < 0) out[i * fout + u] = prelu ? a[u] * v : 0;
        }
      }
    }
    input = out;
  }
  const score = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const z = input[i];
    score[i] = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
  return score;
}
