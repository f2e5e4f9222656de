/** Public API of the WebGPU kNN backend (re-exports only). */
export { createWebgpuBackend, defaultRerankThreads, PARALLEL_RERANK_MIN } from './backend.js';
export type { SearchStats, WebgpuBackendOptions, WebgpuKnnBackend, WebgpuNeighborIndex } from './backend.js';
export { adapterName, openWebgpuDevice, probeWebgpu, WEBGPU_INSTALL_HINT } from './device.js';
export type { AdapterSummary, BackendType, OpenOptions, WebgpuDevice, WebgpuProbe } from './device.js';
export { knnKernelSource } from './kernels.js';
export type { KernelShape } from './kernels.js';
export { planSearch } from './plan.js';
export type { PlanLimits, PlanOverrides, SearchPlan } from './plan.js';
export { collectBound, distanceErrorBound, exactScanQuery, expansionSlack, rerankBatch, rerankList } from './rerank.js';
