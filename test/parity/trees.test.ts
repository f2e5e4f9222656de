/**
 * Parity of the tree models with scikit-learn 1.2.1 / imbalanced-learn 0.10 on the shared binary
 * data sets: the same 5-fold x 2 repeats stratified splits (made here by src/evaluate/folds.ts,
 * passed to python as JSON), minority class as positive, mean PR-AUC (average precision) over
 * the 10 folds. breast_cancer_original_with_missing is median-imputed with the training fold's
 * medians on both sides. Different random streams, so means are compared, not folds.
 * gbdt also on the shared multi-class data sets (glass, vehicle, wine): both sides fit all
 * classes (softmax / multinomial loss) and the score is the minority class's predicted
 * probability, PR-AUC one-vs-rest.
 */
import { spawn } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { takeRows } from '../../src/dataset/make.js';
import { complementRows } from '../../src/evaluate/folds.js';
import { averagePrecision } from '../../src/metrics/index.js';
import { createEasyEnsemble } from '../../src/models/easy-ensemble.js';
import { createGbdt } from '../../src/models/gbdt.js';
import { createBalancedRandomForest, createRandomForest } from '../../src/models/random-forest.js';
import type { Classifier } from '../../src/types.js';
import { BINARY, datasetPath, MULTICLASS } from '../helpers/datasets.js';
import { imputeMedian, minorityCode, splits } from '../helpers/tree-parity.js';
import { describeParity, PYTHON } from '../helpers/python.js';

const DATASETS = [...BINARY, 'breast_cancer_original_with_missing'] as const;
const MISSING = 'breast_cancer_original_with_missing';


async function ourMeanAp(name: string, model: Classifier): Promise<number> {
  const { data, test } = splits(name);
  const positive = minorityCode(data);
  let sum = 0;
  for (let f = 0; f < test.length; f++) {
    let tr = takeRows(data, complementRows(data.nRows, test[f]));
    let te = takeRows(data, test[f]);
    if (name === MISSING) {
      te = imputeMedian(tr, te);
      tr = imputeMedian(tr, tr);
    }
    const fitted = await model.fit(tr, createRng(5).fork(`fold${f}`), { positive });
    const score = await fitted.predictProba(te);
    fitted.dispose();
    sum += averagePrecision(Uint8Array.from(te.labels, (l) => (l === positive ? 1 : 0)), score);
  }
  return sum / test.length;
}

const PY = `
import sys, json, warnings
import numpy as np, pandas as pd
warnings.simplefilter('ignore')
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.metrics import average_precision_score
def make(model, seed):
    if model == 'gbdt': return HistGradientBoostingClassifier(random_state=seed)
    if model == 'random-forest': return RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=-1)
    from imblearn.ensemble import BalancedRandomForestClassifier, EasyEnsembleClassifier
    if model == 'balanced-random-forest': return BalancedRandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=-1)
    if model == 'easy-ensemble': return EasyEnsembleClassifier(n_estimators=10, random_state=seed, n_jobs=-1)
    raise ValueError(model)
results = []
for req in json.load(sys.stdin):
    df = pd.read_csv(req['path'])
    y_all = df.pop('label').astype(str).to_numpy()
    X = df.to_numpy(dtype=float)
    classes, counts = np.unique(y_all, return_counts=True)
    multi = req['multiclass']
    pos = int(np.argmin(counts)) if multi else 1
    y = np.searchsorted(classes, y_all) if multi else (y_all == classes[np.argmin(counts)]).astype(int)
    aps = []
    for f, test in enumerate(req['test']):
        te = np.zeros(len(y), dtype=bool); te[test] = True; tr = ~te
        Xtr, Xte = X[tr].copy(), X[te].copy()
        if np.isnan(Xtr).any() or np.isnan(Xte).any():
            med = np.nanmedian(Xtr, axis=0)
            Xtr = np.where(np.isnan(Xtr), med, Xtr); Xte = np.where(np.isnan(Xte), med, Xte)
        m = make(req['model'], f).fit(Xtr, y[tr])
        col = list(m.classes_).index(pos)
        aps.append(average_precision_score(y[te] == pos, m.predict_proba(Xte)[:, col]))
    results.append(float(np.mean(aps)))
print(json.dumps(results))
`;

interface Case {
  /** The peer's model name (make() in PY). */
  readonly model: string;
  /** Fit on all classes (multi-class data sets) instead of minority vs rest; default false. */
  readonly multiclass?: boolean;
  readonly create: () => Classifier;
  readonly tol: number;
  readonly datasets: readonly string[];
}

const ONLY = process.env.TREES_PARITY_ONLY;
const CASES: readonly Case[] = [
  { model: 'gbdt', create: () => createGbdt(), tol: 0.01, datasets: DATASETS },
  { model: 'gbdt', multiclass: true, create: () => createGbdt(), tol: 0.01, datasets: MULTICLASS },
  { model: 'random-forest', create: () => createRandomForest(), tol: 0.01, datasets: DATASETS },
  { model: 'balanced-random-forest', create: () => createBalancedRandomForest(), tol: 0.015, datasets: DATASETS },
  { model: 'easy-ensemble', create: () => createEasyEnsemble(), tol: 0.015, datasets: DATASETS },
].filter((c) => !ONLY || ONLY.split(',').includes(c.model));

/**
 * One python process per model, all started at once (python start-up and the peers' fits are
 * most of this file's time); our fits run meanwhile and each test awaits its model's peer.
 */
const peers = new Map<Case, Promise<Map<string, number>>>();

function runPeer(c: Case): Promise<Map<string, number>> {
  const req = c.datasets.map((name) => ({ model: c.model, multiclass: c.multiclass ?? false, path: datasetPath(name), test: splits(name).test.map((t) => Array.from(t)) }));
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', PY], { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`python failed (${code}): ${err}`));
      const res = JSON.parse(out) as number[];
      resolve(new Map(c.datasets.map((name, i) => [name, res[i]])));
    });
    child.stdin.end(JSON.stringify(req));
  });
}

describeParity('tree models parity with scikit-learn / imbalanced-learn (mean PR-AUC, 5 x 2 folds)', () => {
  beforeAll(() => {
    for (const c of CASES) {
      const p = runPeer(c);
      p.catch(() => undefined); // awaited (and reported) by the tests
      peers.set(c, p);
    }
  });

  for (const c of CASES) {
    for (const name of c.datasets) {
      it(`${c.model} mean PR-AUC within ${c.tol} of the peer on ${name}${c.multiclass ? ' (all classes)' : ''}`, async () => {
        const ours = await ourMeanAp(name, c.create());
        const theirs = (await peers.get(c)!).get(name)!;
        console.log(`${c.model} ${name}: ours ${ours.toFixed(4)} peer ${theirs.toFixed(4)} diff ${(ours - theirs).toFixed(4)}`);
        expect(Math.abs(ours - theirs)).toBeLessThan(c.tol);
      }, 240_000);
    }
  }
});
