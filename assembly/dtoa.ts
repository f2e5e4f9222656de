// Shortest round-trip float64 -> decimal text (compiled by scripts/build-wasm.mjs into its own
// module): Ryu (Ulf Adams, PLDI 2018) in u64 arithmetic, 64 x 64 -> 128-bit products from 32-bit
// halves, laid out as ECMAScript's Number::toString lays out the shortest digits (decimal for
// 1e-7 <= |x| < 1e21, else d.ddde+XX; '-0' written as '0'). The shortest digits are the closest
// to x among the shortest, ties to even, interval ends included when x's significand is even: the
// digits V8 prints. |x| >= 1e21 is not written here (the CSV rules write such integers in full,
// src/io/cells.ts formatNumber): the writers report it and JavaScript writes that value.
//
// Also the CSV lines of generated rows (formatRows): a row's numbers, fixed cells picked from
// pre-encoded byte snippets (labels, booleans, categories), the delimiter, the provenance columns
// and the line break, whole blocks of rows per call.
//
// No allocation: JavaScript (src/io/number-text.ts) lays out every region, computes Ryu's two
// power-of-5 tables with BigInt and passes their offsets to init().

/** Entries of the tables: 5^-q for q < INV_SIZE, 5^i for i < POS_SIZE (two u64 words each, low first). */
const POW5_INV_BITCOUNT: i32 = 125;
const POW5_BITCOUNT: i32 = 125;

let invTable: usize = 0;
let posTable: usize = 0;
/** 200 bytes: "00" "01" ... "99". */
let digitPairs: usize = 0;
/** 32 bytes of scratch for the digits of one number. */
let scratch: usize = 0;
/** Rows (formatRows) or values (formatMany) written by the last call. */
let rowsDone: i32 = 0;

/** Sets the tables' offsets and fills the digit pairs (at `pairs`, 200 bytes) and scratch (32 bytes after). */
export function init(inv: usize, pos: usize, pairs: usize): void {
  invTable = inv;
  posTable = pos;
  digitPairs = pairs;
  scratch = pairs + 200;
  for (let i = 0; i < 100; i++) {
    store<u8>(pairs + (<usize>i << 1), <u8>(48 + i / 10));
    store<u8>(pairs + (<usize>i << 1) + 1, <u8>(48 + (i % 10)));
  }
}

/** The rows (formatRows) or values (formatMany) the last call wrote. */
export function done(): i32 {
  return rowsDone;
}

// ---------------------------------------------------------------- Ryu

// @ts-ignore: decorator
@inline
function umulh(a: u64, b: u64): u64 {
  const aLo = a & 0xffffffff;
  const aHi = a >> 32;
  const bLo = b & 0xffffffff;
  const bHi = b >> 32;
  const b00 = aLo * bLo;
  const b01 = aLo * bHi;
  const b10 = aHi * bLo;
  const b11 = aHi * bHi;
  const mid1 = b10 + (b00 >> 32);
  const mid2 = b01 + (mid1 & 0xffffffff);
  return b11 + (mid1 >> 32) + (mid2 >> 32);
}

/** (hi:lo) >> dist, 0 < dist < 64. */
// @ts-ignore: decorator
@inline
function shiftRight128(lo: u64, hi: u64, dist: i32): u64 {
  return (hi << <u64>(64 - dist)) | (lo >> <u64>dist);
}

/** vp and vm of the last mulShiftAll. */
let mulVp: u64 = 0;
let mulVm: u64 = 0;

/**
 * (4 m2 x M) >> j, ((4 m2 + 2) x M) >> j and ((4 m2 - 1 - mmShift) x M) >> j for the 128-bit
 * table entry M at `e` from one 192-bit product Q = 2 m2 x M: vr = Q >> (j - 1),
 * vp = (Q + M) >> (j - 1), vm = (Q - M) >> (j - 1) or (2Q - M) >> j (m2 < 2^53, 114 < j < 128).
 */
