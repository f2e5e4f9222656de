/**
 * The option tables (cli/sampler-options.ts, cli/model-options.ts): every row is a flag that
 * resample, train and evaluate accept, and every flag lands on its library option. Runs the CLI
 * in-process (createCli / run) on a small data set.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../../src/cli/common.js';
import { createCli } from '../../../src/cli/main.js';
import { addModelOptions, MODEL_OPTIONS, modelOptionsFrom } from '../../../src/cli/model-options.js';
import { type AnyOptionRow } from '../../../src/cli/option-table.js';
import { addSamplerOptions, checkClassesOption, SAMPLER_OPTIONS, samplerOptionsFrom } from '../../../src/cli/sampler-options.js';
import { UsageError } from '../../../src/core/errors.js';
import { modelNames } from '../../../src/models/registry.js';
import { runCli, type InProcessResult } from '../../helpers/cli-in-process.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const DATA = join(ROOT, 'fixtures', 'datasets', 'pima.csv');
const dir = mkdtempSync(join(tmpdir(), 'rebalance-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in-process (helpers/cli-in-process.ts). */
const cli = (...args: string[]): Promise<InProcessResult> => runCli(args);

/**
 * A value the row's parser accepts: the first choice, or the first of a few candidate texts that
 * parses; none for a switch.
 */
function sampleText(row: AnyOptionRow): string[] {
  if (!row.flags.includes('<')) return [];
  if (row.choices) return [row.choices[0]];
  for (const text of ['1', '0.5', 'on', 'a']) {
    try {
      row.parse!(text);
      return [text];
    } catch {
      // try the next candidate
    }
  }
  throw new Error(`no sample value parses for ${row.flags}`);
}

/** The long flag of a row ('-k, --k-neighbors <n>' -> '--k-neighbors'). */
function longFlag(row: AnyOptionRow): string {
  return new Option(row.flags).long!;
}

const samplerRows = Object.entries(SAMPLER_OPTIONS) as [string, AnyOptionRow][];
const modelRows = Object.entries(MODEL_OPTIONS) as [string, AnyOptionRow][];

/** Accepted: the command ran, or stopped on a typed rebalance error (a method may refuse a value), never on commander's option parsing. */
function expectAccepted(r: InProcessResult, flag: string): void {
  expect(r.stderr, flag).not.toMatch(/unknown option/);
  expect(r.stderr, flag).not.toMatch(/argument .* is invalid/);
  if (r.code !== 0) expect(r.stderr, `${flag}: exit ${r.code}`).toMatch(/\[REBALANCE_BAD_OPTION\]/);
}

const COMMON = ['--knn-backend', 'cpu', '--quiet'];

describe('sampler option table', () => {
  it('has a row for each SamplerOptions field with a distinct flag', () => {
    const flags = samplerRows.map(([, row]) => longFlag(row));
    expect(new Set(flags).size).toBe(flags.length);
    expect(samplerRows.length).toBe(18);
  });

  it('samplerOptionsFrom puts each flag on its own SamplerOptions key, and nothing else', () => {
    for (const [key, row] of samplerRows) {
      const cmd = addSamplerOptions(new Command('t').exitOverride());
      cmd.parse([longFlag(row), ...sampleText(row)], { from: 'user' });
      const expected = row.flags.includes('<') ? (row.choices ? row.choices[0] : row.parse!(sampleText(row)[0])) : true;
      expect(samplerOptionsFrom(cmd.opts()), row.flags).toEqual({ [key]: expected });
    }
    const none = addSamplerOptions(new Command('t'));
    none.parse([], { from: 'user' });
    expect(samplerOptionsFrom(none.opts())).toEqual({});
  });

  it.each(samplerRows.map(([key, row]) => [key, row]))('%s: resample, train and evaluate accept its flag', async (_key, row) => {
    const given = [longFlag(row), ...sampleText(row)];
    const out = join(dir, `resample-${longFlag(row).slice(2)}.csv`);
    expectAccepted(await cli('resample', DATA, '-m', 'random-under', ...given, '-o', out, ...COMMON), `resample ${given.join(' ')}`);
    const model = join(dir, `train-${longFlag(row).slice(2)}.json`);
    expectAccepted(await cli('train', DATA, '-m', 'random-under', '--model', 'logistic', ...given, '-o', model, ...COMMON), `train ${given.join(' ')}`);
    expectAccepted(
      await cli('evaluate', DATA, '--samplers', 'random-under', '--models', 'logistic', '--folds', '2', ...given, ...COMMON),
      `evaluate ${given.join(' ')}`,
    );
  });

  it('a bad value is one line on stderr and exit 2, in every command', async () => {
    for (const args of [
      ['resample', DATA, '-m', 'smote', '-k', '0'],
      ['train', DATA, '-m', 'smote', '-k', '0', '-o', join(dir, 'bad.json')],
      ['evaluate', DATA, '--samplers', 'smote', '-k', '0'],
      ['resample', DATA, '-m', 'random-over', '--shrinkage', 'x'],
      ['train', DATA, '-m', 'random-over', '--shrinkage', 'x', '-o', join(dir, 'bad.json')],
    ]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run ')), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/--(k-neighbors|shrinkage)/);
    }
  });

  it('--classes is for cleaning methods only and not with --strategy', () => {
    const clean = { name: 'enn', kind: 'clean' } as const;
    const over = { name: 'smote', kind: 'over' } as const;
    expect(() => checkClassesOption({ classes: ['a'] }, undefined, [clean])).not.toThrow();
    expect(() => checkClassesOption({}, 'auto', [over])).not.toThrow();
    expect(() => checkClassesOption({ classes: ['a'] }, undefined, [clean, over])).toThrow(/'smote' is an over-sampler/);
    expect(() => checkClassesOption({ classes: ['a'] }, 'all', [clean])).toThrow(UsageError);
  });
});

