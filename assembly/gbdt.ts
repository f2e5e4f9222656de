// Histogram kernel of gbdt (compiled by scripts/build-wasm.mjs into its own module, SIMD + shared
// memory): per feature, per bin, the sums [gradient, hessian, count] of a node's rows, the loop
// that is nearly all of a gbdt fit's time. Same layout and the same additions in the same order
// as buildHistogram in src/models/tree/grower.ts (the TypeScript reference), so the sums are
// bit-identical to it. No allocation: JavaScript lays out every region and passes byte offsets.
//
// x: column-major bins (u8), x[j * m + i]. rows: i32 row ids of the node at [start, end) (ignored
// when identity != 0: rows start..end themselves). g, h: f64 per row. gh: 16 bytes per row of the
// node, the gathered [g, h] pairs: written first unless bit 0 of gathered is set (another call did
// it). Bit 1 of gathered (identity only): counts are not added (the caller has them).
// out: d * 768 f64, [g, h, count] per bin, added to. Threads split the features: each call gets
// x and out shifted to its first feature and d = its feature count (d = 0: only the gather).

// @ts-ignore: decorator
@inline
function add(out: usize, base: usize, bin: u32, gh: v128): void {
  const o = out + base + <usize>bin * 24;
  v128.store(o, f64x2.add(v128.load(o), gh));
  store<f64>(o, load<f64>(o, 16) + 1.0, 16);
}

/** add() without the count (the root's counts are the same for every tree: cached by the caller). */
// @ts-ignore: decorator
@inline
function addGH(out: usize, base: usize, bin: u32, gh: v128): void {
  const o = out + base + <usize>bin * 24;
  v128.store(o, f64x2.add(v128.load(o), gh));
}

export function histogram(
  x: usize, m: i32, d: i32,
  rows: usize, start: i32, end: i32, identity: i32,
  g: usize, h: usize, gh: usize, out: usize, gathered: i32,
): void {
  const n = end - start;
  // Gather [g, h] of the node's rows once.
  if (!(gathered & 1)) for (let k = 0; k < n; k++) {
    const r: usize = identity ? <usize>(start + k) : <usize>load<i32>(rows + (<usize>(start + k) << 2));
    v128.store(gh + (<usize>k << 4), f64x2.replace_lane(f64x2.splat(load<f64>(g + (r << 3))), 1, load<f64>(h + (r << 3))));
  }
  const stride: usize = 768 * 8;
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const x0 = x + <usize>j * <usize>m;
    const x1 = x0 + <usize>m;
    const x2 = x1 + <usize>m;
    const x3 = x2 + <usize>m;
    const b0 = <usize>j * stride;
    if (identity && (gathered & 2)) {
      for (let k = 0; k < n; k++) {
        const r = <usize>(start + k);
        const v = v128.load(gh + (<usize>k << 4));
        addGH(out, b0, load<u8>(x0 + r), v);
        addGH(out, b0 + stride, load<u8>(x1 + r), v);
        addGH(out, b0 + 2 * stride, load<u8>(x2 + r), v);
        addGH(out, b0 + 3 * stride, load<u8>(x3 + r), v);
      }
    } else if (identity) {
      for (let k = 0; k < n; k++) {
        const r = <usize>(start + k);
        const v = v128.load(gh + (<usize>k << 4));
        add(out, b0, load<u8>(x0 + r), v);
        add(out, b0 + stride, load<u8>(x1 + r), v);
        add(out, b0 + 2 * stride, load<u8>(x2 + r), v);
        add(out, b0 + 3 * stride, load<u8>(x3 + r), v);
      }
    } else {
      for (let k = 0; k < n; k++) {
        const r = <usize>load<i32>(rows + (<usize>(start + k) << 2));
        const v = v128.load(gh + (<usize>k << 4));
        add(out, b0, load<u8>(x0 + r), v);
        add(out, b0 + stride, load<u8>(x1 + r), v);
        add(out, b0 + 2 * stride, load<u8>(x2 + r), v);
        add(out, b0 + 3 * stride, load<u8>(x3 + r), v);
      }
    }
  }
  for (; j < d; j++) {
    const xj = x + <usize>j * <usize>m;
    const b = <usize>j * stride;
    for (let k = 0; k < n; k++) {
      const r: usize = identity ? <usize>(start + k) : <usize>load<i32>(rows + (<usize>(start + k) << 2));
      if (identity && (gathered & 2)) addGH(out, b, load<u8>(xj + r), v128.load(gh + (<usize>k << 4)));
      else add(out, b, load<u8>(xj + r), v128.load(gh + (<usize>k << 4)));
    }
  }
}

