/**
 * `rebalance evaluate` end to end, in-process (createCli + run with PassThrough streams): the
 * verdict in every output format, the grid that survives a failing cell and its exit codes,
 * default samplers by feature kinds, isolation-forest refused with samplers, hints that name
 * evaluate's own options, and the MLP protocol flags.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { createRng } from '../../src/core/rng.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Outcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await run(['node', 'rebalance', ...args], { stdout, stderr, signal: new AbortController().signal, version: 'test' });
  return { code, stdout: out, stderr: err };
}

const TRANSACTIONS = resolve(__dirname, '../../examples/transactions.csv');
let dir: string;
let small: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalance-verdict-'));
  // 300 rows of noise, 12 positives: kmeans-smote finds no cluster with enough of them.
  const rng = createRng(3);
  const lines = ['a,b,c,y'];
  for (let i = 0; i < 300; i++) lines.push(`${rng.nextNormal().toFixed(4)},${rng.nextNormal().toFixed(4)},${rng.nextNormal().toFixed(4)},${i % 25 === 0 ? 1 : 0}`);
  small = join(dir, 'small.csv');
  writeFileSync(small, lines.join('\n') + '\n');
});

const base = (...more: string[]): string[] => ['evaluate', small, '--label', 'y', '--repeats', '1', '-q', ...more];

describe('evaluate: a grid that survives a failing cell', () => {
  it('ranks the rest, lists the failure in text, markdown and JSON, and exits 0 with one warning line', async () => {
    const text = await cli(...base('--samplers', 'none,kmeans-smote,random-over'));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^kmeans-smote \+ logistic failed at fold 1\/5 \(repeat 1\/1\) in the sampler: .*\[REBALANCE_NO_CLUSTER\]$/m);
    expect(text.stdout).toContain('random-over');
    const warning = text.stderr.trimEnd().split('\n');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/^rebalance: warning: 1 of 3 setups failed and are not ranked .*--strict makes this exit 3$/);
    // The hint names evaluate's options: no '-m', and resample's own options are said to be resample's.
    expect(text.stdout).not.toMatch(/(^|\s)-m /);
    // Every option the hint names (--cluster-balance-threshold, --clusters) is one evaluate takes too.
    expect(text.stdout).toContain('--samplers smote');
    expect(text.stdout).not.toContain("of 'rebalance resample'");

    const md = await cli(...base('--samplers', 'none,kmeans-smote,random-over', '--output', 'markdown'));
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('## Verdict');
    expect(md.stdout).toMatch(/^- kmeans-smote \+ logistic failed at fold 1\/5/m);

    const json = await cli(...base('--samplers', 'none,kmeans-smote,random-over', '--output', 'json'));
    const r = JSON.parse(json.stdout);
    expect(r.schemaVersion).toBe(2);
    expect(r.failed).toEqual([
      expect.objectContaining({ sampler: 'kmeans-smote', model: 'logistic', fold: 1, repeat: 1, stage: 'sampler', code: 'REBALANCE_NO_CLUSTER' }),
    ]);
    expect(r.results.map((x: { sampler: string }) => x.sampler).sort()).toEqual(['none', 'random-over']);
    expect(r.verdict.setups).toHaveLength(2);
  });

  it('exits 3 with --strict, or when no setup completed', async () => {
    const strict = await cli(...base('--samplers', 'none,kmeans-smote', '--strict'));
    expect(strict.code).toBe(3);
    expect(strict.stderr).toMatch(/1 of 2 setups failed and --strict is set.*\[REBALANCE_SETUP_FAILED\]/);
    expect(strict.stdout).toContain('kmeans-smote + logistic failed'); // the report is still written
    const none = await cli(...base('--samplers', 'kmeans-smote'));
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no setup completed \(1 of 1 failed\).*\[REBALANCE_NOTHING_COMPLETED\]/);
  });
});

describe('evaluate: the verdict', () => {
  it('ranks by --rank-by and judges on it; 3 repeats by default', async () => {
    const { code, stdout } = await cli('evaluate', small, '--label', 'y', '--samplers', 'none,random-over', '--rank-by', 'f1', '--output', 'json', '-q');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.settings).toMatchObject({ rankBy: 'f1', repeats: 3, folds: 5 });
    expect(r.verdict).toMatchObject({ metric: 'f1', confidence: 0.95, baseline: 'none', testTrainRatio: 0.25 });
    const over = r.verdict.setups.find((s: { sampler: string }) => s.sampler === 'random-over');
    expect(over.vsBaseline.pairs).toBe(15);
    const means = r.results.map((x: { metrics: { f1: { mean: number } } }) => x.metrics.f1.mean);
    expect([...means].sort((a, b) => b - a)).toEqual(means);
    const text = await cli('evaluate', small, '--label', 'y', '--samplers', 'none,random-over', '--rank-by', 'f1', '-q');
    expect(text.stdout).toContain('f1 vs none (95% CI)');
    expect(text.stdout).toContain('verdict on f1');
    expect((await cli(...base('--rank-by', 'threshold'))).code).toBe(2);
  });

  it('documents the verdict, the failure rule and the new options in --help', async () => {
    const { code, stdout } = await cli('evaluate', '--help');
    expect(code).toBe(0);
    for (const s of ['--rank-by', '--strict', '--early-stopping', '--validation-fraction', '--max-epochs', 'corrected resampled t-test', '3 with --strict']) {
      expect(stdout).toContain(s);
    }
  });
});

describe('evaluate: defaults and refusals', () => {
  it("runs the help's first example on the mixed-type table, with smote-nc among the default samplers", async () => {
    const { code, stdout } = await cli('evaluate', TRANSACTIONS, '--label', 'is_fraud', '--repeats', '1', '--output', 'json', '-q');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.settings.samplers).toEqual(['none', 'random-under', 'random-over', 'smote-nc']);
    expect(r.failed).toEqual([]);
  });

  it('picks smote on numeric tables and refuses isolation-forest with a sampler (exit 2)', async () => {
    const numeric = JSON.parse((await cli(...base('--output', 'json'))).stdout);
    expect(numeric.settings.samplers).toEqual(['none', 'random-under', 'random-over', 'smote']);
    const refused = await cli(...base('--models', 'logistic,isolation-forest'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/isolation-forest never sees labels.*--samplers none.*\[REBALANCE_BAD_EVALUATE_OPTION\]/);
    const alone = JSON.parse((await cli(...base('--models', 'isolation-forest', '--output', 'json'))).stdout);
    expect(alone.settings.samplers).toEqual(['none']);
  });

  it('checks the mlp protocol flags against each other', async () => {
    const both = await cli(...base('--models', 'mlp', '--early-stopping', 'off', '--validation-fraction', '0.2'));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--validation-fraction 0.2 needs --early-stopping on');
    const epochs = await cli(...base('--models', 'mlp', '--max-epochs', '5', '--epochs', '6'));
    expect(epochs.code).toBe(2);
    expect((await cli(...base('--validation-fraction', '1'))).code).toBe(2);
  });

  it('trains the mlp without early stopping when asked (a different network than with it)', async () => {
    const args = base('--models', 'mlp', '--samplers', 'none', '--max-epochs', '5', '--hidden', '4', '--output', 'json');
    const on = JSON.parse((await cli(...args)).stdout);
    const off = JSON.parse((await cli(...args, '--early-stopping', 'off')).stdout);
    const held = JSON.parse((await cli(...args, '--validation-fraction', '0.3')).stdout);
    expect(off.results[0].metrics.pr_auc.folds).not.toEqual(on.results[0].metrics.pr_auc.folds);
    expect(held.results[0].metrics.pr_auc.folds).not.toEqual(on.results[0].metrics.pr_auc.folds);
  });
});

