/**
 * Parity of src/models with scikit-learn 1.2.1 on the shared binary datasets: the same 5
 * stratified folds (generated here from a seeded Rng, passed to python), the same
 * standardization (StandardScaler fitted on the training fold), minority class as positive.
 */
import { beforeAll, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts, takeRows } from '../../src/dataset/make.js';
import { averagePrecision, rocAuc } from '../../src/metrics/index.js';
import { createLogistic } from '../../src/models/logistic.js';
import { createMlp } from '../../src/models/mlp.js';
import { createKnn } from '../../src/models/knn.js';
import { createIsolationForest } from '../../src/models/isolation-forest.js';

import type { Classifier, Dataset } from '../../src/types.js';
import { BINARY, datasetPath, loadDataset } from '../helpers/datasets.js';
import { describeParity, pythonJson } from '../helpers/python.js';

const FOLDS = 5;

/** Stratified fold id of each row: per class, a seeded shuffle dealt round-robin. */
function stratifiedFolds(labels: Int32Array, nClasses: number, folds: number, seed: number): Int32Array {
  const rng = createRng(seed).fork('parity-folds');
  const fold = new Int32Array(labels.length);
  let offset = 0;
  for (let c = 0; c < nClasses; c++) {
    const rows: number[] = [];
    labels.forEach((l, i) => l === c && rows.push(i));
    for (let i = rows.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    rows.forEach((r, t) => (fold[r] = (t + offset) % folds));
    offset += rows.length;
  }
  return fold;
}

function minorityCode(data: Dataset): number {
  const counts = classCounts(data.labels, data.classNames.length);
  let best = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] < counts[best]) best = c;
  return best;
}

interface FoldScores {
  auc: number[];
  ap: number[];
}

async function ourScores(name: string, model: Classifier): Promise<FoldScores> {
  const data = loadDataset(name);
  const positive = minorityCode(data);
  const fold = stratifiedFolds(data.labels, data.classNames.length, FOLDS, 11);
  const out: FoldScores = { auc: [], ap: [] };
  for (let f = 0; f < FOLDS; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    fold.forEach((k, i) => (k === f ? testRows : trainRows).push(i));
    const fitted = await model.fit(takeRows(data, trainRows), createRng(3).fork(`fold${f}`), { positive });
    const test = takeRows(data, testRows);
    const score = await fitted.predictProba(test);
    fitted.dispose();
    const y = Uint8Array.from(test.labels, (l) => (l === positive ? 1 : 0));
    out.auc.push(rocAuc(y, score));
    out.ap.push(averagePrecision(y, score));
  }
  return out;
}

const PY = `
import sys, json, warnings
import numpy as np, pandas as pd
warnings.simplefilter('ignore')
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score, average_precision_score
results = []
for req in json.load(sys.stdin):
    df = pd.read_csv(req['path'])
    y_all = df.pop('label').astype(str).to_numpy()
    X = df.to_numpy(dtype=float)
    classes, counts = np.unique(y_all, return_counts=True)
    y = (y_all == classes[np.argmin(counts)]).astype(int)
    fold = np.array(req['fold'])
    out = {'auc': [], 'ap': []}
    for f in range(req['folds']):
        tr, te = fold != f, fold == f
        sc = StandardScaler().fit(X[tr])
        if req['model'] == 'isolation-forest':
            p = -IsolationForest(random_state=f).fit(X[tr]).score_samples(X[te])
        else:
            if req['model'] == 'logistic':
                m = LogisticRegression()
            elif req['model'] == 'knn':
                m = KNeighborsClassifier(n_neighbors=5, weights=req.get('weights', 'uniform'))
            else:
                m = MLPClassifier(hidden_layer_sizes=(64, 32), random_state=f)
            m.fit(sc.transform(X[tr]), y[tr])
            p = m.predict_proba(sc.transform(X[te]))[:, 1]
        out['auc'].append(roc_auc_score(y[te], p)); out['ap'].append(average_precision_score(y[te], p))
    results.append(out)
print(json.dumps(results))
`;

