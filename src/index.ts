/**
 * rebalance as a library. Re-exports only; see docs/ARCHITECTURE.md.
 * @example
 * import { readTable, resample, createRng } from 'rebalance';
 * const data = await readTable('fraud.csv', { label: 'is_fraud' });
 * const { data: balanced } = await resample(data, 'smote', { rng: createRng(42) });
 */
export * from './types.js';
export { createRng, DEFAULT_SEED, type Rng } from './core/rng.js';
export {
  RebalanceError,
  UsageError,
  DataError,
  IoError,
  BackendUnavailableError,
  InterruptedError,
  type ErrorKind,
} from './core/errors.js';
export { readTable, resample, type ResampleOptions } from './api.js';
export { runResample, type ResampleJob, type ResampleSummary } from './pipeline/resample.js';
export { inspectTable as inspect, formatInspect, type InspectResult } from './pipeline/inspect.js';
export { openSource, type TableSource, type ReadOptions } from './io/source.js';
export { scanTable, type TableProfile, type ScanOptions, type ColumnProfile } from './dataset/scan.js';
export { makeDataset, takeRows, classCounts, sortClassNames } from './dataset/make.js';
export { materialize } from './dataset/materialize.js';
export { packFeatures, packForKnn, fitScaler, type ScaleMode } from './dataset/pack.js';
export { resolveStrategy } from './samplers/strategy.js';
export { parseStrategy } from './cli/strategy-text.js';
export { SAMPLERS, getSampler, samplerNames } from './samplers/registry.js';
export { openKnn, type OpenKnnOptions } from './neighbors/open.js';
export { createCpuBackend } from './neighbors/cpu.js';
export { createNaiveBackend, naiveKnn } from './neighbors/naive.js';
