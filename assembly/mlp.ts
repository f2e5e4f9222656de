// Training kernels of rebalance's MLP (compiled by scripts/build-wasm.mjs into its own module, with
// SIMD): forward pass, weighted binary cross-entropy, back-propagation through PReLU/ReLU layers
// and Adam, for whole epochs of mini-batches in one call, so no JavaScript runs per batch.
// No allocation: JavaScript (src/models/mlp-wasm.ts) lays out every region and passes offsets.
//
// The network: sizes[0] inputs, hidden layers, one output logit. Layer l maps in_l -> out_l with
// W_l (in_l x out_l, row-major), bias b_l (out_l) and, for hidden layers with PReLU, slopes a_l
// (out_l). Parameters, gradients, Adam's first and second moments are four regions of the same
// layout (offsets relative to each region's start), padded to a multiple of 4 floats.
//
// The layer table `net` (i32 words): [L, prelu (1) or relu (0), then per layer l:
// in, out, wOff, bOff, aOff (-1 without slopes), actOff (pre-activations, batch x out),
// outOff (post-activations for hidden layers, batch x out)], the act/out offsets absolute.
// Everything is float32 like tfjs; loss sums accumulate in float64.

// @ts-ignore: decorator
@inline
function word(net: usize, i: i32): i32 {
  return load<i32>(net + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function field(net: usize, l: i32, f: i32): i32 {
  return word(net, 2 + 7 * l + f);
}

/** a[0..n) += s * b[0..n) (f32), SIMD over 4 lanes with a scalar tail. */
// @ts-ignore: decorator
@inline
function axpy(a: usize, b: usize, s: f32, n: i32): void {
  const sv = f32x4.splat(s);
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const p = <usize>o << 2;
    v128.store(a + p, f32x4.add(v128.load(a + p), f32x4.mul(sv, v128.load(b + p))));
  }
  for (; o < n; o++) {
    const p = <usize>o << 2;
    store<f32>(a + p, load<f32>(a + p) + s * load<f32>(b + p));
  }
}

/**
 * out[i, :] = (bias, or zeros when bias is 0) + sum_k a[i, k] m[k, :] for i < rows, with a
 * (rows x K), m (K x N) and out (rows x N) row-major. Register tiles of 2 rows x 16 columns (eight
 * f32x4 accumulators): each vector of m loaded serves two rows; leftover columns and rows run scalar.
 */
function matmulRows(a: usize, m: usize, out: usize, bias: usize, rows: i32, K: i32, N: i32): void {
  const nb = N & ~15;
  const rowA = <usize>K << 2;
  const rowN = <usize>N << 2;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 2 <= rows; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const o0 = out + <usize>i * rowN;
    const o1 = o0 + rowN;
    for (let c = 0; c < nb; c += 16) {
      const cb = <usize>c << 2;
      let x0 = bias ? v128.load(bias + cb) : zero;
      let x1 = bias ? v128.load(bias + cb, 16) : zero;
      let x2 = bias ? v128.load(bias + cb, 32) : zero;
      let x3 = bias ? v128.load(bias + cb, 48) : zero;
      let y0 = x0;
      let y1 = x1;
      let y2 = x2;
      let y3 = x3;
      for (let k = 0; k < K; k++) {
        const mk = m + <usize>k * rowN + cb;
        const w0 = v128.load(mk);
        const w1 = v128.load(mk, 16);
        const w2 = v128.load(mk, 32);
        const w3 = v128.load(mk, 48);
        const s0 = f32x4.splat(load<f32>(a0 + (<usize>k << 2)));
        const s1 = f32x4.splat(load<f32>(a1 + (<usize>k << 2)));
        x0 = f32x4.add(x0, f32x4.mul(s0, w0));
        x1 = f32x4.add(x1, f32x4.mul(s0, w1));
        x2 = f32x4.add(x2, f32x4.mul(s0, w2));
        x3 = f32x4.add(x3, f32x4.mul(s0, w3));
        y0 = f32x4.add(y0, f32x4.mul(s1, w0));
        y1 = f32x4.add(y1, f32x4.mul(s1, w1));
        y2 = f32x4.add(y2, f32x4.mul(s1, w2));
        y3 = f32x4.add(y3, f32x4.mul(s1, w3));
      }
      v128.store(o0 + cb, x0);
      v128.store(o0 + cb, x1, 16);
      v128.store(o0 + cb, x2, 32);
      v128.store(o0 + cb, x3, 48);
      v128.store(o1 + cb, y0);
      v128.store(o1 + cb, y1, 16);
      v128.store(o1 + cb, y2, 32);
      v128.store(o1 + cb, y3, 48);
    }
    for (let c = nb; c < N; c++) {
      let t0: f32 = bias ? load<f32>(bias + (<usize>c << 2)) : 0;
      let t1 = t0;
      for (let k = 0; k < K; k++) {
        const w = load<f32>(m + <usize>k * rowN + (<usize>c << 2));
        t0 += load<f32>(a0 + (<usize>k << 2)) * w;
        t1 += load<f32>(a1 + (<usize>k << 2)) * w;
      }
      store<f32>(o0 + (<usize>c << 2), t0);
      store<f32>(o1 + (<usize>c << 2), t1);
    }
  }
  for (; i < rows; i++) {
    const a0 = a + <usize>i * rowA;
    const o0 = out + <usize>i * rowN;
    if (bias) memory.copy(o0, bias, rowN);
    else memory.fill(o0, 0, rowN);
    for (let k = 0; k < K; k++) axpy(o0, m + <usize>k * rowN, load<f32>(a0 + (<usize>k << 2)), N);
  }
}