/** a[0..len) -= b[0..len) (f64): the larger child's histogram from the parent's. */
export function subtract(a: usize, b: usize, len: i32): void {
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const p = <usize>i << 3;
    v128.store(a + p, f64x2.sub(v128.load(a + p), v128.load(b + p)));
  }
  for (; i < len; i++) {
    const p = <usize>i << 3;
    store<f64>(a + p, load<f64>(a + p) - load<f64>(b + p));
  }
}

/**
 * Splits rows[start, end) in place, stable, left rows first, and returns the first right
 * position (partition in src/models/tree/grower.ts). col: the split feature's bins (u8, by row
 * id); a row goes left when its bin is 255 (missing) and missingLeft != 0, or, for other bins,
 * when bit `bin` of the 256-bit set at `bitset` is set (bitset != 0: categorical), else when
 * bin <= threshold. scratch holds the right rows meanwhile.
 */
export function partition(
  col: usize, rows: usize, scratch: usize, start: i32, end: i32,
  threshold: i32, missingLeft: i32, bitset: usize,
): i32 {
  let l = start;
  let r = 0;
  for (let k = start; k < end; k++) {
    const row = load<i32>(rows + (<usize>k << 2));
    const b = <i32>load<u8>(col + <usize>row);
    let left: bool;
    if (b == 255) left = missingLeft != 0;
    else if (bitset) left = ((load<u32>(bitset + (<usize>(b >>> 5) << 2)) >>> (<u32>b & 31)) & 1) != 0;
    else left = b <= threshold;
    if (left) {
      store<i32>(rows + (<usize>l << 2), row);
      l++;
    } else {
      store<i32>(scratch + (<usize>r << 2), row);
      r++;
    }
  }
  memory.copy(rows + (<usize>l << 2), scratch, <usize>r << 2);
  return l;
}

/**
 * The histogram of a node from row-major bins (xr[i * stride + j]): for each row of the node in
 * order, its [g, h] pair is added to the bin of each feature f0..f1 (out points at feature f0's
 * histogram). Every bin still receives the node's rows in row order, so the sums are the same as
 * histogram()'s (and the TypeScript reference's); but a row's bins are one cache line instead of
 * one line per feature, which is what nodes with scattered rows pay for. identity != 0: rows
 * start..end themselves.
 */
export function histogramRows(
  xr: usize, stride: i32, f0: i32, f1: i32,
  rows: usize, start: i32, end: i32, identity: i32,
  g: usize, h: usize, out: usize,
): void {
  const nf = f1 - f0;
  const fs: usize = 768 * 8;
  for (let k = start; k < end; k++) {
    const r: usize = identity ? <usize>k : <usize>load<i32>(rows + (<usize>k << 2));
    const v = f64x2.replace_lane(f64x2.splat(load<f64>(g + (r << 3))), 1, load<f64>(h + (r << 3)));
    const p = xr + r * <usize>stride + <usize>f0;
    let j = 0;
    let o = out;
    for (; j + 4 <= nf; j += 4) {
      add(o, 0, load<u8>(p + <usize>j), v);
      add(o, fs, load<u8>(p + <usize>j + 1), v);
      add(o, 2 * fs, load<u8>(p + <usize>j + 2), v);
      add(o, 3 * fs, load<u8>(p + <usize>j + 3), v);
      o += 4 * fs;
    }
    for (; j < nf; j++) {
      add(o, 0, load<u8>(p + <usize>j), v);
      o += fs;
    }
  }
}

