/** The leakage-safe evaluation engine and its reports (re-exports only). */
export { stratifiedKFold, repeatedStratifiedKFold, complementRows } from './folds.js';
export { evaluate, NO_RESAMPLING, CLASS_WEIGHT, DEFAULT_THRESHOLD, type EvaluateOptions, type ModelSetup, type ResampleFn } from './cross-validate.js';
export * from './result.js';
export { pooledCurves, thinCurve } from './curves.js';
export * from './report.js';
export * from './svg.js';
export { computeVerdict, correctedInterval, DEFAULT_CONFIDENCE, type VerdictOptions } from './verdict.js';
export { studentTQuantile, studentTCdf } from './stats.js';