/**
 * out[k, :] += sum_i h[i, k] d[i, :] for k < K, with h (rows x K), d (rows x N), out (K x N).
 * Register tiles of 2 k x 16 columns; each vector of d loaded serves two k.
 */
function matmulTN(h: usize, d: usize, out: usize, rows: i32, K: i32, N: i32): void {
  const nb = N & ~15;
  const rowK = <usize>K << 2;
  const rowN = <usize>N << 2;
  let k = 0;
  for (; k + 2 <= K; k += 2) {
    const o0 = out + <usize>k * rowN;
    const o1 = o0 + rowN;
    const hk = h + (<usize>k << 2);
    for (let c = 0; c < nb; c += 16) {
      const cb = <usize>c << 2;
      let x0 = v128.load(o0 + cb);
      let x1 = v128.load(o0 + cb, 16);
      let x2 = v128.load(o0 + cb, 32);
      let x3 = v128.load(o0 + cb, 48);
      let y0 = v128.load(o1 + cb);
      let y1 = v128.load(o1 + cb, 16);
      let y2 = v128.load(o1 + cb, 32);
      let y3 = v128.load(o1 + cb, 48);
      for (let i = 0; i < rows; i++) {
        const di = d + <usize>i * rowN + cb;
        const v0 = v128.load(di);
        const v1 = v128.load(di, 16);
        const v2 = v128.load(di, 32);
        const v3 = v128.load(di, 48);
        const hi = hk + <usize>i * rowK;
        const s0 = f32x4.splat(load<f32>(hi));
        const s1 = f32x4.splat(load<f32>(hi, 4));
        x0 = f32x4.add(x0, f32x4.mul(s0, v0));
        x1 = f32x4.add(x1, f32x4.mul(s0, v1));
        x2 = f32x4.add(x2, f32x4.mul(s0, v2));
        x3 = f32x4.add(x3, f32x4.mul(s0, v3));
        y0 = f32x4.add(y0, f32x4.mul(s1, v0));
        y1 = f32x4.add(y1, f32x4.mul(s1, v1));
        y2 = f32x4.add(y2, f32x4.mul(s1, v2));
        y3 = f32x4.add(y3, f32x4.mul(s1, v3));
      }
      v128.store(o0 + cb, x0);
      v128.store(o0 + cb, x1, 16);
      v128.store(o0 + cb, x2, 32);
      v128.store(o0 + cb, x3, 48);
      v128.store(o1 + cb, y0);
      v128.store(o1 + cb, y1, 16);
      v128.store(o1 + cb, y2, 32);
      v128.store(o1 + cb, y3, 48);
    }
    for (let c = nb; c < N; c++) {
      let t0 = load<f32>(o0 + (<usize>c << 2));
      let t1 = load<f32>(o1 + (<usize>c << 2));
      for (let i = 0; i < rows; i++) {
        const v = load<f32>(d + <usize>i * rowN + (<usize>c << 2));
        t0 += load<f32>(hk + <usize>i * rowK) * v;
        t1 += load<f32>(hk + <usize>i * rowK, 4) * v;
      }
      store<f32>(o0 + (<usize>c << 2), t0);
      store<f32>(o1 + (<usize>c << 2), t1);
    }
  }
  for (; k < K; k++) {
    const o0 = out + <usize>k * rowN;
    for (let i = 0; i < rows; i++) axpy(o0, d + <usize>i * rowN, load<f32>(h + <usize>i * rowK + (<usize>k << 2)), N);
  }
}