// @ts-ignore: decorator
@inline
function mulShiftAll(m2: u64, e: usize, j: i32, mmShift: u64): u64 {
  const mulLo = load<u64>(e);
  const mulHi = load<u64>(e, 8);
  const m = m2 << 1;
  const lo = m * mulLo;
  const tmp = umulh(m, mulLo);
  const mid = tmp + m * mulHi;
  const hi = umulh(m, mulHi) + (mid < tmp ? 1 : 0);

  const lo2 = lo + mulLo;
  const mid2 = mid + mulHi + (lo2 < lo ? 1 : 0);
  const hi2 = hi + (mid2 < mid ? 1 : 0);
  mulVp = shiftRight128(mid2, hi2, j - 65);
  if (mmShift == 1) {
    const lo3 = lo - mulLo;
    const mid3 = mid - mulHi - (lo3 > lo ? 1 : 0);
    const hi3 = hi - (mid3 > mid ? 1 : 0);
    mulVm = shiftRight128(mid3, hi3, j - 65);
  } else {
    const lo3 = lo + lo;
    const mid3 = mid + mid + (lo3 < lo ? 1 : 0);
    const hi3 = hi + hi + (mid3 < mid ? 1 : 0);
    const lo4 = lo3 - mulLo;
    const mid4 = mid3 - mulHi - (lo4 > lo3 ? 1 : 0);
    const hi4 = hi3 - (mid4 > mid3 ? 1 : 0);
    mulVm = shiftRight128(mid4, hi4, j - 64);
  }
  return shiftRight128(mid, hi, j - 65);
}

// @ts-ignore: decorator
@inline
function pow5bits(e: i32): i32 {
  return <i32>(((<u32>e * 1217359) >> 19) + 1);
}

// @ts-ignore: decorator
@inline
function log10Pow2(e: i32): i32 {
  return <i32>((<u32>e * 78913) >> 18);
}

// @ts-ignore: decorator
@inline
function log10Pow5(e: i32): i32 {
  return <i32>((<u32>e * 732923) >> 20);
}

function pow5Factor(v: u64): i32 {
  let count = 0;
  for (;;) {
    const q = v / 5;
    if (v - q * 5 != 0) break;
    v = q;
    count++;
  }
  return count;
}

// @ts-ignore: decorator
@inline
function multipleOfPowerOf5(v: u64, p: i32): bool {
  return pow5Factor(v) >= p;
}

// @ts-ignore: decorator
@inline
function multipleOfPowerOf2(v: u64, p: i32): bool {
  return (v & ((<u64>1 << <u64>p) - 1)) == 0;
}

/** The shortest digits of the finite positive double with these fields: mantissa in `ryuOut`, exponent returned. */
let ryuOut: u64 = 0;

