/**
 * `rebalance evaluate --samplers none,class-weight,...` through the CLI (in-process): the
 * class-weight setup is accepted (not an unknown method), runs for models that take weights,
 * is skipped with a warning for those that do not, and appears in every output format.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';

const PIMA = resolve(__dirname, '../../examples/pima.csv');
const base = [PIMA, '--folds', '3', '--repeats', '1', '--seed', '3'];

describe('evaluate --samplers class-weight', () => {
  it('json: a class-weight row for logistic, knn skipped with a warning, exit 0', async () => {
    const r = await runCli(['evaluate', ...base, '--samplers', 'none,class-weight', '--models', 'logistic,knn', '--output', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { results: { sampler: string; model: string }[]; skipped: unknown[]; failed: unknown[] };
    expect(json.results.map((x) => `${x.sampler}+${x.model}`).sort()).toEqual(['class-weight+logistic', 'none+knn', 'none+logistic']);
    expect(json.skipped).toEqual([{ sampler: 'class-weight', model: 'knn', reason: 'knn takes no class weights' }]);
    expect(json.failed).toEqual([]);
    expect(r.stderr).toContain('class-weight skipped for knn');
  });

  it('text and markdown name the setup and its verdict; a typo is still an unknown method', async () => {
    const text = await runCli(['evaluate', ...base, '--samplers', 'none,class-weight', '--models', 'logistic', '-q']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/class-weight\s+logistic/);
    expect(text.stdout).toMatch(/class-weight \+ logistic/);
    const md = await runCli(['evaluate', ...base, '--samplers', 'none,class-weight', '--models', 'logistic', '--output', 'markdown', '-q']);
    expect(md.stdout).toContain('class-weight');
    const typo = await runCli(['evaluate', ...base, '--samplers', 'none,class-weights', '--models', 'logistic']);
    expect(typo.code).toBe(2);
  });

  it('--class-weight balanced next to class-weight is warned about', async () => {
    const r = await runCli(['evaluate', ...base, '--samplers', 'none,class-weight', '--models', 'logistic', '--class-weight', 'balanced']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("'class-weight' only repeats 'none'");
  });
});
