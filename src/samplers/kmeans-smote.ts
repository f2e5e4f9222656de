/**
 * KMeans-SMOTE (Douzas et al. 2018), imbalanced-learn 0.10 semantics with our seeded k-means
 * (src/cluster/kmeans.ts; imblearn uses MiniBatchKMeans) over every row:
 * - a cluster qualifies for class c when the share of c in it is >= the balance threshold
 *   ('auto': rows to add to c / rows to add to all classes / 2; -Infinity with one cluster) and
 *   it holds at least k + 1 rows of c;
 * - qualifying clusters get weights proportional to their sparsity, mean_distance^e / n_c
 *   (mean Euclidean distance between the n_c class rows, e = 0.16 * log_1.6(n_c)^1.8 for
 *   density exponent 'auto', as imblearn computes it);
 * - each cluster gets ceil(rows_to_add * weight) rows by SMOTE inside the cluster (k = 2 by
 *   default), so a class may get a few more rows than asked, as in imblearn; the returned plan
 *   states the real counts.
 * No qualifying cluster is a DataError that says what to change.
 */
import { kmeans } from '../cluster/kmeans.js';
import { DataError } from '../core/errors.js';
import { fitScaler } from '../dataset/pack.js';
import { smoteFamily, defineSampler } from './define.js';
import { sameClassNeighbors } from './shared/neighbours.js';
import { intOption, numberOption } from './shared/options.js';
import { overEachClass } from './shared/per-class.js';
import { drawAndAppend, overTargets, totalToAdd } from './shared/smote-draws.js';
import { throwIfAborted } from './shared/rows.js';

/**
 * imblearn `_find_cluster_sparsity`: (mean pairwise Euclidean distance between `rows`)^exponent
 * / rows.length, exponent 'auto' = 0.16 * log_1.6(rows.length)^1.8. Distances use the row-major
 * matrix `x` (n x dim). Needs at least two rows.
 */
export function clusterSparsity(x: Float64Array, dim: number, rows: ArrayLike<number>, exponent?: number): number {
  const n = rows.length;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let s = 0;
      for (let j = 0; j < dim; j++) {
        const t = x[rows[a] * dim + j] - x[rows[b] * dim + j];
        s += t * t;
      }
      sum += Math.sqrt(s);
    }
  }
  const mean = (2 * sum) / (n * n - n);
  const e = exponent ?? (Math.log(n) / Math.log(1.6)) ** 1.8 * 0.16;
  return mean ** e / n;
}

/** One cluster that qualifies for a class: its rows of that class. */
export interface QualifyingCluster {
  readonly cluster: number;
  readonly classRows: Int32Array;
}

/**
 * imblearn's qualification rule: clusters whose share of `code` is >= `threshold` and that hold
 * at least `minRows` rows of `code` (k + 1). Clusters in index order.
 */
export function qualifyingClusters(
  clusterOf: Int32Array,
  nClusters: number,
  labels: Int32Array,
  code: number,
  threshold: number,
  minRows: number,
): QualifyingCluster[] {
  const size = new Int32Array(nClusters);
  const ofClass = new Int32Array(nClusters);
  for (let i = 0; i < labels.length; i++) {
    size[clusterOf[i]]++;
    if (labels[i] === code) ofClass[clusterOf[i]]++;
  }
  const out: QualifyingCluster[] = [];
  for (let c = 0; c < nClusters; c++) {
    if (size[c] === 0) continue;
    const share = ofClass[c] / size[c];
    if (share < threshold) continue;
    if (share * size[c] < minRows) continue;
    const rows = new Int32Array(ofClass[c]);
    for (let i = 0, t = 0; i < labels.length; i++) if (clusterOf[i] === c && labels[i] === code) rows[t++] = i;
    out.push({ cluster: c, classRows: rows });
  }
  return out;
}

/** One qualifying cluster's share of a class's synthetic rows. */
interface ClusterPart {
  readonly rows: Int32Array;
  readonly cluster: number;
  readonly n: number;
}

/**
 * `kmeans-smote`: k-means over all rows, then SMOTE inside the clusters where the class is
 * frequent enough, more rows in sparser clusters. Options: nClusters (8), kNeighbors (2),
 * clusterBalanceThreshold ('auto' when absent). Needs every row. A class grows by
 * sum over its qualifying clusters of ceil(add * weight): at least the plan's count and less than
 * the plan's count plus the number of qualifying clusters.
 */
export const kmeansSmoteDefinition = defineSampler({
  ...smoteFamily('all'),
  name: 'kmeans-smote',
  summary: 'KMeans-SMOTE: SMOTE inside k-means clusters where the class is dense enough',
  bind: (options) => ({
    k: intOption('kmeans-smote', 'kNeighbors', options.kNeighbors, 2),
    nClusters: intOption('kmeans-smote', 'nClusters', options.nClusters, 8),
    threshold: numberOption('kmeans-smote', 'clusterBalanceThreshold', options.clusterBalanceThreshold, undefined),
  }),
  async run(data, plan, rng, ctx, { k, nClusters: n0, threshold: fixedThreshold }) {
    let nClusters = n0;
    if (nClusters > data.nRows) {
      ctx.log(`kmeans-smote: ${nClusters} clusters for ${data.nRows} rows, using ${data.nRows}`);
      nClusters = data.nRows;
    }
    const dim = data.features.length;
    const totalAdd = totalToAdd(overTargets(plan));
    return overEachClass<{ x: Float64Array; clusterOf: Int32Array }, ClusterPart[]>(data, plan, rng, ctx, {
      method: 'kmeans-smote',
      async prepare() {
        const sc = fitScaler(data, ctx.scale ?? 'none');
        const x = new Float64Array(data.nRows * dim);
        for (let j = 0; j < dim; j++) {
          const col = data.features[j];
          for (let i = 0; i < data.nRows; i++) x[i * dim + j] = (col[i] - sc.shift[j]) * sc.mult[j];
        }
        const clusters = await kmeans(x, dim, nClusters, rng.fork('kmeans-smote/kmeans'), { signal: ctx.signal });
        return { x, clusterOf: clusters.labels };
      },
      size({ code, name, add }, { x, clusterOf }) {
        const threshold = nClusters === 1 ? -Infinity : (fixedThreshold ?? add / totalAdd / 2);
        const valid = qualifyingClusters(clusterOf, nClusters, data.labels, code, threshold, k + 1);
        if (valid.length === 0) {
          throw new DataError(
            'REBALANCE_NO_CLUSTER',
            `kmeans-smote found no cluster with a share of class '${name}' >= ${threshold.toPrecision(3)} and at least ${k + 1} of its rows among ${nClusters} clusters; lower --cluster-balance-threshold, change --clusters, or use -m smote`,
          );
        }
        const sparsity = valid.map((v) => clusterSparsity(x, dim, v.classRows));
        const sum = sparsity.reduce((s, v) => s + v, 0);
        const parts = valid.map((v, i) => ({
          rows: v.classRows,
          cluster: v.cluster,
          n: Math.ceil(add * (sum > 0 ? sparsity[i] / sum : 1 / valid.length)),
        }));
        return { n: parts.reduce((s, p) => s + p.n, 0), state: parts };
      },
      async fill({ code, stream }, out, _shared, parts) {
        for (const p of parts) {
          throwIfAborted(ctx);
          if (p.n === 0) continue;
          const nn = await sameClassNeighbors(data, p.rows, k, ctx);
          drawAndAppend(out, data, code, p.rows, nn, k, p.n, stream.fork(`cluster/${p.cluster}`));
        }
      },
    });
  },
});
