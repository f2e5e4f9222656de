/**
 * Argument checks shared by the metric functions (one place for the error wording).
 */
import { DataError } from '../core/errors.js';

/** Throws DataError REBALANCE_SHAPE when the truth and score/prediction vectors differ in length. */
export function checkSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new DataError(
      'REBALANCE_SHAPE',
      `${what}: expected as many predictions as labels, got ${b.length} predictions for ${a.length} labels; pass vectors of the same rows`,
    );
  }
}
