/**
 * Which classes a cleaning / under-sampling run looks at: the minority as imbalanced-learn picks
 * it, "every class but the minority", and the classes a cleaning run may remove rows from.
 */
import { DataError } from '../../core/errors.js';
import { classCounts } from '../../dataset/make.js';
import type { Dataset, SamplingPlan } from '../../types.js';

/**
 * The minority class as imbalanced-learn picks it (`min(Counter(y), key=...)`): the smallest
 * count, ties to the class whose first row comes first in the data. Absent classes are skipped.
 */
export function minorityClass(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): number {
  const counts = classCounts(labels, nClasses, rows);
  const first = new Int32Array(nClasses).fill(-1);
  const n = rows ? rows.length : labels.length;
  for (let i = 0; i < n; i++) {
    const c = labels[rows ? rows[i] : i];
    if (first[c] < 0) first[c] = i;
  }
  let best = -1;
  for (let c = 0; c < nClasses; c++) {
    if (counts[c] === 0) continue;
    if (best < 0 || counts[c] < counts[best] || (counts[c] === counts[best] && first[c] < first[best])) best = c;
  }
  return best;
}

/**
 * Mask of every class present among `rows` except the minority as imbalanced-learn's strategy
 * resolution picks it (`_count_class_sample`: classes in sorted order, ties to the lower code).
 * This is what 'auto' / 'not minority' resolve to for cleaning methods.
 */
export function notMinorityMask(labels: Int32Array, nClasses: number, rows?: ArrayLike<number>): Uint8Array {
  return notMinorityOfCounts(classCounts(labels, nClasses, rows));
}

/** {@link notMinorityMask} from class counts. */
export function notMinorityOfCounts(counts: ArrayLike<number>): Uint8Array {
  const nClasses = counts.length;
  let minority = -1;
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0 && (minority < 0 || counts[c] < counts[minority])) minority = c;
  const mask = new Uint8Array(nClasses);
  for (let c = 0; c < nClasses; c++) if (counts[c] > 0 && c !== minority) mask[c] = 1;
  return mask;
}

/**
 * The classes a cleaning run may remove rows from, as a mask over class codes. `classes` (class
 * names, the bound `classes` option) wins over the plan; otherwise the plan's target classes.
 * Why both: the CLI resolves count strategies into plans, while library users and `--classes`
 * name the classes to clean directly (imbalanced-learn's list strategy).
 *
 * @throws DataError REBALANCE_UNKNOWN_CLASS when a named class is not in the data.
 */
export function cleanClassMask(data: Dataset, plan: SamplingPlan, classes: readonly string[] | undefined): Uint8Array {
  const mask = new Uint8Array(data.classNames.length);
  if (classes && classes.length > 0) {
    for (const name of classes) {
      const code = data.classNames.indexOf(name);
      if (code < 0) {
        throw new DataError(
          'REBALANCE_UNKNOWN_CLASS',
          `class '${name}' to clean is not in the data (classes: ${data.classNames.join(', ')}); name one of those`,
        );
      }
      mask[code] = 1;
    }
    return mask;
  }
  for (const code of plan.targets.keys()) {
    if (code >= 0 && code < mask.length) mask[code] = 1;
  }
  return mask;
}

/**
 * True when the classes to clean are "every class but the minority" of the whole data (the
 * plan 'auto' and 'not minority' give) and no explicit class list was passed. Iterated methods
 * (RENN, AllKNN) then re-resolve that rule on each pass's rows as imbalanced-learn re-resolves
 * its string strategy, which matters once a cleaned class has become the smallest.
 */
export function cleansAllButMinority(data: Dataset, mask: Uint8Array, classes: readonly string[] | undefined): boolean {
  if (classes && classes.length > 0) return false;
  const auto = notMinorityMask(data.labels, data.classNames.length);
  for (let c = 0; c < auto.length; c++) if (auto[c] !== mask[c]) return false;
  return true;
}