/** t (N x K) = m^T for m (K x N). */
function transpose(m: usize, t: usize, K: i32, N: i32): void {
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < N; c++) store<f32>(t + ((<usize>c * <usize>K + <usize>k) << 2), load<f32>(m + ((<usize>k * <usize>N + <usize>c) << 2)));
  }
}

/** Copies rows rows[start..start+count) of x (n x d) into h0 (count x d). */
function gather(x: usize, d: i32, rows: usize, start: i32, count: i32, h0: usize): void {
  const rowBytes = <usize>d << 2;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(rows + (<usize>(start + i) << 2));
    memory.copy(h0 + <usize>i * rowBytes, x + <usize>r * rowBytes, rowBytes);
  }
}

/** Forward pass of `count` rows from h0; the logits end in layer L-1's act region. */
function forward(net: usize, params: usize, h0: usize, count: i32): void {
  const L = word(net, 0);
  const prelu = word(net, 1) != 0;
  let h = h0;
  for (let l = 0; l < L; l++) {
    const nin = field(net, l, 0);
    const nout = field(net, l, 1);
    const w = params + <usize>field(net, l, 2);
    const b = params + <usize>field(net, l, 3);
    const act = <usize>field(net, l, 5);
    const outBytes = <usize>nout << 2;
    matmulRows(h, w, act, b, count, nin, nout);
    if (l + 1 < L) {
      const post = <usize>field(net, l, 6);
      const aOff = field(net, l, 4);
      // Branch-free (the sign of a pre-activation is a coin flip): v > 0 ? v : slope * v.
      const zero = f32x4.splat(0);
      const slopes = params + <usize>aOff;
      const nv = nout & ~3;
      for (let i = 0; i < count; i++) {
        const row = act + <usize>i * outBytes;
        const dst = post + <usize>i * outBytes;
        let o = 0;
        for (; o < nv; o += 4) {
          const p = <usize>o << 2;
          const v = v128.load(row + p);
          const neg = prelu ? f32x4.mul(v, v128.load(slopes + p)) : zero;
          v128.store(dst + p, v128.bitselect(v, neg, f32x4.gt(v, zero)));
        }
        for (; o < nout; o++) {
          const v = load<f32>(row + (<usize>o << 2));
          const slope: f32 = prelu ? load<f32>(slopes + (<usize>o << 2)) : 0;
          store<f32>(dst + (<usize>o << 2), v > 0 ? v : slope * v);
        }
      }
      h = post;
    }
  }
}

/** Weighted cross-entropy of one logit z against label y (0/1), numerically stable. */
// @ts-ignore: decorator
@inline
function crossEntropy(z: f32, y: f32): f64 {
  const az = Mathf.abs(z);
  return <f64>((z > 0 ? z : 0) - z * y) + Math.log1p(Math.exp(-<f64>az));
}

