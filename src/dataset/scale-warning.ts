/**
 * Unscaled distances: a notice when the numeric feature ranges of a Dataset differ by more than
 * 100x (the widest feature then dominates every kNN distance).
 */
import type { Dataset } from '../types.js';

/** The notice for `data` under `scale`, or null (scaled, or ranges within 100x of each other). */
export function scaleWarning(data: Dataset, scale: string | undefined): string | null {
  if (scale && scale !== 'none') return null;
  const ranges: { name: string; range: number }[] = [];
  data.features.forEach((col, j) => {
    if (data.featureKinds[j] === 'categorical') return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < col.length; i++) {
      const x = col[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (hi > lo) ranges.push({ name: data.featureNames[j], range: hi - lo });
  });
  if (ranges.length < 2) return null;
  const lo = ranges.reduce((a, b) => (b.range < a.range ? b : a));
  const hi = ranges.reduce((a, b) => (b.range > a.range ? b : a));
  if (hi.range <= 100 * lo.range) return null;
  return `feature ranges differ by ${Math.round(hi.range / lo.range)}x ('${hi.name}' vs '${lo.name}'): distances are dominated by the widest; consider --scale standard`;
}