function d2d(ieeeMantissa: u64, ieeeExponent: i32): i32 {
  let e2: i32;
  let m2: u64;
  if (ieeeExponent == 0) {
    e2 = 1 - 1023 - 52 - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = ieeeExponent - 1023 - 52 - 2;
    m2 = (<u64>1 << 52) | ieeeMantissa;
  }
  const acceptBounds = (m2 & 1) == 0;
  const mv = m2 << 2;
  const mmShift: u64 = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1 : 0;

  let vr: u64, vp: u64, vm: u64;
  let e10: i32;
  let vmIsTrailingZeros = false;
  let vrIsTrailingZeros = false;
  if (e2 >= 0) {
    const q = log10Pow2(e2) - (e2 > 3 ? 1 : 0);
    e10 = q;
    const k = POW5_INV_BITCOUNT + pow5bits(q) - 1;
    const i = -e2 + q + k;
    vr = mulShiftAll(m2, invTable + (<usize>q << 4), i, mmShift);
    vp = mulVp;
    vm = mulVm;
    if (q <= 21) {
      const mvMod5 = <u32>(mv - (mv / 5) * 5);
      if (mvMod5 == 0) {
        vrIsTrailingZeros = multipleOfPowerOf5(mv, q);
      } else if (acceptBounds) {
        vmIsTrailingZeros = multipleOfPowerOf5(mv - 1 - mmShift, q);
      } else {
        vp -= multipleOfPowerOf5(mv + 2, q) ? 1 : 0;
      }
    }
  } else {
    const q = log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
    e10 = q + e2;
    const i = -e2 - q;
    const k = pow5bits(i) - POW5_BITCOUNT;
    const j = q - k;
    vr = mulShiftAll(m2, posTable + (<usize>i << 4), j, mmShift);
    vp = mulVp;
    vm = mulVm;
    if (q <= 1) {
      vrIsTrailingZeros = true;
      if (acceptBounds) {
        vmIsTrailingZeros = mmShift == 1;
      } else {
        vp--;
      }
    } else if (q < 63) {
      vrIsTrailingZeros = multipleOfPowerOf2(mv, q);
    }
  }

  let removed = 0;
  let lastRemovedDigit: u32 = 0;
  let output: u64;
  if (vmIsTrailingZeros || vrIsTrailingZeros) {
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vmMod10 = <u32>(vm - vmDiv10 * 10);
      const vrDiv10 = vr / 10;
      const vrMod10 = <u32>(vr - vrDiv10 * 10);
      vmIsTrailingZeros = vmIsTrailingZeros && vmMod10 == 0;
      vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0;
      lastRemovedDigit = vrMod10;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      removed++;
    }
    if (vmIsTrailingZeros) {
      for (;;) {
        const vmDiv10 = vm / 10;
        const vmMod10 = <u32>(vm - vmDiv10 * 10);
        if (vmMod10 != 0) break;
        const vpDiv10 = vp / 10;
        const vrDiv10 = vr / 10;
        const vrMod10 = <u32>(vr - vrDiv10 * 10);
        vrIsTrailingZeros = vrIsTrailingZeros && lastRemovedDigit == 0;
        lastRemovedDigit = vrMod10;
        vr = vrDiv10;
        vp = vpDiv10;
        vm = vmDiv10;
        removed++;
      }
    }
    if (vrIsTrailingZeros && lastRemovedDigit == 5 && (vr & 1) == 0) {
      // Round even if the exact number is .....50..0.
      lastRemovedDigit = 4;
    }
    output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1 : 0);
  } else {
    let roundUp = false;
    const vpDiv100 = vp / 100;
    const vmDiv100 = vm / 100;
    if (vpDiv100 > vmDiv100) {
      const vrDiv100 = vr / 100;
      const vrMod100 = <u32>(vr - vrDiv100 * 100);
      roundUp = vrMod100 >= 50;
      vr = vrDiv100;
      vp = vpDiv100;
      vm = vmDiv100;
      removed += 2;
    }
    for (;;) {
      const vpDiv10 = vp / 10;
      const vmDiv10 = vm / 10;
      if (vpDiv10 <= vmDiv10) break;
      const vrDiv10 = vr / 10;
      const vrMod10 = <u32>(vr - vrDiv10 * 10);
      roundUp = vrMod10 >= 5;
      vr = vrDiv10;
      vp = vpDiv10;
      vm = vmDiv10;
      removed++;
    }
    output = vr + (vr == vm || roundUp ? 1 : 0);
  }
  ryuOut = output;
  return e10 + removed;
}

// ---------------------------------------------------------------- text

// @ts-ignore: decorator
@inline
function decimalLength17(v: u64): i32 {
  if (v >= 10000000000000000) return 17;
  if (v >= 1000000000000000) return 16;
  if (v >= 100000000000000) return 15;
  if (v >= 10000000000000) return 14;
  if (v >= 1000000000000) return 13;
  if (v >= 100000000000) return 12;
  if (v >= 10000000000) return 11;
  if (v >= 1000000000) return 10;
  if (v >= 100000000) return 9;
  if (v >= 10000000) return 8;
  if (v >= 1000000) return 7;
  if (v >= 100000) return 6;
  if (v >= 10000) return 5;
  if (v >= 1000) return 4;
  if (v >= 100) return 3;
  if (v >= 10) return 2;
  return 1;
}

/** Writes the decimal digits of u32 `v` ending just before `end`. */
// @ts-ignore: decorator
@inline
function digits32(v: u32, end: usize): void {
  while (v >= 100) {
    const q = v / 100;
    const r = v - q * 100;
    end -= 2;
    store<u16>(end, load<u16>(digitPairs + (<usize>r << 1)));
    v = q;
  }
  if (v >= 10) {
    store<u16>(end - 2, load<u16>(digitPairs + (<usize>v << 1)));
  } else {
    store<u8>(end - 1, <u8>(48 + v));
  }
}

