/**
 * Metrics for imbalanced classification (pure functions, scikit-learn/imbalanced-learn semantics).
 */
export type { BinaryTruth, Scores } from './types.js';
export { binaryClfCurve, orderByScoreDesc, type BinaryClfCurve } from './binary-curve.js';
export { rocAuc, rocCurve, type RocCurve } from './roc.js';
export { averagePrecision, prCurve, type PrCurve } from './precision-recall.js';
export { confusionMatrix } from './confusion.js';
export {
  binaryMetrics,
  indexBalancedAccuracy,
  precisionAtTop,
  IBA_ALPHA,
  type BinaryMetrics,
} from './threshold-metrics.js';
export { bestF1Threshold } from './best-threshold.js';
export {
  classificationReportImbalanced,
  formatFixed,
  type ImbalancedReport,
  type ReportRow,
  type ReportScores,
} from './report.js';
