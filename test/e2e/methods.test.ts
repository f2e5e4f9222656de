/**
 * `resample -m <each>` end to end through the built binary: every registered method, CSV from a
 * file and Arrow from stdin, with the class table on stderr agreeing with the rows written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';
import { datasetPath } from '../helpers/datasets.js';

const { dir, cleanup } = tempDir('rebalance-methods-');
afterAll(cleanup);

const methods: { name: string; kind: string }[] = JSON.parse(cli(['methods', '--json']).stdout);
const PIMA = datasetPath('pima');
const arrowInput = join(dir, 'pima.arrow');

/** Methods that need categorical features get the transactions example instead. */
function inputFor(method: string): { csv: string; args: string[] } {
  if (method === 'smote-nc') return { csv: 'examples/transactions.csv', args: ['--label', 'is_fraud'] };
  if (method === 'smoten') return { csv: 'examples/transactions.csv', args: ['--label', 'is_fraud', '--categorical', 'hour,tx_last_24h', '--passthrough', 'amount,account_age_days,distance_km'] };
  return { csv: PIMA, args: [] };
}

beforeAll(() => {
  const r = cli(['resample', PIMA, '-m', 'random-under', '--strategy', '0=500', '-q', '-o', arrowInput]);
  expect(r.code, r.stderr).toBe(0);
});

describe('every method through the CLI', () => {
  it('lists every method', () => expect(methods.length).toBe(21));

  it.each(methods.map((m) => [m.name]))('%s: CSV file -> CSV, summary matches the rows', (name) => {
    const { csv, args } = inputFor(name);
    const out = join(dir, `${name}.csv`);
    const json = join(dir, `${name}.json`);
    const r = cli(['resample', csv, '-m', name, '--k-auto', ...args, '-o', out, '--summary-json', json]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(json, 'utf8'));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.length - 1).toBe(summary.rowsWritten);
    expect(summary.classes.reduce((s: number, c: { after: number }) => s + c.after, 0)).toBe(summary.rowsWritten);
  });

  it.each(methods.filter((m) => m.name !== 'smote-nc' && m.name !== 'smoten').map((m) => [m.name]))('%s: Arrow from stdin -> Arrow', (name) => {
    const out = join(dir, `${name}.arrow`);
    const r = cli(['resample', '-', '-m', name, '--k-auto', '-q', '-o', out], { input: readFileSync(arrowInput) });
    expect(r.code, r.stderr).toBe(0);
    const t = tableFromIPC(readFileSync(out));
    expect(t.schema.fields.map((f) => f.name)).toEqual(['pregnant', 'glucose', 'pressure', 'triceps', 'insulin', 'mass', 'pedigree', 'age', 'label']);
    expect(t.schema.metadata.get('rebalance.method')).toBe(name);
    expect(t.numRows).toBeGreaterThan(0);
  });
});