/** Writes the 8 digits of `r` (< 10^8, leading zeros included) ending just before `end`. */
// @ts-ignore: decorator
@inline
function digits8(r: u32, end: usize): void {
  const a = r / 10000;
  const b = r - a * 10000;
  const a1 = a / 100;
  const b1 = b / 100;
  store<u16>(end - 8, load<u16>(digitPairs + (<usize>a1 << 1)));
  store<u16>(end - 6, load<u16>(digitPairs + (<usize>(a - a1 * 100) << 1)));
  store<u16>(end - 4, load<u16>(digitPairs + (<usize>b1 << 1)));
  store<u16>(end - 2, load<u16>(digitPairs + (<usize>(b - b1 * 100) << 1)));
}

/** Writes the `len` digits of `v` (< 10^17) at `p`. */
// @ts-ignore: decorator
@inline
function digits64(v: u64, p: usize, len: i32): void {
  let end = p + <usize>len;
  if (v >= 100000000) {
    const q = v / 100000000;
    digits8(<u32>(v - q * 100000000), end);
    end -= 8;
    // q < 10^9: the rest in u32 arithmetic.
    let w = <u32>q;
    if (w >= 100000000) {
      const q2 = w / 100000000;
      digits8(w - q2 * 100000000, end);
      end -= 8;
      w = q2;
    }
    digits32(w, end);
    return;
  }
  digits32(<u32>v, end);
}

/** Writes u32 `v` in decimal at `p`; returns the end. */
// @ts-ignore: decorator
@inline
function writeU32(v: u32, p: usize): usize {
  const len = decimalLength17(<u64>v);
  digits32(v, p + <usize>len);
  return p + <usize>len;
}

/**
 * Writes finite `x` at `p` as formatNumber does (src/io/cells.ts) and returns the end, or 0 when
 * |x| >= 1e21 (JavaScript writes those).
 */
function writeNumber(x: f64, p: usize): usize {
  const bits = reinterpret<u64>(x);
  const ieeeMantissa = bits & 0xfffffffffffff;
  const ieeeExponent = <i32>((bits >> 52) & 0x7ff);
  if (ieeeExponent == 0 && ieeeMantissa == 0) {
    store<u8>(p, 48);
    return p + 1;
  }
  if (<i64>bits < 0) {
    store<u8>(p, 45);
    p++;
  }
  let output: u64;
  let exp: i32;
  // Small integers: the digits of the integer (Ryu's shortest digits of an integer below 2^53 are
  // the integer's, without its trailing zeros, which the layout writes back).
  const e2 = ieeeExponent - 1075;
  if (e2 <= 0 && e2 >= -52 && ((ieeeMantissa | (<u64>1 << 52)) & ((<u64>1 << <u64>(-e2)) - 1)) == 0) {
    output = (ieeeMantissa | (<u64>1 << 52)) >> <u64>(-e2);
    exp = 0;
    const len = decimalLength17(output);
    digits64(output, p, len);
    return p + <usize>len;
  } else {
    exp = d2d(ieeeMantissa, ieeeExponent);
    output = ryuOut;
  }
  const len = decimalLength17(output);
  const n = len + exp; // x = 0.d1d2... x 10^n
  if (n > 21) return 0;
  if (n >= len) {
    digits64(output, p, len);
    p += <usize>len;
    for (let z = len; z < n; z++) store<u8>(p++, 48);
    return p;
  }
  if (n > 0) {
    // The digits one byte to the right, then the first n moved left over the point's place.
    digits64(output, p + 1, len);
    for (let k = 0; k < n; k++) store<u8>(p + <usize>k, load<u8>(p + 1 + <usize>k));
    store<u8>(p + <usize>n, 46);
    return p + 1 + <usize>len;
  }
  if (n > -6) {
    store<u8>(p, 48);
    store<u8>(p + 1, 46);
    p += 2;
    for (let z = n; z < 0; z++) store<u8>(p++, 48);
    digits64(output, p, len);
    return p + <usize>len;
  }
  // d[.ddd]e-XX (n <= -6 here: tiny numbers; large ones returned 0 above)
  digits64(output, scratch, len);
  store<u8>(p++, load<u8>(scratch));
  if (len > 1) {
    store<u8>(p++, 46);
    for (let k = 1; k < len; k++) store<u8>(p++, load<u8>(scratch + <usize>k));
  }
  store<u8>(p++, 101);
  store<u8>(p++, 45);
  return writeU32(<u32>(1 - n), p);
}