/** xr[i * stride + j] = x[j * m + i] for rows i0..i1 (a block of the transpose). */
export function transpose(x: usize, m: i32, d: i32, xr: usize, stride: i32, i0: i32, i1: i32): void {
  // Blocks of 64 rows so the d source lines and the destination block stay cached.
  for (let b = i0; b < i1; b += 64) {
    const e = min(b + 64, i1);
    for (let j = 0; j < d; j++) {
      const src = x + <usize>j * <usize>m;
      for (let i = b; i < e; i++) store<u8>(xr + <usize>i * <usize>stride + <usize>j, load<u8>(src + <usize>i));
    }
  }
}

/**
 * Bins of n numeric values (f64 at v) into out (u8): 255 for NaN, else the number of thresholds
 * strictly below the value, by eight halvings over pad (255 f64: the thresholds, padded with
 * +Infinity): binNumeric in src/models/tree/binning.ts, the same comparisons.
 */
export function binValues(v: usize, n: i32, pad: usize, out: usize): void {
  for (let t = 0; t < n; t++) {
    const x = load<f64>(v + (<usize>t << 3));
    if (x != x) {
      store<u8>(out + <usize>t, 255);
      continue;
    }
    let b: usize = load<f64>(pad + 127 * 8) < x ? 128 : 0;
    b += load<f64>(pad + ((b + 63) << 3)) < x ? 64 : 0;
    b += load<f64>(pad + ((b + 31) << 3)) < x ? 32 : 0;
    b += load<f64>(pad + ((b + 15) << 3)) < x ? 16 : 0;
    b += load<f64>(pad + ((b + 7) << 3)) < x ? 8 : 0;
    b += load<f64>(pad + ((b + 3) << 3)) < x ? 4 : 0;
    b += load<f64>(pad + ((b + 1) << 3)) < x ? 2 : 0;
    b += load<f64>(pad + (b << 3)) < x ? 1 : 0;
    store<u8>(out + <usize>t, <u8>b);
  }
}

/** raw[rows[k]] += v for k in [start, end): a leaf's value added to its training rows' scores. */
export function addToRows(rows: usize, start: i32, end: i32, v: f64, raw: usize): void {
  for (let k = start; k < end; k++) {
    const p = raw + (<usize>load<i32>(rows + (<usize>k << 2)) << 3);
    store<f64>(p, load<f64>(p) + v);
  }
}

/**
 * One block [a, b) of a parallel partition (same test as partition()): the block's left rows go to
 * scratch[a, a + L) in order, its right rows to scratch[a + L, b) in reverse order (from b - 1
 * down); L is stored at count (i32). partitionPlace then moves both to their final places.
 */
export function partitionBlock(
  col: usize, rows: usize, scratch: usize, a: i32, b: i32,
  threshold: i32, missingLeft: i32, bitset: usize, count: usize,
): void {
  let l = a;
  let r = b - 1;
  for (let k = a; k < b; k++) {
    const row = load<i32>(rows + (<usize>k << 2));
    const bin = <i32>load<u8>(col + <usize>row);
    let left: bool;
    if (bin == 255) left = missingLeft != 0;
    else if (bitset) left = ((load<u32>(bitset + (<usize>(bin >>> 5) << 2)) >>> (<u32>bin & 31)) & 1) != 0;
    else left = bin <= threshold;
    if (left) {
      store<i32>(scratch + (<usize>l << 2), row);
      l++;
    } else {
      store<i32>(scratch + (<usize>r << 2), row);
      r--;
    }
  }
  store<i32>(count, l - a);
}

/** rows[dl, dl + L) = scratch[a, a + L); rows[dr + i] = scratch[b - 1 - i] for the block's right rows. */
export function partitionPlace(rows: usize, scratch: usize, a: i32, b: i32, nLeft: i32, dl: i32, dr: i32): void {
  memory.copy(rows + (<usize>dl << 2), scratch + (<usize>a << 2), <usize>nLeft << 2);
  const nRight = b - a - nLeft;
  for (let i = 0; i < nRight; i++) store<i32>(rows + (<usize>(dr + i) << 2), load<i32>(scratch + (<usize>(b - 1 - i) << 2)));
}
