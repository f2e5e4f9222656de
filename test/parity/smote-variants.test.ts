/**
 * Parity of svm-smote.ts and kmeans-smote.ts with imbalanced-learn 0.10 where our semantics are
 * meant to agree despite a different SVM (linear, ours) and k-means (Lloyd, ours; imblearn uses an
 * RBF SVC and MiniBatchKMeans): SVM-SMOTE class counts whenever imblearn finds both danger and
 * safe support vectors (it then adds exactly the planned count, as we always do), and
 * KMeans-SMOTE's cluster sparsity (`clusterSparsity` vs `_find_cluster_sparsity`) on each class.
 */
import { beforeAll, expect, it } from 'vitest';
import { kmeansSmoteDefinition, clusterSparsity } from '../../src/samplers/kmeans-smote.js';
import { rowsOfClass } from '../../src/samplers/shared/rows.js';
import { svmSmoteDefinition } from '../../src/samplers/svm-smote.js';
import type { Dataset } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { PY_PRELUDE, SOURCES, loadSources, ourCounts, sourcePaths } from './smote-common.js';

const PY = `${PY_PRELUDE}
from imblearn.over_sampling import SVMSMOTE, KMeansSMOTE
out = {'svm': {}, 'sparsity': {}}
for name in req['sources']:
    X, y = data[name]
    smp = SVMSMOTE(random_state=0)
    # the 'both kinds present' condition, recomputed as imblearn's _fit_resample does
    smp._validate_estimator()
    both = True
    from imblearn.utils import check_sampling_strategy
    for klass, n in check_sampling_strategy('auto', y, 'over-sampling').items():
        if n == 0:
            continue
        smp.svm_estimator_.fit(X, y)
        sup = smp.svm_estimator_.support_[y[smp.svm_estimator_.support_] == klass]
        smp.nn_m_.fit(X)
        noise = smp._in_danger_noise(smp.nn_m_, X[sup], klass, y, kind='noise')
        sv = X[sup][~noise]
        danger = smp._in_danger_noise(smp.nn_m_, sv, klass, y, kind='danger')
        both = both and bool(danger.any()) and bool((~danger).any())
    out['svm'][name] = {'both': both, 'counts': run_counts(lambda s: SVMSMOTE(sampling_strategy=s, random_state=0), name, 'auto')}
    km = KMeansSMOTE(random_state=0)
    per = []
    for klass in np.unique(y):
        rows = np.flatnonzero(y == klass)[:60]
        per.append({'klass': str(klass), 'rows': rows.tolist(), 'value': float(km._find_cluster_sparsity(X[rows]))})
    out['sparsity'][name] = per
print(json.dumps(out))
`;

describeParity('SVM-SMOTE / KMeans-SMOTE parity (imblearn 0.10)', () => {
  let data = new Map<string, Dataset>();
  let theirs: {
    svm: Record<string, { both: boolean; counts: { ok: [string, number][] } | { err: string } }>;
    sparsity: Record<string, { klass: string; rows: number[]; value: number }[]>;
  } = { svm: {}, sparsity: {} };

  beforeAll(() => {
    data = loadSources();
    theirs = pythonJson(PY, JSON.stringify({ sources: sourcePaths() }));
  });

  it('imblearn finds both danger and safe support vectors on most datasets (the comparison is not vacuous)', () => {
    expect(SOURCES.filter((s) => theirs.svm[s].both).length).toBeGreaterThanOrEqual(4);
  });

  it.each(SOURCES)('%s: SVM-SMOTE class counts (auto) equal imblearn when it has danger and safe vectors', async (source) => {
    const py = theirs.svm[source];
    const mine = await ourCounts(svmSmoteDefinition, {}, data.get(source)!, 'auto');
    expect('ok' in mine).toBe(true);
    if (py.both && 'ok' in py.counts) expect(mine).toEqual(py.counts);
  });

  it.each(SOURCES)('%s: cluster sparsity equals _find_cluster_sparsity', (source) => {
    const d = data.get(source)!;
    const dim = d.features.length;
    const x = new Float64Array(d.nRows * dim);
    for (let j = 0; j < dim; j++) for (let i = 0; i < d.nRows; i++) x[i * dim + j] = d.features[j][i];
    for (const p of theirs.sparsity[source]) {
      expect(rowsOfClass(d.labels, d.classNames.indexOf(p.klass)).subarray(0, p.rows.length)).toEqual(Int32Array.from(p.rows));
      // sklearn's euclidean_distances expands |x|^2 + |y|^2 - 2 x.y (errors ~1e-9 per distance), raised
      // to an exponent near 8 for 60 rows: 1e-6 relative.
      const mine = clusterSparsity(x, dim, p.rows);
      expect(Math.abs(mine - p.value), `${source} ${p.klass}`).toBeLessThanOrEqual(1e-6 * Math.abs(p.value));
    }
  });

  it('KMeans-SMOTE runs on every dataset with auto, or fails with REBALANCE_NO_CLUSTER', async () => {
    for (const source of SOURCES) {
      const mine = await ourCounts(kmeansSmoteDefinition, {}, data.get(source)!, 'auto');
      if ('err' in mine) expect(mine.err, source).toMatch(/REBALANCE_NO_CLUSTER/);
    }
  });
});
