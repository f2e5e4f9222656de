/**
 * Test fixtures for the evaluation engine: noise data, a brute-force kNN classifier, a
 * duplicate-the-minority resampler (random over-sampling) and a spy around both.
 */
import type { Rng } from '../../../src/core/rng.js';
import { classCounts, makeDataset, takeRows } from '../../../src/dataset/make.js';
import type { Classifier, Dataset, FittedClassifier } from '../../../src/types.js';

/** `n` rows of `d` standard-normal features; exactly round(n * rate) rows labelled 'pos' at random places. */
export function noiseData(rng: Rng, n: number, d: number, rate: number, signal = 0): Dataset {
  const nPos = Math.round(n * rate);
  const labels: string[] = Array.from({ length: n }, (_, i) => (i < nPos ? 'pos' : 'neg'));
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  const features: Record<string, number[]> = {};
  for (let j = 0; j < d; j++) {
    features[`x${j}`] = Array.from({ length: n }, (_, i) => rng.nextNormal() + (j === 0 && labels[i] === 'pos' ? signal : 0));
  }
  return makeDataset({ features, labels, featureKinds: Object.fromEntries(Object.keys(features).map((k) => [k, 'float'])) });
}

/** Brute-force kNN classifier: score = share of the positive class among the k nearest training rows (ties by row). */
export function knnClassifier(k: number, name = `knn${k}`): Classifier {
  return {
    name,
    async fit(train: Dataset, _rng: Rng, { positive }): Promise<FittedClassifier> {
      const d = train.features.length;
      const n = train.nRows;
      return {
        name,
        toJSON: () => ({ name }),
        dispose() {},
        async predictProba(x: Dataset): Promise<Float32Array> {
          const out = new Float32Array(x.nRows);
          const dist = new Float64Array(n);
          const order = new Int32Array(n);
          for (let q = 0; q < x.nRows; q++) {
            for (let i = 0; i < n; i++) {
              let s = 0;
              for (let j = 0; j < d; j++) {
                const diff = x.features[j][q] - train.features[j][i];
                s += diff * diff;
              }
              dist[i] = s;
              order[i] = i;
            }
            order.sort((a, b) => dist[a] - dist[b] || a - b);
            let hits = 0;
            for (let t = 0; t < k; t++) hits += train.labels[order[t]] === positive ? 1 : 0;
            out[q] = hits / k;
          }
          return out;
        },
      };
    },
  };
}

/** Scores each row by the logistic of feature 0 (ignores training data): a model with fixed skill. */
export function featureModel(name = 'feature0'): Classifier {
  return {
    name,
    async fit(): Promise<FittedClassifier> {
      return {
        name,
        toJSON: () => ({ name }),
        dispose() {},
        async predictProba(x: Dataset) {
          return Float32Array.from(x.features[0], (v) => 1 / (1 + Math.exp(-v)));
        },
      };
    },
  };
}

/** Scores rows with draws from the fit stream: a model with no skill whose output depends on its rng. */
export function randomModel(name = 'random'): Classifier {
  return {
    name,
    async fit(_train: Dataset, rng: Rng): Promise<FittedClassifier> {
      return {
        name,
        toJSON: () => ({ name }),
        dispose() {},
        async predictProba(x: Dataset) {
          return Float32Array.from({ length: x.nRows }, () => rng.nextFloat());
        },
      };
    },
  };
}

/** Random over-sampling: duplicates random rows of every smaller class until it matches the largest. */
export async function duplicateMinority(train: Dataset, _name: string, rng: Rng): Promise<Dataset> {
  const counts = classCounts(train.labels, train.classNames.length);
  const max = Math.max(...counts);
  const rows: number[] = Array.from({ length: train.nRows }, (_, i) => i);
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] === 0) continue;
    const members: number[] = [];
    for (let i = 0; i < train.nRows; i++) if (train.labels[i] === c) members.push(i);
    for (let t = counts[c]; t < max; t++) rows.push(members[rng.nextInt(members.length)]);
  }
  return takeRows(train, rows);
}

/** Source row ids of a Dataset (rowIds, or 0..n-1). */
export function sourceRows(d: Dataset): number[] {
  return d.rowIds ? Array.from(d.rowIds) : Array.from({ length: d.nRows }, (_, i) => i);
}
