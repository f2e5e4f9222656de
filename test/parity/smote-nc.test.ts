/**
 * Parity of smote-nc.ts with imbalanced-learn 0.10's SMOTENC on every shared dataset, its
 * fewest-valued feature recoded as a categorical feature: class counts for several strategy forms,
 * the minority median std, and on imblearn's exact draws (over its own neighbour table in the
 * one-hot space): `interpolate` reproduces the numeric values and `majorityCategory` the category
 * wherever the neighbours' majority is not tied (ties are broken by different random streams).
 */
import { beforeAll, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { makeDataset } from '../../src/dataset/make.js';
import { interpolate, resolveDraws } from '../../src/samplers/shared/smote-draws.js';
import { rowsOfClass } from '../../src/samplers/shared/rows.js';
import { majorityCategory, medianStd, smoteNcDefinition } from '../../src/samplers/smote-nc.js';
import type { Dataset, SamplingStrategy } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { type Counts, PY_PRELUDE, SOURCES, loadSources, ourCounts, overStrategies, sameOutcome, sourcePaths } from './smote-common.js';

const PY = `${PY_PRELUDE}
from collections import Counter
from scipy import sparse
from imblearn.over_sampling import SMOTENC
from sklearn.neighbors import NearestNeighbors
def recode(X, j):
    Xc = X.copy()
    Xc[:, j] = np.unique(X[:, j], return_inverse=True)[1]
    return Xc
out = {'counts': [], 'draws': {}, 'median': {}}
for c in req['cases']:
    X, y = data[c['source']]
    data[c['source'] + '#nc'] = (recode(X, req['cat'][c['source']]), y)
    out['counts'].append(run_counts(lambda s: SMOTENC([req['cat'][c['source']]], sampling_strategy=s, random_state=0), c['source'] + '#nc', c['strategy']))
for name in req['sources']:
    j = req['cat'][name]
    X, y = data[name + '#nc']
    smp = SMOTENC([j], random_state=0)
    Xr, yr = smp.fit_resample(X, y)
    med = smp.median_std_
    out['median'][name] = {'value': float(med), 'minority': str(min(Counter(y), key=Counter(y).get))}
    cont = [i for i in range(X.shape[1]) if i != j]
    ohe = smp.ohe_.transform(X[:, [j]])
    ohe.data = np.ones_like(ohe.data) * med / 2
    Xe = sparse.hstack((X[:, cont], ohe), format='csr')
    at = len(y)
    per = []
    for klass, n in smp.sampling_strategy_.items():
        rows_of = np.flatnonzero(y == klass)
        Xk = Xe[rows_of]
        nns = NearestNeighbors(n_neighbors=6).fit(Xk).kneighbors(Xk, return_distance=False)[:, 1:]
        rs = np.random.RandomState(0)
        idx = rs.randint(low=0, high=nns.size, size=n)
        steps = rs.uniform(size=n)
        m = min(n, 150)
        per.append({'klass': str(klass), 'classRows': rows_of.tolist(), 'nns': nns.ravel().tolist(),
                    'rows': (idx[:m] // 5).tolist(), 'cols': (idx[:m] % 5).tolist(), 'steps': steps[:m].tolist(),
                    'xnew': Xr[at:at + m].tolist()})
        at += n
    out['draws'][name] = per
print(json.dumps(out))
`;

interface Draw {
  klass: string;
  classRows: number[];
  nns: number[];
  rows: number[];
  cols: number[];
  steps: number[];
  xnew: number[][];
}

/** Index of the feature with the fewest distinct values (first on ties). */
function fewestValued(d: Dataset): number {
  let best = 0;
  let bestN = Infinity;
  d.features.forEach((col, j) => {
    const n = new Set(col).size;
    if (n < bestN) {
      best = j;
      bestN = n;
    }
  });
  return best;
}

/** `d` with feature j replaced by codes of its sorted distinct values, marked categorical. */
function withCategorical(d: Dataset, j: number): Dataset {
  const distinct = [...new Set(d.features[j])].sort((a, b) => a - b);
  const code = new Map(distinct.map((v, i) => [v, i]));
  const features: Record<string, Float64Array> = {};
  d.featureNames.forEach((n, i) => (features[n] = i === j ? Float64Array.from(d.features[j], (v) => code.get(v)!) : d.features[i]));
  return makeDataset({
    features,
    labels: Array.from(d.labels, (l) => d.classNames[l]),
    featureKinds: Object.fromEntries(d.featureNames.map((n, i) => [n, i === j ? 'categorical' : 'float'])),
  });
}

describeParity('SMOTENC parity (imblearn 0.10)', () => {
  const data = new Map<string, Dataset>();
  const cat: Record<string, number> = {};
  const cases: { source: string; strategy: SamplingStrategy }[] = [];
  let theirs: { counts: Counts[]; draws: Record<string, Draw[]>; median: Record<string, { value: number; minority: string }> } = {
    counts: [],
    draws: {},
    median: {},
  };

  beforeAll(() => {
    for (const [name, d] of loadSources()) {
      cat[name] = fewestValued(d);
      data.set(name, withCategorical(d, cat[name]));
    }
    for (const [source, d] of data) for (const strategy of overStrategies(d)) cases.push({ source, strategy });
    theirs = pythonJson(PY, JSON.stringify({ sources: sourcePaths(), cases, cat }));
  });

  it.each(SOURCES)('%s: class counts equal imblearn SMOTENC; same minority median std', async (source) => {
    const d = data.get(source)!;
    for (let i = 0; i < cases.length; i++) {
      if (cases[i].source !== source) continue;
      const mine = await ourCounts(smoteNcDefinition, {}, d, cases[i].strategy);
      const py = theirs.counts[i];
      expect(sameOutcome(mine, py), `${source} ${JSON.stringify(cases[i].strategy)}: ours ${JSON.stringify(mine)} imblearn ${JSON.stringify(py)}`).toBe(true);
    }
    const med = theirs.median[source];
    const numeric = d.featureKinds.flatMap((k, j) => (k === 'categorical' ? [] : [j]));
    const mineMed = medianStd(d, rowsOfClass(d.labels, d.classNames.indexOf(med.minority)), numeric);
    expect(Math.abs(mineMed - med.value)).toBeLessThanOrEqual(1e-12 * Math.max(1, med.value));
  });

  it.each(SOURCES)('%s: numeric values and untied categories equal on imblearn draws', (source) => {
    const d = data.get(source)!;
    const j = cat[source];
    const nCat = Math.max(...d.features[j]) + 1;
    const scratch = new Int32Array(nCat);
    let untied = 0;
    for (const p of theirs.draws[source]) {
      const table = p.nns.map((i) => p.classRows[i]);
      const draws = { rows: Int32Array.from(p.rows), cols: Int32Array.from(p.cols), steps: Float64Array.from(p.steps) };
      const { source: src, neighbor } = resolveDraws(draws, p.classRows, table, 5);
      const out = interpolate(d.features, src, neighbor, draws.steps);
      for (let t = 0; t < p.rows.length; t++) {
        for (let f = 0; f < d.features.length; f++) {
          if (f === j) continue;
          const want = p.xnew[t][f];
          expect(Math.abs(out[f][t] - want), `${source} ${p.klass} row ${t} feature ${f}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        }
        const codes = table.slice(p.rows[t] * 5, p.rows[t] * 5 + 5).map((r) => d.features[j][r]);
        const freq = new Map<number, number>();
        for (const c of codes) freq.set(c, (freq.get(c) ?? 0) + 1);
        const top = Math.max(...freq.values());
        if ([...freq.values()].filter((v) => v === top).length > 1) continue;
        untied++;
        expect(majorityCategory(codes, scratch, createRng(0)), `${source} ${p.klass} row ${t} category`).toBe(p.xnew[t][j]);
      }
    }
    // With hundreds of categories (breast_cancer) the five neighbours rarely share one: all tied.
    if (nCat <= 64) expect(untied).toBeGreaterThan(0);
  });
});
