/**
 * Parity of borderline-smote.ts with imbalanced-learn 0.10's BorderlineSMOTE: the per-row
 * danger decision (m = 10 nearest rows over the whole input) on every row whose neighbourhood has
 * no distance tie at the m-th place, and class counts after fit_resample on every shared dataset
 * and strategy form. borderline-1 counts are equal; borderline-2 counts are equal or one more
 * (imblearn's two floors can lose a row; we add exactly the planned count). One python run.
 */
import { beforeAll, expect, it } from 'vitest';
import { borderlineSmoteDefinition, dangerMask } from '../../src/samplers/borderline-smote.js';
import { allRowsNeighbourLabels, countOtherClass } from '../../src/samplers/shared/neighbours.js';
import type { Dataset, SamplingStrategy } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { type Counts, PY_PRELUDE, SOURCES, loadSources, ourCounts, overStrategies, quietCtx, sameOutcome, sourcePaths } from './smote-common.js';

const M = 10;
const PY = `${PY_PRELUDE}
from imblearn.over_sampling import BorderlineSMOTE
from imblearn.utils import check_sampling_strategy
from sklearn.neighbors import NearestNeighbors
M = ${M}
out = {'counts': [], 'rows': {}}
for c in req['cases']:
    out['counts'].append(run_counts(lambda s: BorderlineSMOTE(sampling_strategy=s, kind=c['kind'], random_state=0), c['source'], c['strategy']))
for name in req['sources']:
    X, y = data[name]
    per = []
    nn = NearestNeighbors(n_neighbors=M + 1).fit(X)
    smp = BorderlineSMOTE(random_state=0)
    smp._validate_estimator()
    for klass, n in check_sampling_strategy('auto', y, 'over-sampling').items():
        if n == 0:
            continue
        rows_of = np.flatnonzero(y == klass)
        danger = smp._in_danger_noise(nn, X[rows_of], klass, y, kind='danger')
        dist = NearestNeighbors(n_neighbors=M + 2).fit(X).kneighbors(X[rows_of])[0]
        tie = (dist[:, 1] == 0) | (dist[:, M + 1] - dist[:, M] <= 1e-5 * dist[:, M + 1])
        per.append({'klass': str(klass), 'rows': rows_of.tolist(), 'danger': danger.astype(int).tolist(), 'tie': tie.tolist()})
    out['rows'][name] = per
print(json.dumps(out))
`;

type Kind = 'borderline-1' | 'borderline-2';
interface PerClass {
  klass: string;
  rows: number[];
  danger: number[];
  tie: boolean[];
}

describeParity('BorderlineSMOTE parity (imblearn 0.10)', () => {
  let data = new Map<string, Dataset>();
  const cases: { source: string; strategy: SamplingStrategy; kind: Kind }[] = [];
  let theirs: { counts: Counts[]; rows: Record<string, PerClass[]> } = { counts: [], rows: {} };

  beforeAll(() => {
    data = loadSources();
    for (const [source, d] of data) {
      for (const strategy of overStrategies(d)) cases.push({ source, strategy, kind: 'borderline-1' });
      cases.push({ source, strategy: 'auto', kind: 'borderline-2' });
    }
    theirs = pythonJson(PY, JSON.stringify({ sources: sourcePaths(), cases }));
  });

  it.each(SOURCES)('%s: danger decisions equal on untied rows', async (source) => {
    const d = data.get(source)!;
    const nnAll = await allRowsNeighbourLabels(d, M, quietCtx(), 'borderline-smote', '--m-neighbors');
    for (const p of theirs.rows[source]) {
      const code = d.classNames.indexOf(p.klass);
      const mine = dangerMask(countOtherClass(nnAll, M, p.rows, code), M);
      let untied = 0;
      for (let i = 0; i < p.rows.length; i++) {
        if (p.tie[i]) continue;
        untied++;
        expect(mine[i], `${source} class ${p.klass} row ${p.rows[i]}`).toBe(p.danger[i]);
      }
      expect(untied).toBeGreaterThan(p.rows.length / 2);
    }
  });

  it.each(SOURCES)('%s: class counts match imblearn BorderlineSMOTE', async (source) => {
    let compared = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      if (c.source !== source) continue;
      const mine = await ourCounts(borderlineSmoteDefinition, { variant: c.kind }, data.get(source)!, c.strategy);
      const py = theirs.counts[i];
      const label = `${source} ${c.kind} ${JSON.stringify(c.strategy)}: ours ${JSON.stringify(mine)} imblearn ${JSON.stringify(py)}`;
      if (c.kind === 'borderline-1' || 'err' in mine || 'err' in py) {
        expect(sameOutcome(mine, py), label).toBe(true);
      } else {
        for (let k = 0; k < py.ok.length; k++) {
          expect(mine.ok[k][0]).toBe(py.ok[k][0]);
          expect(mine.ok[k][1] - py.ok[k][1], label).toBeGreaterThanOrEqual(0);
          expect(mine.ok[k][1] - py.ok[k][1], label).toBeLessThanOrEqual(1);
        }
      }
      compared++;
    }
    expect(compared).toBe(4);
  });
});