// Two datasets keep the file under 30 s. Not sonar: its training folds have ~166 rows, and a 10%
// validation split (17 rows) stops too early (scikit-learn's own early_stopping=True loses ~0.07
// AUC there too); with validationFraction 0 (no early stopping, like MLPClassifier's default)
// ours was within 0.03 of it on the same 5 folds when measured.
const MLP_DATASETS = ['pima', 'ionosphere'] as const;
const KNN_DATASETS = ['breast_cancer', 'ionosphere'] as const;
const FOREST_DATASETS = ['breast_cancer', 'optical_digits'] as const;
const jobs: { name: string; model: string; weights?: string }[] = [
  ...BINARY.map((name) => ({ name, model: 'logistic' })),
  ...MLP_DATASETS.map((name) => ({ name, model: 'mlp' })),
  ...KNN_DATASETS.flatMap((name) => ['uniform', 'distance'].map((weights) => ({ name, model: `knn`, weights }))),
  ...FOREST_DATASETS.map((name) => ({ name, model: 'isolation-forest' })),
];
const sklearn = new Map<string, FoldScores>();

/** One python run for every (dataset, model): python start-up dominates otherwise. */
function runSklearn(): void {
  const req = jobs.map(({ name, model, weights }) => {
    const data = loadDataset(name);
    const fold = stratifiedFolds(data.labels, data.classNames.length, FOLDS, 11);
    return { path: datasetPath(name), fold: Array.from(fold), folds: FOLDS, model, weights };
  });
  const res = pythonJson<FoldScores[]>(PY, JSON.stringify(req));
  jobs.forEach((j, i) => sklearn.set(`${j.model}${j.weights ? '-' + j.weights : ''}/${j.name}`, res[i]));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describeParity('models parity with scikit-learn', () => {
  beforeAll(runSklearn, 120_000);

  for (const name of BINARY) {
    it(`logistic ROC-AUC and PR-AUC within 0.01 of LogisticRegression() on ${name}, every fold`, async () => {
      const ours = await ourScores(name, createLogistic());
      const theirs = sklearn.get(`logistic/${name}`)!;
      for (let f = 0; f < FOLDS; f++) {
        expect(Math.abs(ours.auc[f] - theirs.auc[f])).toBeLessThan(0.01);
        expect(Math.abs(ours.ap[f] - theirs.ap[f])).toBeLessThan(0.01);
      }
    });
  }

  for (const name of MLP_DATASETS) {
    it(`mlp mean ROC-AUC and PR-AUC within 0.03 of MLPClassifier((64, 32)) on ${name}`, async () => {
      const ours = await ourScores(name, createMlp());
      const theirs = sklearn.get(`mlp/${name}`)!;
      expect(Math.abs(mean(ours.auc) - mean(theirs.auc))).toBeLessThan(0.03);
      expect(Math.abs(mean(ours.ap) - mean(theirs.ap))).toBeLessThan(0.03);
    });
  }

  // Same neighbours on the same standardized rows: equal up to distance ties and float32 distances.
  for (const name of KNN_DATASETS) {
    for (const weights of ['uniform', 'distance'] as const) {
      it(`knn (k=5, ${weights}) ROC-AUC and PR-AUC within 0.005 of KNeighborsClassifier on standardized ${name}, every fold`, async () => {
        const ours = await ourScores(name, createKnn({ k: 5, weights }));
        const theirs = sklearn.get(`knn-${weights}/${name}`)!;
        for (let f = 0; f < FOLDS; f++) {
          expect(Math.abs(ours.auc[f] - theirs.auc[f])).toBeLessThan(0.005);
          expect(Math.abs(ours.ap[f] - theirs.ap[f])).toBeLessThan(0.005);
        }
      });
    }
  }

  // Different random streams: compare the 5-fold means (seed-to-seed spread is ~0.01).
  for (const name of FOREST_DATASETS) {
    it(`isolation-forest mean ROC-AUC within 0.03 of IsolationForest() on ${name} (labels unused)`, async () => {
      const ours = await ourScores(name, createIsolationForest());
      const theirs = sklearn.get(`isolation-forest/${name}`)!;
      expect(Math.abs(mean(ours.auc) - mean(theirs.auc))).toBeLessThan(0.03);
    });
  }
});