/**
 * Back-propagation of one batch into the gradient region (overwritten), for the loss
 * mean_i(s_i ce_i) + l2 / (2 count) * sum W^2. dA (count x max width) and dH are scratch.
 */
function backward(
  net: usize, params: usize, grads: usize, h0: usize, count: i32,
  y: usize, s: usize, rows: usize, start: i32, l2: f32, dA: usize, dH: usize, wt: usize,
): void {
  const L = word(net, 0);
  const prelu = word(net, 1) != 0;
  const inv: f32 = 1 / <f32>count;
  // Output layer (one logit): dz_i = (sigmoid(z_i) - y_i) s_i / count.
  const zAct = <usize>field(net, L - 1, 5);
  for (let i = 0; i < count; i++) {
    const r = <usize>load<i32>(rows + (<usize>(start + i) << 2));
    const z = load<f32>(zAct + (<usize>i << 2));
    const p: f32 = z >= 0 ? 1 / (1 + Mathf.exp(-z)) : Mathf.exp(z) / (1 + Mathf.exp(z));
    store<f32>(dA + (<usize>i << 2), (p - load<f32>(y + (r << 2))) * load<f32>(s + (r << 2)) * inv);
  }
  let cur = dA;
  let other = dH;
  for (let l = L - 1; l >= 0; l--) {
    const nin = field(net, l, 0);
    const nout = field(net, l, 1);
    const w = params + <usize>field(net, l, 2);
    const gw = grads + <usize>field(net, l, 2);
    const gb = grads + <usize>field(net, l, 3);
    const outBytes = <usize>nout << 2;
    const h = l == 0 ? h0 : <usize>field(net, l - 1, 6);
    // dW = H^T dA + (l2 / count) W; db = sum_i dA_i.
    const decay = l2 * inv;
    for (let k = 0; k < nin; k++) {
      const gk = gw + <usize>k * outBytes;
      const wk = w + <usize>k * outBytes;
      for (let o = 0; o < nout; o++) store<f32>(gk + (<usize>o << 2), decay * load<f32>(wk + (<usize>o << 2)));
    }
    memory.fill(gb, 0, outBytes);
    matmulTN(h, cur, gw, count, nin, nout);
    for (let i = 0; i < count; i++) axpy(gb, cur + <usize>i * outBytes, 1, nout);
    if (l == 0) break;
    // dH_{l-1} = dA W^T (through a transposed copy of W), then through layer l-1's activation.
    transpose(w, wt, nin, nout);
    matmulRows(cur, wt, other, 0, count, nout, nin);
    const prevAct = <usize>field(net, l - 1, 5);
    const aOff = field(net, l - 1, 4);
    const ga = grads + <usize>aOff;
    const pa = params + <usize>aOff;
    if (prelu) memory.fill(ga, 0, <usize>nin << 2);
    // Branch-free: dA = v > 0 ? g : slope * g; dSlope += v > 0 ? 0 : g * v.
    const zero = f32x4.splat(0);
    const nv = nin & ~3;
    for (let i = 0; i < count; i++) {
      const dst = other + ((<usize>i * <usize>nin) << 2);
      const pre = prevAct + ((<usize>i * <usize>nin) << 2);
      let k = 0;
      for (; k < nv; k += 4) {
        const p = <usize>k << 2;
        const g = v128.load(dst + p);
        const v = v128.load(pre + p);
        const pos = f32x4.gt(v, zero);
        if (prelu) {
          v128.store(dst + p, v128.bitselect(g, f32x4.mul(g, v128.load(pa + p)), pos));
          v128.store(ga + p, f32x4.add(v128.load(ga + p), v128.bitselect(zero, f32x4.mul(g, v), pos)));
        } else {
          v128.store(dst + p, v128.and(g, pos));
        }
      }
      for (; k < nin; k++) {
        const g = load<f32>(dst + (<usize>k << 2));
        const v = load<f32>(pre + (<usize>k << 2));
        if (v > 0) {
          store<f32>(dst + (<usize>k << 2), g);
        } else if (prelu) {
          store<f32>(dst + (<usize>k << 2), g * load<f32>(pa + (<usize>k << 2)));
          store<f32>(ga + (<usize>k << 2), load<f32>(ga + (<usize>k << 2)) + g * v);
        } else {
          store<f32>(dst + (<usize>k << 2), 0);
        }
      }
    }
    const t = cur;
    cur = other;
    other = t;
  }
}