describe('train with a sampler option resample had alone', () => {
  it('-m borderline-smote --variant borderline-2 trains and saves a model, and the variant reaches the sampler', async () => {
    const two = join(dir, 'bl2.json');
    const one = join(dir, 'bl1.json');
    const r2 = await cli('train', DATA, '-m', 'borderline-smote', '--variant', 'borderline-2', '--model', 'logistic', '-o', two, '--knn-backend', 'cpu');
    expect(r2.code, r2.stderr).toBe(0);
    expect(existsSync(two)).toBe(true);
    const r1 = await cli('train', DATA, '-m', 'borderline-smote', '--variant', 'borderline-1', '--model', 'logistic', '-o', one, '--knn-backend', 'cpu');
    expect(r1.code, r1.stderr).toBe(0);
    const m2 = JSON.parse(readFileSync(two, 'utf8')) as { model: string };
    expect(m2.model).toBe('logistic');
    // Different synthetic rows, different coefficients: the flag was not dropped on the way.
    expect(readFileSync(two, 'utf8')).not.toBe(readFileSync(one, 'utf8'));
    const bad = await cli('train', DATA, '-m', 'borderline-smote', '--variant', 'borderline-3', '--model', 'logistic', '-o', join(dir, 'bl3.json'), '--knn-backend', 'cpu');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/borderline-3/);
  });
});

describe('model option table', () => {
  it('modelOptionsFrom puts each flag on its own ModelOptions key', () => {
    for (const [key, row] of modelRows) {
      const cmd = addModelOptions(new Command('t').exitOverride());
      cmd.parse([longFlag(row), ...sampleText(row)], { from: 'user' });
      const expected = row.choices ? row.choices[0] : row.parse!(sampleText(row)[0]);
      expect(modelOptionsFrom(cmd.opts())[key as keyof ReturnType<typeof modelOptionsFrom>], row.flags).toEqual(expected);
    }
  });

  it.each(modelRows.map(([key, row]) => [key, row]))('%s: train and evaluate accept its flag', async (_key, row) => {
    const given = [longFlag(row), ...sampleText(row)];
    const model = join(dir, `model-${longFlag(row).slice(2)}.json`);
    expectAccepted(await cli('train', DATA, '-m', 'random-under', '--model', 'logistic', ...given, '-o', model, ...COMMON), `train ${given.join(' ')}`);
    expectAccepted(
      await cli('evaluate', DATA, '--samplers', 'none', '--models', 'logistic', '--folds', '2', ...given, ...COMMON),
      `evaluate ${given.join(' ')}`,
    );
  });

  it('train offers every registered model, and evaluate lists them', () => {
    const ctx: CliContext = { stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal, version: 'test' };
    const program = createCli(ctx);
    const train = program.commands.find((c) => c.name() === 'train')!;
    const option = train.options.find((o) => o.long === '--model')!;
    expect(option.argChoices).toEqual([...modelNames]);
    const evaluate = program.commands.find((c) => c.name() === 'evaluate')!;
    const models = evaluate.options.find((o) => o.long === '--models')!;
    for (const name of modelNames) expect(models.description).toContain(name);
  });
});
