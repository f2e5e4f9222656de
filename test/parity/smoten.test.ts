/**
 * Parity of smoten.ts with imbalanced-learn 0.10's SMOTEN on every shared dataset, its first ten
 * features binned into quartile codes (categorical): class counts for several strategy forms and
 * the value difference metric (VDM) against imblearn's ValueDifferenceMetric.pairwise within each
 * class to grow. Neighbour order under VDM ties is not compared (imblearn's argpartition order
 * is unspecified). One python run for the file.
 */
import { beforeAll, expect, it } from 'vitest';
import { makeDataset } from '../../src/dataset/make.js';
import { rowsOfClass } from '../../src/samplers/shared/rows.js';
import { fitVdm, smotenDefinition, vdmDistance } from '../../src/samplers/smoten.js';
import type { Dataset, SamplingStrategy } from '../../src/types.js';
import { describeParity, pythonJson } from '../helpers/python.js';
import { type Counts, SOURCES, loadSources, ourCounts, overStrategies, sameOutcome } from './smote-common.js';

const PY = `
import json, sys, warnings
import numpy as np
from imblearn.over_sampling import SMOTEN
from imblearn.metrics.pairwise import ValueDifferenceMetric
from imblearn.utils import check_sampling_strategy
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
out = {'counts': [], 'vdm': {}}
def keyed(s, y):
    if not isinstance(s, dict):
        return s
    return {k: v for k, v in s.items()}
for c in req['cases']:
    src = req['data'][c['source']]
    X, y = np.array(src['X'], dtype=np.int64), np.array(src['y'], dtype=object)
    try:
        Xr, yr = SMOTEN(sampling_strategy=keyed(c['strategy'], y), random_state=0).fit_resample(X, y)
        ks, ns = np.unique(yr, return_counts=True)
        got = dict(zip(ks, ns))
        out['counts'].append({'ok': [[k, int(got.get(k, 0))] for k in src['names']]})
    except (ValueError, RuntimeError) as e:
        out['counts'].append({'err': str(e)})
for name, src in req['data'].items():
    X, y = np.array(src['X'], dtype=np.int32), np.array(src['y'], dtype=object)
    vdm = ValueDifferenceMetric(n_categories=[int(X[:, f].max()) + 1 for f in range(X.shape[1])]).fit(X, y)
    per = []
    for klass, n in check_sampling_strategy('auto', y, 'over-sampling').items():
        rows = np.flatnonzero(y == klass)[:40]
        per.append({'klass': klass, 'rows': rows.tolist(), 'dist': vdm.pairwise(X[rows]).ravel().tolist()})
    out['vdm'][name] = per
print(json.dumps(out))
`;

/** First ten features of `d` as quartile codes (by rank, ties share the lower rank), categorical. */
function binned(d: Dataset): Dataset {
  const features: Record<string, Float64Array> = {};
  const kinds: Record<string, 'categorical'> = {};
  const n = d.nRows;
  for (let j = 0; j < Math.min(10, d.features.length); j++) {
    const col = d.features[j];
    const sorted = Float64Array.from(col).sort();
    const codes = Float64Array.from(col, (v) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      return Math.min(3, Math.floor((4 * lo) / n));
    });
    features[d.featureNames[j]] = codes;
    kinds[d.featureNames[j]] = 'categorical';
  }
  return makeDataset({ features, labels: Array.from(d.labels, (l) => d.classNames[l]), featureKinds: kinds });
}

describeParity('SMOTEN parity (imblearn 0.10)', () => {
  const data = new Map<string, Dataset>();
  const cases: { source: string; strategy: SamplingStrategy }[] = [];
  let theirs: { counts: Counts[]; vdm: Record<string, { klass: string; rows: number[]; dist: number[] }[]> } = { counts: [], vdm: {} };

  beforeAll(() => {
    for (const [name, d] of loadSources()) data.set(name, binned(d));
    for (const [source, d] of data) for (const strategy of overStrategies(d)) cases.push({ source, strategy });
    const payload = Object.fromEntries(
      [...data].map(([name, d]) => [
        name,
        {
          X: Array.from({ length: d.nRows }, (_, i) => d.features.map((c) => c[i])),
          y: Array.from(d.labels, (l) => d.classNames[l]),
          names: d.classNames,
        },
      ]),
    );
    theirs = pythonJson(PY, JSON.stringify({ data: payload, cases }));
  });

  it.each(SOURCES)('%s: class counts equal imblearn SMOTEN for every strategy form', async (source) => {
    let compared = 0;
    for (let i = 0; i < cases.length; i++) {
      if (cases[i].source !== source) continue;
      const mine = await ourCounts(smotenDefinition, {}, data.get(source)!, cases[i].strategy);
      const py = theirs.counts[i];
      expect(sameOutcome(mine, py), `${source} ${JSON.stringify(cases[i].strategy)}: ours ${JSON.stringify(mine)} imblearn ${JSON.stringify(py)}`).toBe(true);
      compared++;
    }
    expect(compared).toBe(3);
  });

  it.each(SOURCES)('%s: VDM distances equal ValueDifferenceMetric.pairwise', (source) => {
    const d = data.get(source)!;
    const vdm = fitVdm(d);
    const per = theirs.vdm[source];
    expect(per.length).toBeGreaterThan(0);
    for (const p of per) {
      expect(rowsOfClass(d.labels, d.classNames.indexOf(p.klass)).subarray(0, p.rows.length)).toEqual(Int32Array.from(p.rows));
      const m = p.rows.length;
      for (let a = 0; a < m; a++) {
        for (let b = 0; b < m; b++) {
          const want = p.dist[a * m + b];
          expect(Math.abs(vdmDistance(vdm, d, p.rows[a], p.rows[b]) - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, want));
        }
      }
    }
  });
});
