/**
 * Cluster centroids (imbalanced-learn `ClusterCentroids`): each target class is replaced by the
 * centroids of a k-means clustering of its rows with k = its planned count (src/cluster/kmeans.ts,
 * seeded by `rng.fork('cluster-centroids/' + className)`). Voting (options.voting):
 * - 'soft' (and 'auto', as imbalanced-learn on dense data): the centroids themselves become
 *   synthetic rows (sourceRow and neighborRow -1);
 * - 'hard': each centroid is replaced by the nearest real row of its class (ctx.knn, ties to the
 *   lower row); a row nearest to several centroids is repeated, in `duplicates`, so counts stay exact.
 * Other classes are kept whole. A class planned to keep all its rows is kept as is.
 * k-means runs on the features as scaled by ctx.scale; centroids are returned in data units.
 * Restarts: the k-means default (3), fewer than scikit-learn's 10, to bound the cost.
 */
import { kmeans } from '../cluster/kmeans.js';
import { fitScaler } from '../dataset/pack.js';
import type { Dataset, Resampled, SamplerContext, SyntheticBlock } from '../types.js';
import { defineSampler } from './define.js';
import { enumOption } from './shared/options.js';
import { maskToRows, rowsOfClass, throwIfAborted } from './shared/rows.js';

/** `cluster-centroids`: options.voting 'auto' | 'soft' | 'hard'. */
export const clusterCentroidsDefinition = defineSampler({
  name: 'cluster-centroids',
  kind: 'under',
  scope: 'all',
  needs: { knn: true, features: 'numeric', syntheticCells: true },
  summary: 'cluster centroids: replace each larger class by the k-means centroids of its rows (voting soft|hard)',
  defaultStrategy: 'auto',
  bind: (options) => ({ hard: enumOption('cluster-centroids', 'voting', options.voting, 'auto', ['auto', 'soft', 'hard']) === 'hard' }),
  async run(data, plan, rng, ctx, { hard }) {
    const nClasses = data.classNames.length;
    const dim = data.features.length;
    const { shift, mult } = fitScaler(data, ctx.scale ?? 'none');
    const keep = new Uint8Array(data.nRows).fill(1);
    const extra: number[] = [];
    const synthFeatures: number[][] = data.features.map(() => []);
    const synthLabels: number[] = [];
    for (let c = 0; c < nClasses; c++) {
      const target = plan.targets.get(c);
      if (!target) continue;
      const rows = rowsOfClass(data.labels, c);
      if (rows.length === 0 || target.to >= rows.length) continue;
      throwIfAborted(ctx);
      for (const r of rows) keep[r] = 0;
      if (target.to <= 0) continue;
      const points = new Float64Array(rows.length * dim);
      for (let j = 0; j < dim; j++) {
        const col = data.features[j];
        for (let i = 0; i < rows.length; i++) points[i * dim + j] = (col[rows[i]] - shift[j]) * mult[j];
      }
      const { centroids } = await kmeans(points, dim, target.to, rng.fork(`cluster-centroids/${data.classNames[c]}`), { signal: ctx.signal });
      if (hard) {
        // Nearest real row of each centroid: the centroids are queries against the class rows.
        const seen = new Set<number>();
        const centroidRows = await nearestRows(data, rows, centroids, dim, shift, mult, ctx);
        for (const r of centroidRows) {
          if (seen.has(r)) extra.push(r);
          else {
            seen.add(r);
            keep[r] = 1;
          }
        }
      } else {
        for (let i = 0; i < target.to; i++) {
          for (let j = 0; j < dim; j++) synthFeatures[j].push(centroids[i * dim + j] / mult[j] + shift[j]);
          synthLabels.push(c);
        }
      }
    }
    const indices = maskToRows(keep);
    const synthetic: SyntheticBlock | null = hard
      ? null
      : {
          nRows: synthLabels.length,
          features: synthFeatures.map((col) => Float64Array.from(col)),
          labels: Int32Array.from(synthLabels),
          sourceRow: new Int32Array(synthLabels.length).fill(-1),
          neighborRow: new Int32Array(synthLabels.length).fill(-1),
        };
    const result: Resampled = { indices, synthetic, plan };
    return extra.length > 0 ? { ...result, duplicates: Int32Array.from(extra).sort() } : result;
  },
});

/**
 * Nearest row of `rows` to each centroid (scaled units), through the kNN backend: the class rows
 * are indexed, the centroids (not Dataset rows) are the queries.
 */
async function nearestRows(
  data: Dataset,
  rows: Int32Array,
  centroids: Float64Array,
  dim: number,
  shift: Float64Array,
  mult: Float64Array,
  ctx: SamplerContext,
): Promise<Int32Array> {
  const k = centroids.length / dim;
  const packed = new Float32Array(rows.length * dim);
  for (let j = 0; j < dim; j++) {
    const col = data.features[j];
    for (let i = 0; i < rows.length; i++) packed[i * dim + j] = (col[rows[i]] - shift[j]) * mult[j];
  }
  const index = await ctx.knn.build(packed, dim);
  try {
    const res = await index.query(Float32Array.from(centroids), 1);
    return Int32Array.from({ length: k }, (_, i) => rows[res.indices[i]]);
  } finally {
    index.dispose();
  }
}
