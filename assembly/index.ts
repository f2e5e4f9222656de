// Entry point of the kNN WebAssembly module: re-exports the kernels.
export { bruteRange, bruteScratchBytes, exactRange, symRange, symStateBytes, symFinish, symFinishScratchBytes } from './knn';
export { kdRange, kdScratchBytes } from './kdtree';
