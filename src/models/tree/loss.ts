/**
 * The logistic loss's gradients and hessians, the one loop both gbdt engines run: the TypeScript
 * path calls it, and the WebAssembly engine's worker threads run its source text (hist-wasm.ts)
 * on blocks of rows, so every row's numbers come from the same expressions and the same
 * Math.exp, whatever the thread count. It must not refer to anything outside itself.
 */
export function logisticGradients(raw: Float64Array, y: Uint8Array, w: Float64Array, g: Float64Array, h: Float64Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) {
    const z = raw[i];
    let p: number;
    if (z >= 0) p = 1 / (1 + Math.exp(-z));
    else {
      const e = Math.exp(z);
      p = e / (1 + e);
    }
    g[i] = (p - y[i]) * w[i];
    h[i] = p * (1 - p) * w[i];
  }
}
