/**
 * Test helper: loads a file of ../shared/datasets (numeric features, `label` last, optional
 * RFC 4180 quotes, no embedded commas) into a Dataset without going through src/io.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDataset } from '../../src/dataset/make.js';
import type { Dataset } from '../../src/types.js';

const here = dirname(fileURLToPath(import.meta.url));

/** fixtures/datasets (a copy of ../shared/datasets kept in the repo), else ../shared/datasets. */
export function datasetsDir(): string {
  const candidates = [resolve(here, '../../fixtures/datasets'), resolve(here, '../../../shared/datasets')];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`no datasets folder found in ${candidates.join(' or ')}`);
}

export function datasetPath(name: string): string {
  return join(datasetsDir(), name.endsWith('.csv') ? name : `${name}.csv`);
}

export const BINARY = ['pima', 'ionosphere', 'sonar', 'breast_cancer', 'optical_digits'] as const;
export const MULTICLASS = ['glass', 'vehicle', 'wine'] as const;

const unquote = (s: string): string => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s);

/**
 * A shared data set as a Dataset. Empty fields (only in breast_cancer_original_with_missing) read
 * as 0 (Number('')), or as NaN with `{ empty: NaN }` for tests of missing values.
 */
export function loadDataset(name: string, options: { readonly empty?: number } = {}): Dataset {
  const empty = options.empty ?? 0;
  const lines = readFileSync(datasetPath(name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',').map(unquote);
  const labelCol = header.indexOf('label');
  const rows = lines.slice(1).map((l) => l.split(',').map(unquote));
  const features: Record<string, number[]> = {};
  header.forEach((h, j) => {
    if (j !== labelCol) features[h] = rows.map((r) => (r[j] === '' ? empty : Number(r[j])));
  });
  return makeDataset({ features, labels: rows.map((r) => r[labelCol]) });
}
