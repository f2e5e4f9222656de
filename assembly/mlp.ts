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

/** Sum of a[i] * b[i] over [0, n) (f32), SIMD with a scalar tail. */
// @ts-ignore: decorator
@inline
function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    const p = <usize>o << 2;
    acc = f32x4.add(acc, f32x4.mul(v128.load(a + p), v128.load(b + p)));
  }
  let s: f32 = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; o < n; o++) s += load<f32>(a + (<usize>o << 2)) * load<f32>(b + (<usize>o << 2));
  return s;
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
    for (let i = 0; i < count; i++) {
      const row = act + <usize>i * outBytes;
      memory.copy(row, b, outBytes);
      const hi = h + ((<usize>i * <usize>nin) << 2);
      for (let k = 0; k < nin; k++) axpy(row, w + <usize>k * outBytes, load<f32>(hi + (<usize>k << 2)), nout);
    }
    if (l + 1 < L) {
      const post = <usize>field(net, l, 6);
      const aOff = field(net, l, 4);
      for (let i = 0; i < count; i++) {
        const row = act + <usize>i * outBytes;
        const dst = post + <usize>i * outBytes;
        for (let o = 0; o < nout; o++) {
          const v = load<f32>(row + (<usize>o << 2));
          const slope: f32 = prelu ? load<f32>(params + <usize>aOff + (<usize>o << 2)) : 0;
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
  y: usize, s: usize, rows: usize, start: i32, l2: f32, dA: usize, dH: usize,
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
    for (let i = 0; i < count; i++) {
      const da = cur + <usize>i * outBytes;
      const hi = h + ((<usize>i * <usize>nin) << 2);
      for (let k = 0; k < nin; k++) axpy(gw + <usize>k * outBytes, da, load<f32>(hi + (<usize>k << 2)), nout);
      axpy(gb, da, 1, nout);
    }
    if (l == 0) break;
    // dH_{l-1} = dA W^T, then through layer l-1's activation into dA_{l-1}.
    const prevAct = <usize>field(net, l - 1, 5);
    const aOff = field(net, l - 1, 4);
    const ga = grads + <usize>aOff;
    const pa = params + <usize>aOff;
    if (prelu) memory.fill(ga, 0, <usize>nin << 2);
    for (let i = 0; i < count; i++) {
      const da = cur + <usize>i * outBytes;
      const dst = other + ((<usize>i * <usize>nin) << 2);
      const pre = prevAct + ((<usize>i * <usize>nin) << 2);
      for (let k = 0; k < nin; k++) {
        const g = dot(da, w + <usize>k * outBytes, nout);
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
 * Regions: x (rows x d), y and s (per row), h0 (batch x d), dA and dH (batch x widest layer).
 */
export function trainEpoch(
  net: usize, params: usize, grads: usize, m: usize, v: usize, nParams: i32,
  x: usize, y: usize, s: usize, d: i32, rows: usize, n: i32, batch: i32,
  h0: usize, dA: usize, dH: usize,
  lr: f32, l2: f32, b1: f32, b2: f32, eps: f32, step0: i32,
): void {
  let step = step0;
  for (let start = 0; start < n; start += batch) {
    const count = min(batch, n - start);
    gather(x, d, rows, start, count, h0);
    forward(net, params, h0, count);
    backward(net, params, grads, h0, count, y, s, rows, start, l2, dA, dH);
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
