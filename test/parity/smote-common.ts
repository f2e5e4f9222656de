/**
 * Shared pieces of the SMOTE-family parity suites (smote, borderline, adasyn): the datasets, the
 * strategy forms compared, running one of our samplers to class counts, and the python prelude
 * that loads the same CSVs as float64. Not a test file itself.
 */
import { RebalanceError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import { createNaiveBackend } from '../../src/neighbors/naive.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, SamplerContext, SamplerDefinition, SamplerOptions, SamplingStrategy } from '../../src/types.js';
import { BINARY, MULTICLASS, datasetPath, loadDataset } from '../helpers/datasets.js';

export const SOURCES = [...BINARY, ...MULTICLASS];

/** Reference (naive float64) kNN: for the per-row decision comparisons. */
export const quietCtx = (): SamplerContext => ({ knn: createNaiveBackend(), log: () => {} });

/** The in-process cpu backend (same neighbours as the reference, much faster): for end-to-end counts. */
const fastCtx: SamplerContext = { knn: createCpuBackend({ threads: 1 }), log: () => {} };

export function loadSources(): Map<string, Dataset> {
  return new Map(SOURCES.map((n) => [n, loadDataset(n)]));
}

export const sourcePaths = (): Record<string, string> => Object.fromEntries(SOURCES.map((n) => [n, datasetPath(n)]));

/** 'auto' and other forms of over-sampling strategy valid for `d`. */
export function overStrategies(d: Dataset): SamplingStrategy[] {
  const counts = classCounts(d.labels, d.classNames.length);
  const max = Math.max(...counts);
  const out: SamplingStrategy[] = ['auto', Object.fromEntries(d.classNames.map((n, c) => [n, Math.max(counts[c], Math.floor(max * 0.9))]))];
  if (d.classNames.length === 2) out.push(0.6);
  else out.push('not majority');
  return out;
}

export type Counts = { ok: [string, number][] } | { err: string };

/** Class counts after resampling `d` with `def` (seed 0, cpu kNN), or the error. */
export async function ourCounts(def: SamplerDefinition, options: SamplerOptions, d: Dataset, strategy: SamplingStrategy): Promise<Counts> {
  const counts = classCounts(d.labels, d.classNames.length);
  try {
    const plan = resolveStrategy(strategy, counts, 'over', d.classNames);
    const r = await def.create(options).fitResample(d, plan, createRng(0), fastCtx);
    const out = Int32Array.from(counts);
    if (r.synthetic) for (const code of r.synthetic.labels) out[code]++;
    return { ok: Array.from(out, (n, code) => [d.classNames[code], n]) };
  } catch (e) {
    if (!(e instanceof RebalanceError)) throw e;
    return { err: `${e.name} ${e.code}: ${e.message}` };
  }
}

/**
 * Python prelude: reads `req` from stdin, loads every source as float64 X (round-trip parsing, so
 * values equal JavaScript's Number()) and y; `keyed(strategy, y)` maps class-name keys to labels;
 * `counts(yr, y)` lists [name, count] per class.
 */
export const PY_PRELUDE = `
import json, sys, warnings
import numpy as np, pandas as pd
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
data = {}
for name, path in req['sources'].items():
    df = pd.read_csv(path, float_precision='round_trip')
    data[name] = (df.drop(columns='label').values.astype(np.float64), df['label'].values)
def keyed(s, y):
    if not isinstance(s, dict):
        return s
    labels = {str(k): k for k in np.unique(y)}
    return {labels.get(k, k): v for k, v in s.items()}
def counts(yr, y):
    ks, ns = np.unique(yr, return_counts=True)
    got = dict(zip([str(k) for k in ks], [int(n) for n in ns]))
    return [[str(k), got.get(str(k), 0)] for k in np.unique(y)]
def run_counts(make, name, strategy):
    X, y = data[name]
    try:
        Xr, yr = make(keyed(strategy, y)).fit_resample(X, y)
        return {'ok': counts(yr, y)}
    except (ValueError, RuntimeError) as e:
        return {'err': str(e)}
`;

/** Both refuse, or both give the same counts. */
export function sameOutcome(mine: Counts, theirs: Counts): boolean {
  if ('err' in theirs || 'err' in mine) return 'err' in theirs && 'err' in mine;
  return JSON.stringify(mine.ok) === JSON.stringify(theirs.ok);
}
