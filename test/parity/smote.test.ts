/**
 * Parity of smote.ts / shared/smote-draws.ts with imbalanced-learn 0.10's SMOTE: class counts after
 * fit_resample on every shared dataset for several strategy forms, and `interpolate` fed with
 * imblearn's exact draws (rows, neighbour columns, steps of RandomState(0), over its own
 * neighbour table) reproduces imblearn's synthetic values. One python run for the file.
 */
import { beforeAll, expect, it } from 'vitest';
import { interpolate, resolveDraws } from '../../src/samplers/shared/smote-draws.js';
import { smoteDefinition } from '../../src/samplers/smote.js';
import type { Dataset, SamplingStrategy } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { type Counts, PY_PRELUDE, SOURCES, loadSources, ourCounts, overStrategies, sameOutcome, sourcePaths } from './smote-common.js';

const PY = `${PY_PRELUDE}
from imblearn.over_sampling import SMOTE
from sklearn.neighbors import NearestNeighbors
out = {'counts': [], 'draws': {}}
for c in req['cases']:
    out['counts'].append(run_counts(lambda s: SMOTE(sampling_strategy=s, random_state=0), c['source'], c['strategy']))
for name in req['sources']:
    X, y = data[name]
    smp = SMOTE(random_state=0)
    Xr, yr = smp.fit_resample(X, y)
    at = len(y)
    per = []
    for klass, n in smp.sampling_strategy_.items():
        rows_of = np.flatnonzero(y == klass)
        Xc = X[rows_of]
        nns = NearestNeighbors(n_neighbors=6).fit(Xc).kneighbors(Xc, return_distance=False)[:, 1:]
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

describeParity('SMOTE parity (imblearn 0.10)', () => {
  let data = new Map<string, Dataset>();
  const cases: { source: string; strategy: SamplingStrategy }[] = [];
  let theirs: { counts: Counts[]; draws: Record<string, Draw[]> } = { counts: [], draws: {} };

  beforeAll(() => {
    data = loadSources();
    for (const [source, d] of data) for (const strategy of overStrategies(d)) cases.push({ source, strategy });
    theirs = pythonJson(PY, JSON.stringify({ sources: sourcePaths(), cases }));
  });

  it.each(SOURCES)('%s: class counts equal imblearn SMOTE for every strategy form', async (source) => {
    let compared = 0;
    for (let i = 0; i < cases.length; i++) {
      if (cases[i].source !== source) continue;
      const mine = await ourCounts(smoteDefinition, {}, data.get(source)!, cases[i].strategy);
      const py = theirs.counts[i];
      expect(sameOutcome(mine, py), `${source} ${JSON.stringify(cases[i].strategy)}: ours ${JSON.stringify(mine)} imblearn ${JSON.stringify(py)}`).toBe(true);
      compared++;
    }
    expect(compared).toBe(3);
  });

  it.each(SOURCES)('%s: interpolate on imblearn draws reproduces its synthetic values', (source) => {
    const d = data.get(source)!;
    const per = theirs.draws[source];
    expect(per.length).toBeGreaterThan(0);
    for (const p of per) {
      const draws = { rows: Int32Array.from(p.rows), cols: Int32Array.from(p.cols), steps: Float64Array.from(p.steps) };
      const table = p.nns.map((i) => p.classRows[i]);
      const { source: src, neighbor } = resolveDraws(draws, p.classRows, table, 5);
      const out = interpolate(d.features, src, neighbor, draws.steps);
      for (let t = 0; t < p.rows.length; t++) {
        for (let j = 0; j < d.features.length; j++) {
          const want = p.xnew[t][j];
          const got = out[j][t];
          expect(Math.abs(got - want), `${source} class ${p.klass} row ${t} feature ${j}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });
});
