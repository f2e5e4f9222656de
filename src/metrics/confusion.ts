/**
 * Confusion matrix of class codes (scikit-learn's confusion_matrix with labels = 0..nClasses-1).
 */
import { DataError } from '../core/errors.js';
import { checkSameLength } from './check.js';

/** nClasses x nClasses counts, row-major: row = true class, column = predicted class. */
export function confusionMatrix(yTrue: Int32Array, yPred: Int32Array, nClasses: number): Int32Array {
  checkSameLength('confusionMatrix', yTrue, yPred);
  if (!Number.isInteger(nClasses) || nClasses < 1) {
    throw new RangeError(`confusionMatrix: nClasses must be a positive integer, got ${nClasses}`);
  }
  const cm = new Int32Array(nClasses * nClasses);
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t < 0 || t >= nClasses || p < 0 || p >= nClasses) {
      throw new DataError(
        'REBALANCE_BAD_LABEL',
        `confusionMatrix: expected class codes in [0, ${nClasses - 1}], found true=${t} predicted=${p} at row ${i}; pass codes into the same classNames`,
      );
    }
    cm[t * nClasses + p]++;
  }
  return cm;
}
