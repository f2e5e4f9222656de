/**
 * Seeded stratified hold-out split of training rows (for early stopping).
 */
import type { Rng } from '../core/rng.js';

/**
 * Splits rows 0..n-1 into (train, validation) keeping the class ratios of y (class indices 0, 1,
 * ... max(y); a binary target is 0/1): per class, a seeded
 * Fisher-Yates shuffle, then the first round(fraction * count) rows go to validation. Both
 * parts come back in ascending row order.
 */
export function stratifiedHoldout(y: Uint8Array, fraction: number, rng: Rng): { train: Int32Array; validation: Int32Array } {
  const isVal = new Uint8Array(y.length);
  let nVal = 0;
  let top = 1;
  for (let i = 0; i < y.length; i++) if (y[i] > top) top = y[i];
  for (let cls = 0; cls <= top; cls++) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      const t = rows[i];
      rows[i] = rows[j];
      rows[j] = t;
    }
    const take = Math.min(rows.length - 1, Math.round(fraction * rows.length));
    for (let t = 0; t < take; t++) isVal[rows[t]] = 1;
    nVal += Math.max(0, take);
  }
  const train = new Int32Array(y.length - nVal);
  const validation = new Int32Array(nVal);
  let a = 0;
  let b = 0;
  for (let i = 0; i < y.length; i++) {
    if (isVal[i]) validation[b++] = i;
    else train[a++] = i;
  }
  return { train, validation };
}
