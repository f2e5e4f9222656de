/**
 * Parity of random-over.ts / random-under.ts with imbalanced-learn 0.10's RandomOverSampler and
 * RandomUnderSampler: class counts after fit_resample for every shared dataset and strategy form,
 * the same inputs failing on both sides, and the smoothed bootstrap's noise scale per feature.
 * Random streams differ by design (ours: xoshiro forks per class), so rows are not compared.
 * One python run for all cases.
 */
import { beforeAll, expect, it } from 'vitest';
import { RebalanceError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { randomOverDefinition } from '../../src/samplers/random-over.js';
import { randomUnderDefinition } from '../../src/samplers/random-under.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, Resampled, SamplerContext, SamplerOptions, SamplingStrategy } from '../../src/types.js';
import { BINARY, MULTICLASS, datasetPath, loadDataset } from '../helpers/datasets.js';
import { describeParity, pythonJson } from '../helpers/python.js';

const ctx: SamplerContext = { knn: createNaiveBackend(), log: () => {} };
const SOURCES = [...BINARY, ...MULTICLASS];

interface Case {
  readonly source: string;
  readonly sampler: 'over' | 'under';
  readonly strategy: SamplingStrategy;
  readonly options: { replacement?: boolean; shrinkage?: number | Record<string, number> };
}
type Outcome = { ok: [string, number][]; prefix: boolean } | { err: string };

function casesFor(source: string, d: Dataset): Case[] {
  const counts = classCounts(d.labels, d.classNames.length);
  const names = d.classNames;
  const binary = names.length === 2;
  const max = Math.max(...counts);
  // No 'minority': imblearn 0.10.0's sampler parameter constraints reject it (their StrOptions omit
  // it although check_sampling_strategy supports it for over-sampling); strategy.test.ts covers it.
  const over: SamplingStrategy[] = ['auto', 'all', 'not minority', 'majority', Object.fromEntries(names.map((n) => [n, max + 10]))];
  const under: SamplingStrategy[] = ['auto', 'all', 'majority', 'not majority', Object.fromEntries(names.map((n, c) => [n, Math.floor(counts[c] / 3)]))];
  if (binary) {
    over.push(0.8);
    under.push(0.8);
  }
  const out: Case[] = [];
  for (const strategy of over) out.push({ source, sampler: 'over', strategy, options: {} });
  for (const strategy of under) for (const replacement of [false, true]) out.push({ source, sampler: 'under', strategy, options: { replacement } });
  out.push({ source, sampler: 'over', strategy: 'auto', options: { shrinkage: 1 } });
  out.push({ source, sampler: 'over', strategy: 'all', options: { shrinkage: Object.fromEntries(names.map((n, c) => [n, 0.5 + c])) } });
  // missing a factor for an over-sampled class: both sides refuse
  out.push({ source, sampler: 'over', strategy: 'all', options: { shrinkage: { [names[0]]: 1 } } });
  return out;
}

async function ours(c: Case, d: Dataset): Promise<Outcome> {
  const counts = classCounts(d.labels, d.classNames.length);
  try {
    const plan = resolveStrategy(c.strategy, counts, c.sampler, d.classNames);
    const def = c.sampler === 'over' ? randomOverDefinition : randomUnderDefinition;
    const r: Resampled = await def.create(c.options as SamplerOptions).fitResample(d, plan, createRng(0), ctx);
    const out = new Int32Array(counts.length);
    for (const i of r.indices) out[d.labels[i]]++;
    for (const i of r.duplicates ?? []) out[d.labels[i]]++;
    if (r.synthetic) for (const code of r.synthetic.labels) out[code]++;
    const prefix = c.sampler === 'over' && r.indices.length === d.nRows && r.indices.every((v, i) => v === i);
    return { ok: Array.from(out, (n, code) => [d.classNames[code], n]), prefix };
  } catch (e) {
    if (!(e instanceof RebalanceError)) throw e;
    return { err: `${e.name} ${e.code}: ${e.message}` };
  }
}

const PY = `
import json, sys, warnings
import numpy as np, pandas as pd
from imblearn.over_sampling import RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
data = {}
for name, path in req['sources'].items():
    df = pd.read_csv(path)
    data[name] = (df.drop(columns='label').values.astype(float), df['label'].values)
def keyed(d, y):
    labels = {str(k): k for k in np.unique(y)}
    return {labels.get(k, k): v for k, v in d.items()}
out = []
for c in req['cases']:
    X, y = data[c['source']]
    s = c['strategy']
    if isinstance(s, dict):
        s = keyed(s, y)
    o = c['options']
    try:
        if c['sampler'] == 'over':
            sh = o.get('shrinkage')
            if isinstance(sh, dict):
                sh = keyed(sh, y)
            smp = RandomOverSampler(sampling_strategy=s, shrinkage=sh, random_state=0)
        else:
            smp = RandomUnderSampler(sampling_strategy=s, replacement=o.get('replacement', False), random_state=0)
        Xr, yr = smp.fit_resample(X, y)
        ks, ns = np.unique(yr, return_counts=True)
        got = dict(zip([str(k) for k in ks], [int(n) for n in ns]))
        prefix = c['sampler'] == 'over' and bool(np.array_equal(smp.sample_indices_[:len(y)], np.arange(len(y))))
        out.append({'ok': [[str(k), got.get(str(k), 0)] for k in np.unique(y)], 'prefix': prefix})
    except ValueError as e:
        out.append({'err': str(e)})
noise = []
for n in req['noise']:
    X, y = data[n['source']]
    smp = RandomOverSampler(sampling_strategy=keyed(n['strategy'], y), shrinkage=keyed(n['shrinkage'], y), random_state=0)
    Xr, yr = smp.fit_resample(X, y)
    new = slice(len(y), None)
    delta = Xr[new] - X[smp.sample_indices_[new]]
    per = {}
    for k in np.unique(yr[new]):
        per[str(k)] = np.sqrt((delta[yr[new] == k] ** 2).mean(axis=0)).tolist()
    noise.append(per)
print(json.dumps({'cases': out, 'noise': noise}))
`;

interface NoiseCase {
  readonly source: string;
  readonly strategy: Record<string, number>;
  readonly shrinkage: Record<string, number>;
}

const NOISE: NoiseCase[] = [
  { source: 'pima', strategy: { '1': 20000 }, shrinkage: { '1': 1 } },
  { source: 'wine', strategy: { class_0: 8000, class_2: 8000 }, shrinkage: { class_0: 0.5, class_2: 2 } },
];

describeParity('RandomOverSampler / RandomUnderSampler parity (imblearn 0.10)', () => {
  const data = new Map<string, Dataset>();
  const cases: Case[] = [];
  let theirs: { cases: Outcome[]; noise: Record<string, number[]>[] } = { cases: [], noise: [] };

  beforeAll(() => {
    for (const name of SOURCES) data.set(name, loadDataset(name));
    for (const [name, d] of data) cases.push(...casesFor(name, d));
    const sources = Object.fromEntries(SOURCES.map((n) => [n, datasetPath(n)]));
    theirs = pythonJson(PY, JSON.stringify({ sources, cases, noise: NOISE }));
  });

  it.each(SOURCES)('%s: class counts after fit_resample equal, errors alike, originals first', async (source) => {
    let compared = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      if (c.source !== source) continue;
      const mine = await ours(c, data.get(source)!);
      const py = theirs.cases[i];
      const label = `${source} ${c.sampler} ${JSON.stringify(c.strategy)} ${JSON.stringify(c.options)}`;
      if ('err' in py) expect('err' in mine, `${label}: imblearn raised "${py.err}", rebalance gave ${JSON.stringify(mine)}`).toBe(true);
      else expect(mine, label).toEqual(py);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(17);
  });

  it.each(NOISE.map((n, i) => [n.source, i] as const))('%s: smoothed bootstrap noise scale per feature matches', async (source, i) => {
    const n = NOISE[i];
    const d = data.get(source)!;
    const plan = resolveStrategy(n.strategy, classCounts(d.labels, d.classNames.length), 'over', d.classNames);
    const r = await randomOverDefinition.create({ shrinkage: n.shrinkage }).fitResample(d, plan, createRng(0), ctx);
    const s = r.synthetic!;
    const py = theirs.noise[i];
    expect(Object.keys(py).sort()).toEqual(Object.keys(n.strategy).sort());
    for (const [name, theirStd] of Object.entries(py)) {
      const code = d.classNames.indexOf(name);
      for (let j = 0; j < d.features.length; j++) {
        let ss = 0;
        let m = 0;
        for (let k = 0; k < s.nRows; k++) {
          if (s.labels[k] !== code) continue;
          ss += (s.features[j][k] - d.features[j][s.sourceRow[k]]) ** 2;
          m++;
        }
        const mineStd = Math.sqrt(ss / m);
        if (theirStd[j] === 0) expect(mineStd).toBe(0);
        else expect(Math.abs(mineStd / theirStd[j] - 1), `${name} feature ${j}`).toBeLessThan(0.05);
      }
    }
  });
});
