/**
 * Shared input types of the metric functions.
 */

/** Binary ground truth: 1 = positive (the rare class), 0 = anything else. */
export type BinaryTruth = Uint8Array;

/** Scores of the positive class (higher = more likely positive). */
export type Scores = Float32Array | Float64Array;
