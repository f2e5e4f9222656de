/**
 * Bad arguments: every option of `resample` and `evaluate` given a wrong type, an out-of-range
 * or a conflicting value is a usage error (exit 2) whose one-line message names the option.
 * Runs in-process (src/cli/main.ts `run`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from './harness.js';

const { dir, cleanup } = tempDir('rebalance-args-');
afterAll(cleanup);
const input = join(dir, 'in.csv');
const rows = ['a,b,label'];
for (let i = 0; i < 40; i++) rows.push(`${i},${(i * 7) % 13},${i % 4 === 0 ? 'y' : 'x'}`);
writeFileSync(input, rows.join('\n') + '\n');

/** [option as named in the message, extra argv]. */
const RESAMPLE: Array<[string, string[]]> = [
  ['method', ['-m', 'no-such-method']],
  ['k-neighbors', ['-m', 'smote', '-k', 'abc']],
  ['k-neighbors', ['-m', 'smote', '-k', '0']],
  ['k-neighbors', ['-m', 'smote', '-k', '2.5']],
  ['m-neighbors', ['-m', 'borderline-smote', '--m-neighbors', '-1']],
  ['n-neighbors', ['-m', 'enn', '--n-neighbors', 'x']],
  ['n-neighbors-ver3', ['-m', 'near-miss', '--n-neighbors-ver3', '0']],
  ['near-miss-version', ['-m', 'near-miss', '--near-miss-version', '4']],
  ['max-iter', ['-m', 'renn', '--max-iter', '0']],
  ['threshold-cleaning', ['-m', 'neighbourhood-cleaning-rule', '--threshold-cleaning', 'abc']],
  // Regression (found by this suite, fixed): exit 2 with an EMPTY stderr: parseShrinkage (src/cli/commands/resample.ts) calls numberIn,
  // whose commander InvalidArgumentError is thrown from the action, outside commander's printing,
  // and run() (src/cli/main.ts) returns 2 for any CommanderError without writing its message.
  // Expected: "rebalance resample: --shrinkage: ... must be >= 0" on stderr.
  ['shrinkage', ['-m', 'random-over', '--shrinkage', '-1']],
  ['voting', ['-m', 'cluster-centroids', '--voting', 'maybe']],
  ['clusters', ['-m', 'cluster-centroids', '--clusters', '0']],
  ['cluster-balance-threshold', ['-m', 'kmeans-smote', '--cluster-balance-threshold', 'abc']],
  ['out-step', ['-m', 'svm-smote', '--out-step', 'abc']],
  ['first', ['-m', 'smote-tomek', '--first', 'random-under']],
  ['variant', ['-m', 'borderline-smote', '--variant', 'borderline-9']],
  ['format', ['-m', 'random-over', '--format', 'xlsx']],
  ['seed', ['-m', 'random-over', '--seed', 'abc']],
  ['seed', ['-m', 'random-over', '--seed', '-5']],
  ['strategy', ['-m', 'random-over', '--strategy', 'bogus']],
  ['strategy', ['-m', 'random-over', '--strategy', '1.5']],
  ['strategy', ['-m', 'random-under', '--strategy', 'x=-3']],
  // Regression (found by this suite, fixed): exit 3 (DataError REBALANCE_STRATEGY) for a flag conflict known before reading data;
  // expected exit 2 (a UsageError) naming --classes.
  ['classes', ['-m', 'random-over', '--classes', 'x']],
  ['batch-size', ['-m', 'random-over', '--batch-size', '0']],
  ['batch-size', ['-m', 'random-over', '--batch-size', 'big']],
  ['missing', ['-m', 'random-over', '--missing', 'ignore']],
  ['on-bad-row', ['-m', 'random-over', '--on-bad-row', 'fix']],
  ['input-format', ['-m', 'random-over', '--input-format', 'xlsx']],
  ['delimiter', ['-m', 'random-over', '--delimiter', 'abc']],
  ['knn-backend', ['-m', 'smote', '--knn-backend', 'tpu']],
  ['knn-algorithm', ['-m', 'smote', '--knn-algorithm', 'ball-tree']],
  ['threads', ['-m', 'smote', '--threads', '0']],
  ['scale', ['-m', 'smote', '--scale', 'log']],
];

const EVALUATE: Array<[string, string[]]> = [
  // Regression (found by this suite, fixed): the message says "unknown method 'no-such-method'" without naming --samplers.
  ['samplers', ['--samplers', 'no-such-method']],
  ['models', ['--models', 'forest']],
  ['folds', ['--folds', '1']],
  ['folds', ['--folds', 'x']],
  ['repeats', ['--repeats', '0']],
  ['threshold', ['--threshold', 'sometimes']],
  ['fail-under', ['--fail-under', 'pr_auc']],
  ['fail-under', ['--fail-under', 'nonsense=0.5']],
  ['output', ['--output', 'pdf']],
  ['hidden', ['--models', 'mlp', '--hidden', 'a,b']],
  ['activation', ['--models', 'mlp', '--activation', 'tanh']],
  ['class-weight', ['--class-weight', 'heavy']],
  ['epochs', ['--models', 'mlp', '--epochs', '0']],
  ['tf-backend', ['--models', 'mlp', '--tf-backend', 'cuda']],
  ['model-k', ['--models', 'knn', '--model-k', '0']],
  ['k-neighbors', ['-k', '-2']],
  ['strategy', ['--strategy', 'bogus']],
  ['seed', ['--seed', 'x']],
  ['batch-size', ['--batch-size', '-1']],
];

function check(option: string, r: { code: number; stderr: string }): void {
  const lines = r.stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('(run '));
  expect(r.code, r.stderr).toBe(2);
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]!.toLowerCase(), `message should name --${option}`).toContain(option === 'label' ? 'label' : option);
}

describe('resample: bad option values are usage errors naming the option', () => {
  for (const [option, argv] of RESAMPLE) {
    it(`--${option} ${argv.slice(-1)[0]}`, async () => {
      check(option, await runInProcess(['resample', input, ...argv, '-o', join(dir, 'out.csv'), '-q']));
    });
  }
});

describe('values that depend on the data are data errors (exit 3) naming the option', () => {
  it('--label nope', async () => {
    const r = await runInProcess(['resample', input, '-m', 'random-over', '--label', 'nope', '-o', join(dir, 'out.csv'), '-q']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('--label');
  });
  it('--positive no-such-class', async () => {
    const r = await runInProcess(['evaluate', input, '--samplers', 'none', '--models', 'logistic', '--folds', '2', '-q', '--positive', 'zz']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('--positive');
  });
});

describe('evaluate: bad option values are usage errors naming the option', () => {
  for (const [option, argv] of EVALUATE) {
    it(`--${option} ${argv.slice(-1)[0]}`, async () => {
      check(option, await runInProcess(['evaluate', input, '--samplers', 'none,random-over', '--models', 'logistic', '--folds', '2', '-q', ...argv]));
    });
  }
});
