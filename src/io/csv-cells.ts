/**
 * CSV cells read from their bytes, without making a string: the number recognition of cells.ts's
 * classifyNumber (the one rule, restated on bytes: same classes for the same text) and the value
 * of a numeric cell, exactly the double Number(text) gives (Clinger's fast path: at most 15
 * significant digits and a decimal exponent within +-22 make an exact mantissa and an exact power
 * of ten, so one correctly rounded multiply or divide is the correctly rounded value; any other
 * text falls back to Number(text)).
 */
import { NumClass } from './cells.js';

/** Node's Buffer decoders without argument checks (the fastest way from bytes to a string). */
type Slicing = Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };

/** The text of bytes [s, e) of buf: latin1 when the bytes are known to be ASCII, else UTF-8. */
export function bytesText(buf: Buffer, s: number, e: number, ascii: boolean): string {
  return ascii ? (buf as Slicing).latin1Slice(s, e) : (buf as Slicing).utf8Slice(s, e);
}

const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_SIG = 15;

/**
 * The value of the last cell classifyBytes called Int or Float (or NonFinite with an exponent):
 * NaN when the fast path did not apply (then numberOfBytes falls back to Number(text)).
 */
const fast = new Float64Array(1);

/**
 * classifyNumber on the bytes [s, e) of buf (non-empty), without a string. Int and Float cells
 * also leave their value for numberOfBytes when it is exact from the digits.
 */
export function classifyBytes(buf: Uint8Array, s: number, e: number): NumClass {
  let i = s;
  let c = buf[i];
  let neg = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
    if (i === e) return NumClass.NotNumber;
  }
  let digits = 0;
  let w = 0; // significant digits as an integer (exact while sig <= 15)
  let sig = 0;
  let exp10 = 0;
  for (; i < e; i++) {
    c = buf[i];
    if (c < 48 || c > 57) break;
    digits++;
    if (sig > 0 || c !== 48) {
      if (sig < MAX_SIG) {
        w = w * 10 + (c - 48);
        sig++;
      } else {
        sig = MAX_SIG + 1;
        exp10++;
      }
    }
  }
  if (i === e) {
    if (digits === 0) return NumClass.NotNumber;
    fast[0] = sig > MAX_SIG ? NaN : neg ? -w : w;
    return NumClass.Int;
  }
  let frac = 0;
  if (c === 46) {
    for (i++; i < e; i++) {
      c = buf[i];
      if (c < 48 || c > 57) break;
      frac++;
      if (sig > 0 || c !== 48) {
        if (sig < MAX_SIG) {
          w = w * 10 + (c - 48);
          sig++;
          exp10--;
        } else sig = MAX_SIG + 1;
      } else exp10--;
    }
    if (digits + frac === 0) return NumClass.NotNumber;
    if (i === e) {
      fast[0] = sig > MAX_SIG || exp10 < -22 ? NaN : neg ? -(w / POW10[-exp10]) : w / POW10[-exp10];
      return NumClass.Float;
    }
  } else if (digits === 0) {
    // nan / inf / infinity (any case, signed): at most 9 bytes, all ASCII.
    if (e - s > 9) return NumClass.NotNumber;
    let t = '';
    for (let k = s; k < e; k++) t += String.fromCharCode(buf[k]);
    return NON_FINITE.test(t) ? NumClass.NonFinite : NumClass.NotNumber;
  }
  if (c === 101 || c === 69) {
    i++;
    let eneg = false;
    if (i < e) {
      c = buf[i];
      if (c === 43 || c === 45) {
        eneg = c === 45;
        i++;
      }
    }
    let expDigits = 0;
    let ev = 0;
    for (; i < e; i++) {
      c = buf[i];
      if (c < 48 || c > 57) return NumClass.NotNumber;
      expDigits++;
      if (ev < 100000) ev = ev * 10 + (c - 48);
    }
    if (expDigits === 0) return NumClass.NotNumber;
    const x = exp10 + (eneg ? -ev : ev);
    // Decimal magnitude of the value: below 10^(intDigits + exponent) with intDigits the digits of
    // the mantissa before its point (leading zeros excluded); at most 10^308 is finite.
    if (sig === 0) {
      fast[0] = neg ? -0 : 0;
      return NumClass.Float;
    }
    if (x + Math.min(sig, MAX_SIG) <= 308) {
      fast[0] = sig > MAX_SIG || x < -22 || x > 22 ? NaN : x < 0 ? (neg ? -(w / POW10[-x]) : w / POW10[-x]) : neg ? -(w * POW10[x]) : w * POW10[x];
      return NumClass.Float;
    }
    // Possibly past the largest double: Number decides (as classifyNumber does).
    const v = Number(bytesText(buf as Buffer, s, e, true));
    fast[0] = v;
    return Number.isFinite(v) ? NumClass.Float : NumClass.NonFinite;
  }
  return NumClass.NotNumber;
}

