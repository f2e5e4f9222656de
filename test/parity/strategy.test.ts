/**
 * Parity of samplers/strategy.ts with imbalanced-learn's check_sampling_strategy: every strategy
 * form x every kind x every shared dataset (plus tie cases), one python run for all cases.
 */
import { beforeAll, expect, it } from 'vitest';
import { RebalanceError } from '../../src/core/errors.js';
import { classCounts, makeDataset } from '../../src/dataset/make.js';
import { STRATEGY_NAMES, resolveStrategy, samplingTargets } from '../../src/samplers/strategy.js';
import type { Dataset, SamplingKind, SamplingStrategy } from '../../src/types.js';
import { BINARY, MULTICLASS, datasetPath, loadDataset } from '../helpers/datasets.js';
import { describeParity, pythonJson } from '../helpers/python.js';

const KINDS: SamplingKind[] = ['over', 'under', 'clean'];
const RATIOS = [0.05, 0.1, 0.3, 0.5, 0.55, 0.6, 0.75, 0.9, 0.99, 1, 0, 1.5, -0.5];

/** Label vectors with ties (given to python as-is; names sort the same in numpy and sortClassNames). */
const TIES: Record<string, string[]> = {
  'tie-binary': [...Array(7).fill('a'), ...Array(7).fill('b')],
  'tie-three': ['b', 'a', 'c', 'a', 'b', 'c', 'a', 'b', 'c'],
  'tie-top': [...Array(20).fill('x'), ...Array(20).fill('y'), ...Array(5).fill('z')],
  'tie-bottom': [...Array(5).fill('p'), ...Array(20).fill('q'), ...Array(5).fill('r')],
  'one-class': Array(6).fill('only'),
};

interface Case {
  readonly source: string;
  readonly kind: SamplingKind;
  readonly strategy: SamplingStrategy;
}

type Outcome = { ok: [string, number][] } | { err: string };

function strategiesFor(data: Dataset): SamplingStrategy[] {
  const counts = classCounts(data.labels, data.classNames.length);
  const names = data.classNames;
  const dicts: Record<string, number>[] = [
    Object.fromEntries(names.map((n) => [n, Math.max(...counts)])),
    Object.fromEntries(names.map((n, c) => [n, counts[c] + 7])),
    Object.fromEntries(names.map((n, c) => [n, Math.floor(counts[c] / 2)])),
    { [names[0]]: counts[0] },
    { [names[0]]: counts[0] - 1 },
    { [names[names.length - 1]]: counts[names.length - 1] + 1 },
    { [names[0]]: 0 },
    { nope: 3 },
    { [names[0]]: -2 },
  ];
  return [...STRATEGY_NAMES, ...RATIOS, ...dicts];
}

function ours(c: Case, data: Dataset): Outcome {
  const counts = classCounts(data.labels, data.classNames.length);
  try {
    const targets = samplingTargets(c.strategy, counts, c.kind, data.classNames);
    const plan = resolveStrategy(c.strategy, counts, c.kind, data.classNames);
    // the plan restates imblearn's value as from/to
    expect([...plan.targets.keys()]).toEqual([...targets.keys()]);
    for (const [code, { from, to }] of plan.targets) {
      const v = targets.get(code)!;
      expect(from).toBe(counts[code]);
      expect(c.kind === 'over' ? to - from : c.kind === 'under' ? to : v).toBe(v);
      if (c.kind === 'clean') expect(to).toBe(from);
    }
    return { ok: [...targets].map(([code, v]) => [data.classNames[code], v]) };
  } catch (e) {
    if (!(e instanceof RebalanceError)) throw e;
    return { err: `${e.name} ${e.code}: ${e.message}` };
  }
}

const PY = `
import json, sys, warnings
import numpy as np, pandas as pd
from imblearn.utils import check_sampling_strategy
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
ys = {}
for name, src in req['sources'].items():
    ys[name] = pd.read_csv(src)['label'].values if isinstance(src, str) else np.array(src)
out = []
for c in req['cases']:
    y = ys[c['source']]
    s = c['strategy']
    if isinstance(s, dict):
        labels = {str(k): k for k in np.unique(y)}
        s = {labels.get(k, k): v for k, v in s.items()}
    try:
        r = check_sampling_strategy(s, y, c['kind'] + '-sampling')
        out.append({'ok': [[str(k), int(v)] for k, v in r.items()]})
    except ValueError as e:
        out.append({'err': str(e)})
print(json.dumps(out))
`;

describeParity('check_sampling_strategy parity (imblearn 0.10)', () => {
  const data = new Map<string, Dataset>();
  const sources: Record<string, string | string[]> = {};
  const cases: Case[] = [];
  let theirs: Outcome[] = [];

  for (const name of [...BINARY, ...MULTICLASS]) {
    sources[name] = datasetPath(name);
  }
  Object.assign(sources, TIES);

  beforeAll(() => {
    for (const name of [...BINARY, ...MULTICLASS]) data.set(name, loadDataset(name));
    for (const [name, y] of Object.entries(TIES)) data.set(name, makeDataset({ features: {}, labels: y }));
    for (const [source, d] of data) {
      for (const strategy of strategiesFor(d)) for (const kind of KINDS) cases.push({ source, kind, strategy });
    }
    theirs = pythonJson<Outcome[]>(PY, JSON.stringify({ sources, cases }));
  });

  it.each([...BINARY, ...MULTICLASS, ...Object.keys(TIES)])('%s: same dict for every strategy and kind, errors on both sides alike', (source) => {
    let compared = 0;
    let errors = 0;
    cases.forEach((c, i) => {
      if (c.source !== source) return;
      const mine = ours(c, data.get(source)!);
      const py = theirs[i];
      const label = `${source} ${c.kind} ${JSON.stringify(c.strategy)}`;
      if ('err' in py) {
        expect('err' in mine, `${label}: imblearn raised "${py.err}" but rebalance returned ${JSON.stringify(mine)}`).toBe(true);
        errors++;
      } else {
        expect(mine, `${label}: imblearn returned ${JSON.stringify(py.ok)}`).toEqual(py);
      }
      compared++;
    });
    expect(compared).toBeGreaterThan(60);
    expect(errors).toBeGreaterThan(0);
  });
});