/** One Adam step over `n` floats (a multiple of 4), tfjs's formulation. */
function adam(params: usize, grads: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, c1: f32, c2: f32): void {
  const vb1 = f32x4.splat(b1);
  const vb2 = f32x4.splat(b2);
  const v1b1 = f32x4.splat(1 - b1);
  const v1b2 = f32x4.splat(1 - b2);
  const vc1 = f32x4.splat(c1);
  const vc2 = f32x4.splat(c2);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(eps);
  for (let o = 0; o < n; o += 4) {
    const p = <usize>o << 2;
    const g = v128.load(grads + p);
    const mm = f32x4.add(f32x4.mul(vb1, v128.load(m + p)), f32x4.mul(v1b1, g));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + p)), f32x4.mul(v1b2, f32x4.mul(g, g)));
    v128.store(m + p, mm);
    v128.store(v + p, vv);
    const step = f32x4.div(f32x4.mul(vlr, f32x4.div(mm, vc1)), f32x4.add(f32x4.sqrt(f32x4.div(vv, vc2)), veps));
    v128.store(params + p, f32x4.sub(v128.load(params + p), step));
  }
}

/**
 * One epoch: mini-batches of `batch` rows in the order of rows[0..n) (the shuffled training rows),
 * each a forward pass, back-propagation and an Adam step. `step0`: Adam steps taken before.
 * Regions: x (rows x d), y and s (per row), h0 (batch x d), dA and dH (batch x widest layer), wt
 * (widest x widest, a transposed weight matrix).
 */
export function trainEpoch(
  net: usize, params: usize, grads: usize, m: usize, v: usize, nParams: i32,
  x: usize, y: usize, s: usize, d: i32, rows: usize, n: i32, batch: i32,
  h0: usize, dA: usize, dH: usize, wt: usize,
  lr: f32, l2: f32, b1: f32, b2: f32, eps: f32, step0: i32,
): void {
  let step = step0;
  for (let start = 0; start < n; start += batch) {
    const count = min(batch, n - start);
    gather(x, d, rows, start, count, h0);
    forward(net, params, h0, count);
    backward(net, params, grads, h0, count, y, s, rows, start, l2, dA, dH, wt);
    step++;
    const c1 = <f32>(1 - Math.pow(<f64>b1, <f64>step));
    const c2 = <f32>(1 - Math.pow(<f64>b2, <f64>step));
    adam(params, grads, m, v, nParams, lr, b1, b2, eps, c1, c2);
  }
}

/** Weighted mean cross-entropy (no penalty) over rows[0..n), in batches through h0. */
export function meanLoss(
  net: usize, params: usize, x: usize, y: usize, s: usize, d: i32, rows: usize, n: i32, batch: i32, h0: usize,
): f64 {
  const L = word(net, 0);
  const zAct = <usize>field(net, L - 1, 5);
  let total: f64 = 0;
  for (let start = 0; start < n; start += batch) {
    const count = min(batch, n - start);
    gather(x, d, rows, start, count, h0);
    forward(net, params, h0, count);
    for (let i = 0; i < count; i++) {
      const r = <usize>load<i32>(rows + (<usize>(start + i) << 2));
      total += crossEntropy(load<f32>(zAct + (<usize>i << 2)), load<f32>(y + (r << 2))) * <f64>load<f32>(s + (r << 2));
    }
  }
  return n > 0 ? total / <f64>n : 0;
}
