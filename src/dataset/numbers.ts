/**
 * Number recognition for CSV text: decimal notation only (as pandas), so '0x10' stays text.
 */

export const enum NumClass {
  NotNumber = 0,
  Int = 1,
  Float = 2,
  /** NaN, inf, Infinity, or a literal that overflows to +-Infinity (1e400). */
  NonFinite = 3,
}

const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Classifies a CSV cell (already known to be non-empty). */
export function classifyNumber(s: string): NumClass {
  const n = s.length;
  let i = 0;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    i = 1;
    if (n === 1) return NumClass.NotNumber;
  }
  let digits = 0;
  for (; i < n; i++) {
    c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    digits++;
  }
  if (i === n) return digits > 0 ? NumClass.Int : NumClass.NotNumber;
  let frac = 0;
  if (c === 46) {
    for (i++; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      frac++;
    }
    if (digits + frac === 0) return NumClass.NotNumber;
    if (i === n) return NumClass.Float;
  } else if (digits === 0) {
    return NON_FINITE.test(s) ? NumClass.NonFinite : NumClass.NotNumber;
  }
  if (c === 101 || c === 69) {
    i++;
    c = s.charCodeAt(i);
    if (c === 43 || c === 45) i++;
    let exp = 0;
    for (; i < n; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return NumClass.NotNumber;
      exp++;
    }
    if (exp === 0) return NumClass.NotNumber;
    return Number.isFinite(Number(s)) ? NumClass.Float : NumClass.NonFinite;
  }
  return NumClass.NotNumber;
}

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** 1 for true spellings, 0 for false spellings, -1 otherwise. */
export function classifyBool(s: string): number {
  if (TRUE.has(s)) return 1;
  if (FALSE.has(s)) return 0;
  return -1;
}
