/**
 * Seeded toy problems for the model tests.
 */
import { createRng } from '../../../src/core/rng.js';
import { makeDataset } from '../../../src/dataset/make.js';
import type { Dataset } from '../../../src/types.js';

/**
 * Two Gaussian blobs in `d` dimensions, ~20% positives (label 'rare', code 1) shifted by
 * `shift` in every coordinate; features on different scales to exercise standardization.
 */
export function blobs(n: number, d: number, seed: number, shift = 2): Dataset {
  const rng = createRng(seed).fork('blobs');
  const features: Record<string, number[]> = {};
  const labels: string[] = [];
  for (let j = 0; j < d; j++) features[`x${j}`] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng.nextFloat() < 0.2;
    labels.push(pos ? 'rare' : 'common');
    for (let j = 0; j < d; j++) features[`x${j}`].push((rng.nextNormal() + (pos ? shift : 0)) * 10 ** (j % 3));
  }
  return makeDataset({ features, labels });
}

/** Binary truth of a blobs Dataset ('rare' is code 1). */
export function truth(data: Dataset): Uint8Array {
  return Uint8Array.from(data.labels, (l) => (l === 1 ? 1 : 0));
}

/** Positive class code of blobs ('common' < 'rare'). */
export const RARE = 1;