/**
 * Writes doubles from `values` (`count` of them), each followed by byte `sep`, at `out`; returns
 * the bytes written. Stops before the first value it does not write (>= 1e21 in magnitude, or not
 * finite): done() says how many it wrote.
 */
export function formatMany(values: usize, count: i32, sep: u8, out: usize): i32 {
  let p = out;
  let i = 0;
  for (; i < count; i++) {
    const x = load<f64>(values + (<usize>i << 3));
    if (!isFinite(x)) break;
    const e = writeNumber(x, p);
    if (e == 0) break;
    store<u8>(e, sep);
    p = e + 1;
  }
  rowsDone = i;
  return <i32>(p - out);
}

// ---------------------------------------------------------------- generated rows

/** Column operations of formatRows' program. */
const OP_NUMBER = 0;
const OP_ROUND = 1;
const OP_BOOL = 2;
const OP_CATEGORY = 3;
const OP_LABEL = 4;
const OP_CONST = 5;

/** Math.round: the nearest integer, halves up (x - floor(x) is exact in float64). */
// @ts-ignore: decorator
@inline
function jsRound(x: f64): f64 {
  const f = Math.floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

// @ts-ignore: decorator
@inline
function putSnippet(snips: usize, s: i32, p: usize): usize {
  const e = snips + (<usize>s << 3);
  const at = <usize>load<u32>(e);
  const len = <usize>load<u32>(e, 4);
  memory.copy(p, at, len);
  return p + len;
}

/**
 * Writes the CSV lines of `rows` generated rows at `out` and returns the bytes written; done()
 * says how many rows (fewer than `rows` when a number is >= 1e21 in magnitude: that row is next).
 * - prog: `cols` x 4 i32 words: op, value slot, first snippet, snippet count;
 * - snips: (offset u32, length u32) per snippet;
 * - values: `rows` x `width` f64, row-major; codes, sources, neighbors: i32 per row;
 * - provenance (1): appends delim 1 delim source delim neighbour (empty when < 0).
 * The caller sizes `out` for the longest possible lines.
 */
export function formatRows(
  prog: usize,
  cols: i32,
  snips: usize,
  values: usize,
  width: i32,
  codes: usize,
  sources: usize,
  neighbors: usize,
  rows: i32,
  provenance: i32,
  delim: u8,
  out: usize,
): i32 {
  let p = out;
  let r = 0;
  for (; r < rows; r++) {
    const start = p;
    const row = values + (<usize>(r * width) << 3);
    let ok = true;
    for (let c = 0; c < cols; c++) {
      if (c > 0) store<u8>(p++, delim);
      const w = prog + (<usize>c << 4);
      const op = load<i32>(w);
      const slot = load<i32>(w, 4);
      const first = load<i32>(w, 8);
      if (op == OP_NUMBER || op == OP_ROUND) {
        let x = load<f64>(row + (<usize>slot << 3));
        if (op == OP_ROUND) x = jsRound(x);
        const e = writeNumber(x, p);
        if (e == 0) {
          ok = false;
          break;
        }
        p = e;
      } else if (op == OP_BOOL) {
        p = putSnippet(snips, first + (load<f64>(row + (<usize>slot << 3)) >= 0.5 ? 1 : 0), p);
      } else if (op == OP_CATEGORY) {
        const n = load<i32>(w, 12);
        const v = jsRound(load<f64>(row + (<usize>slot << 3)));
        const k = v <= 0 ? 0 : v >= <f64>(n - 1) ? n - 1 : <i32>v;
        p = putSnippet(snips, first + k, p);
      } else if (op == OP_LABEL) {
        p = putSnippet(snips, first + load<i32>(codes + (<usize>r << 2)), p);
      } else {
        p = putSnippet(snips, first, p);
      }
    }
    if (!ok) {
      p = start;
      break;
    }
    if (provenance) {
      store<u8>(p++, delim);
      store<u8>(p++, 49);
      store<u8>(p++, delim);
      const s = load<i32>(sources + (<usize>r << 2));
      if (s >= 0) p = writeU32(<u32>s, p);
      store<u8>(p++, delim);
      const nb = load<i32>(neighbors + (<usize>r << 2));
      if (nb >= 0) p = writeU32(<u32>nb, p);
    }
    store<u8>(p++, 10);
  }
  rowsDone = r;
  return <i32>(p - out);
}