/**
 * The number a cell classifyBytes just called Int or Float reads as: exactly Number(text). Call
 * it right after classifyBytes on the same bytes.
 */
export function numberOfBytes(buf: Uint8Array, s: number, e: number): number {
  const v = fast[0];
  if (v === v) return v;
  return Number(bytesText(buf as Buffer, s, e, true));
}

/** Field classes of splitRecord beyond NumClass (NotNumber 0, Int 1, Float 2, NonFinite 3). */
export const enum FieldClass {
  /** Not classified yet: classifyBytes decides. */
  Unknown = 4,
  /** No bytes: a missing cell. */
  Empty = 5,
  /** Could be an NA spelling: read as text. */
  MaybeNa = 6,
  /** A quoted field with doubled quotes: read as text (unescaped). */
  Escaped = 7,
}

/** The fields of one record as splitRecord leaves them (nCols long). */
export interface FieldRanges {
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** NumClass Int / Float (value in `value`) or a FieldClass. */
  readonly cls: Uint8Array;
  readonly value: Float64Array;
}

/**
 * Splits a simple record (no quote, no CR: csv-tokenizer.ts's fieldFrom = -1) buf[p, end) at the
 * delimiter into `out` (the first nCols fields), classifying decimal numbers of at most 15 digits
 * without exponent on the way (exact values: Clinger's fast path); other fields are Unknown,
 * Empty or MaybeNa (at most naMaxBytes bytes and a last byte marked in naLast). Returns the
 * number of fields of the record (more than nCols when it has more). Field j goes to slot at + j.
 */
export function splitRecord(buf: Buffer, p: number, end: number, delim: number, nCols: number, out: FieldRanges, naMaxBytes: number, naLast: Uint8Array, at = 0): number {
  const { start, end: fe, cls, value } = out;
  let nf = 0;
  for (;;) {
    if (nf === nCols) {
      // A field past the header's count: count the rest.
      let count = nf + 1;
      for (let d = buf.indexOf(delim, p); d >= 0 && d < end; d = buf.indexOf(delim, d + 1)) count++;
      return count;
    }
    const s = p;
    let c = p < end ? buf[p] : -1;
    let neg = false;
    if (c === 45 || c === 43) {
      neg = c === 45;
      c = ++p < end ? buf[p] : -1;
    }
    let w = 0;
    let nd = 0;
    while (c >= 48 && c <= 57) {
      w = w * 10 + (c - 48);
      nd++;
      c = ++p < end ? buf[p] : -1;
    }
    let frac = 0;
    let dot = false;
    if (c === 46) {
      dot = true;
      c = ++p < end ? buf[p] : -1;
      while (c >= 48 && c <= 57) {
        w = w * 10 + (c - 48);
        frac++;
        c = ++p < end ? buf[p] : -1;
      }
    }
    let k: number;
    if ((c === delim || c === -1) && nd + frac > 0 && nd + frac <= 15) {
      const v = frac === 0 ? w : w / POW10[frac];
      value[at + nf] = neg ? -v : v;
      k = dot ? NumClass.Float : NumClass.Int;
    } else {
      while (c !== delim && c !== -1) c = ++p < end ? buf[p] : -1;
      k = FieldClass.Unknown;
    }
    if (p === s) k = FieldClass.Empty;
    else if (p - s <= naMaxBytes && naLast[buf[p - 1]] === 1) k = FieldClass.MaybeNa;
    start[at + nf] = s;
    fe[at + nf] = p;
    cls[at + nf] = k;
    nf++;
    if (c === -1) return nf;
    p++;
  }
}
