/**
 * Parity of adasyn.ts with imbalanced-learn 0.10's ADASYN: per-row counts of other-class
 * neighbours on every row whose neighbourhood has no distance tie at the k-th place, imblearn's
 * exact per-row g_i (rint of the normalised ratios) from `adasynCounts`, and class counts after
 * fit_resample on every shared dataset and strategy form. One python run for the file.
 */
import { beforeAll, expect, it } from 'vitest';
import { adasynCounts, adasynDefinition } from '../../src/samplers/adasyn.js';
import { allRowsNeighbourLabels, countOtherClass } from '../../src/samplers/shared/neighbours.js';
import type { Dataset, SamplingStrategy } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { type Counts, PY_PRELUDE, SOURCES, loadSources, ourCounts, overStrategies, quietCtx, sameOutcome, sourcePaths } from './smote-common.js';

const K = 5;
const PY = `${PY_PRELUDE}
from imblearn.over_sampling import ADASYN
from sklearn.neighbors import NearestNeighbors
from imblearn.utils import check_sampling_strategy
K = ${K}
out = {'counts': [], 'rows': {}}
for c in req['cases']:
    out['counts'].append(run_counts(lambda s: ADASYN(sampling_strategy=s, random_state=0), c['source'], c['strategy']))
for name in req['sources']:
    X, y = data[name]
    try:
        Xr, yr = ADASYN(random_state=0).fit_resample(X, y)
    except ValueError:
        yr = None
    per = []
    for klass, n in check_sampling_strategy('auto', y, 'over-sampling').items():
        if n == 0:
            continue
        rows_of = np.flatnonzero(y == klass)
        nns = NearestNeighbors(n_neighbors=K + 1).fit(X).kneighbors(X[rows_of], return_distance=False)[:, 1:]
        n_other = np.sum(y[nns] != klass, axis=1)
        ratio = n_other / K
        ratio /= np.sum(ratio)
        g = np.rint(ratio * n).astype(int)
        dist = NearestNeighbors(n_neighbors=K + 2).fit(X).kneighbors(X[rows_of])[0]
        tie = (dist[:, 1] == 0) | (dist[:, K + 1] - dist[:, K] <= 1e-5 * dist[:, K + 1])
        per.append({'klass': str(klass), 'n': int(n), 'rows': rows_of.tolist(), 'nOther': n_other.tolist(),
                    'g': g.tolist(), 'tie': tie.tolist(), 'generated': None if yr is None else int(np.sum(yr[len(y):] == klass))})
    out['rows'][name] = per
print(json.dumps(out))
`;

interface PerClass {
  klass: string;
  n: number;
  rows: number[];
  nOther: number[];
  g: number[];
  tie: boolean[];
  generated: number | null;
}

describeParity('ADASYN parity (imblearn 0.10)', () => {
  let data = new Map<string, Dataset>();
  const cases: { source: string; strategy: SamplingStrategy }[] = [];
  let theirs: { counts: Counts[]; rows: Record<string, PerClass[]> } = { counts: [], rows: {} };

  beforeAll(() => {
    data = loadSources();
    for (const [source, d] of data) for (const strategy of overStrategies(d)) cases.push({ source, strategy });
    theirs = pythonJson(PY, JSON.stringify({ sources: sourcePaths(), cases }));
  });

  it.each(SOURCES)('%s: other-class neighbour counts equal on untied rows; g_i equal exactly', async (source) => {
    const d = data.get(source)!;
    const nnAll = await allRowsNeighbourLabels(d, K, quietCtx(), 'adasyn', '-k');
    for (const p of theirs.rows[source]) {
      const code = d.classNames.indexOf(p.klass);
      const mine = countOtherClass(nnAll, K, p.rows, code);
      let untied = 0;
      for (let i = 0; i < p.rows.length; i++) {
        if (p.tie[i]) continue;
        untied++;
        expect(mine[i], `${source} class ${p.klass} row ${p.rows[i]}`).toBe(p.nOther[i]);
      }
      expect(untied).toBeGreaterThan(p.rows.length / 2);
      const g = adasynCounts(Int32Array.from(p.nOther), K, p.n);
      expect(Array.from(g!)).toEqual(p.g);
      if (p.generated !== null) expect(p.g.reduce((a, b) => a + b, 0)).toBe(p.generated);
    }
  });

  it.each(SOURCES)('%s: class counts equal imblearn ADASYN for every strategy form', async (source) => {
    let compared = 0;
    for (let i = 0; i < cases.length; i++) {
      if (cases[i].source !== source) continue;
      const mine = await ourCounts(adasynDefinition, {}, data.get(source)!, cases[i].strategy);
      const py = theirs.counts[i];
      expect(sameOutcome(mine, py), `${source} ${JSON.stringify(cases[i].strategy)}: ours ${JSON.stringify(mine)} imblearn ${JSON.stringify(py)}`).toBe(true);
      compared++;
    }
    expect(compared).toBe(3);
  });
});
