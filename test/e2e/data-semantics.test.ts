/**
 * Data as users have it (issue 15, everything but Parquet and compression): missing-value
 * spellings, decimal commas, id / date / unique columns, label mistakes, the names users know from
 * imbalanced-learn and xsv, notices once per run. In-process (helpers/cli-in-process.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { reporter } from '../../src/cli/common.js';
import { cli } from '../helpers/cli.js';
import { runCli } from '../helpers/cli-in-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rebalance-datasem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, lines: readonly string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** Rows of a written CSV (header first), split on ','. */
function csvRows(path: string): string[][] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.split(','));
}

/** n rows: x (int), y (float), label: every 4th row 'b', else 'a'; `cell(i, j)` may override a feature cell. */
function table(n: number, cell: (i: number, j: number) => string | undefined = () => undefined): string[] {
  const lines = ['x,y,label'];
  for (let i = 0; i < n; i++) {
    const x = cell(i, 0) ?? String((i * 7) % 13);
    const y = cell(i, 1) ?? `${(i * 3) % 10}.25`;
    lines.push(`${x},${y},${i % 4 === 0 ? 'b' : 'a'}`);
  }
  return lines;
}

const NA_SPELLINGS = ['NA', 'null', 'N/A', 'NaN', 'None', '#N/A', ''];

describe('missing values', () => {
  // Rows 1, 5, 9, ... carry one NA spelling each in y.
  const withNa = table(40, (i, j) => (j === 1 && i % 4 === 1 ? NA_SPELLINGS[(i >> 2) % NA_SPELLINGS.length] : undefined));

  it("inspect reports missing counts per column (pandas' NA spellings) and exits 0", async () => {
    const r = await runCli(['inspect', file('na.csv', withNa), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { columns: { name: string; type: string; missing: number }[]; rows: number };
    const y = out.columns.find((c) => c.name === 'y')!;
    expect(y.missing).toBe(10);
    expect(y.type).toBe('float');
    expect(out.rows).toBe(40);
  });

  it('inspect never fails on empty labels: those rows are counted as dropped', async () => {
    const lines = table(12).map((l, i) => (i === 3 || i === 7 ? l.replace(/,[ab]$/, ',') : l));
    const r = await runCli(['inspect', file('nolabel-inspect.csv', lines)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/10 rows \(2 dropped\)/);
  });

  it.each(['random-under', 'random-over', 'RandomUnderSampler'])('%s passes rows with missing features through unchanged', async (method) => {
    const out = join(dir, `na-${method}.csv`);
    const r = await runCli(['resample', file('na.csv', withNa), '-m', method, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(out).slice(1);
    // Every NA spelling that was kept is written as it came.
    const kept = new Set(rows.map((row) => row[1]));
    expect(NA_SPELLINGS.some((s) => s !== '' && kept.has(s))).toBe(true);
    const counts = { a: rows.filter((row) => row[2] === 'a').length, b: rows.filter((row) => row[2] === 'b').length };
    expect(counts.a).toBe(counts.b);
  });

  it('neighbour methods fail with a hint naming --missing drop, and work with it', async () => {
    const out = join(dir, 'na-smote.csv');
    const bad = await runCli(['resample', file('na.csv', withNa), '-m', 'smote', '-o', out, '-q']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/missing value in column 'y' at data row 2.*--missing drop/);
    expect(bad.stderr).not.toMatch(/--categorical/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const good = await runCli(['resample', file('na.csv', withNa), '-m', 'smote', '--missing', 'drop', '-o', out, '-q']);
    expect(good.code, good.stderr).toBe(0);
    const ys = csvRows(out).slice(1).map((row) => row[1]);
    expect(ys.every((v) => Number.isFinite(Number(v)) && v !== '')).toBe(true);
  });

  it("random-over --shrinkage (which generates cells) still refuses missing features", async () => {
    const r = await runCli(['resample', file('na.csv', withNa), '-m', 'random-over', '--shrinkage', '0.5', '-o', join(dir, 'na-shrink.csv'), '-q']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/REBALANCE_MISSING/);
  });

  it("--na-values '' keeps the old rule (only empty cells are missing); a list replaces the set", async () => {
    const lines = table(20, (i, j) => (j === 1 && i === 2 ? 'NA' : j === 1 && i === 6 ? '-' : undefined));
    const p = file('na-custom.csv', lines);
    const plain = await runCli(['resample', p, '-m', 'smote', '--na-values', '', '-o', join(dir, 'nac1.csv'), '-q']);
    expect(plain.code).toBe(3);
    expect(plain.stderr).toMatch(/non-numeric value 'NA' in numeric column 'y'/);
    // '-' is missing by the list, 'NA' is then text again.
    const listed = await runCli(['inspect', p, '--na-values', '-,NA', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { columns: { name: string; missing: number }[] }).columns[1].missing).toBe(2);
  });

  it('a label with missing values says how many rows and suggests --missing drop', async () => {
    const lines = table(12).map((l, i) => (i === 3 || i === 7 || i === 8 ? l.replace(/,[ab]$/, ',NA') : l));
    const r = await runCli(['resample', file('nolabel.csv', lines), '-m', 'random-under', '-o', join(dir, 'nolabel-out.csv')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/3 rows have an empty label in column 'label' \(first: data row 3\).*--missing drop/);
  });
});

describe('decimal commas', () => {
  const euro = ['x;y;label', ...Array.from({ length: 24 }, (_, i) => `${i % 5};${i % 7},${(i * 3) % 10};${i % 3 === 0 ? 'b' : 'a'}`)];

  it("';' files with decimal commas are detected (with a notice) and read as numbers", async () => {
    const out = join(dir, 'euro-out.csv');
    const r = await runCli(['resample', file('euro.csv', euro), '-m', 'smote', '-k', '3', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/decimal comma/);
    const rows = csvRows(out);
    expect(rows[0]).toEqual(['x', 'y', 'label']);
    expect(rows.slice(1).every((row) => row.length === 3 && Number.isFinite(Number(row[1])))).toBe(true);
    expect(rows[1][1]).toBe('0.0');
  });

  it('--decimal , reads them when the delimiter is given too', async () => {
    const r = await runCli(['inspect', file('euro2.csv', euro), '-d', ';', '--decimal', ',', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { columns: { type: string }[] }).columns[1].type).toBe('float');
  });
});

describe('column roles', () => {
  const ids = ['customer_id,amount,label', ...Array.from({ length: 30 }, (_, i) => `${1000 + i * 17},${(i * 13) % 29}.5,${i % 5 === 0 ? 'f' : 'ok'}`)];

  it('an id-named column is carried through (ids never interpolated), with a notice naming --features', async () => {
    const out = join(dir, 'ids-out.csv');
    const r = await runCli(['resample', file('ids.csv', ids), '-m', 'smote', '-k', '3', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/'customer_id' looks like an id column.*--features customer_id/);
    const given = new Set(ids.slice(1).map((l) => l.split(',')[0]));
    const written = csvRows(out).slice(1).map((row) => row[0]);
    expect(written.filter((v) => v !== '').every((v) => given.has(v))).toBe(true);
    expect(written.filter((v) => v === '')).toHaveLength(18);
    // --features makes it a feature again: interpolated values appear.
    const forced = await runCli(['resample', file('ids.csv', ids), '-m', 'smote', '-k', '3', '--features', 'customer_id', '-o', out, '-q']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(csvRows(out).slice(1).some((row) => !given.has(row[0]))).toBe(true);
  });

  it('an integer column with a different value in every row gets a warning suggesting --passthrough', async () => {
    const lines = ['seq,v,label', ...Array.from({ length: 120 }, (_, i) => `${i * 3 + 1},${i % 9},${i % 4 === 0 ? 'b' : 'a'}`)];
    const r = await runCli(['resample', file('seq.csv', lines), '-m', 'random-under', '-o', join(dir, 'seq-out.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: integer column 'seq' has a different value in every row.*--passthrough seq/);
    expect(r.stderr).not.toMatch(/column 'v'/);
  });

  it('ISO 8601 date columns are carried through, not used as categories', async () => {
    const lines = ['day,v,label', ...Array.from({ length: 20 }, (_, i) => `2024-01-0${(i % 3) + 1},${i % 6},${i % 4 === 0 ? 'b' : 'a'}`)];
    const r = await runCli(['inspect', file('dates.csv', lines), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { columns: { name: string; role: string }[] }).columns[0]).toMatchObject({ name: 'day', role: 'passthrough' });
  });

  it('--select and --exclude take names and 1-based index ranges', async () => {
    const lines = ['a,b,c,d,label', ...Array.from({ length: 12 }, (_, i) => `${i},${i % 3},${i % 5},${i % 2},${i % 3 === 0 ? 'p' : 'q'}`)];
    const p = file('sel.csv', lines);
    const roles = async (...args: string[]): Promise<string[]> => {
      const r = await runCli(['inspect', p, '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { columns: { role: string }[] }).columns.map((c) => c.role);
    };
    expect(await roles('--select', '1-2,label')).toEqual(['feature', 'feature', 'passthrough', 'passthrough', 'label']);
    expect(await roles('--exclude', 'b,4')).toEqual(['feature', 'passthrough', 'feature', 'passthrough', 'label']);
    const bad = await runCli(['inspect', p, '--select', '2-9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--select: column range '2-9' is outside 1-5/);
  });
});

describe('label checks', () => {
  it("'1' and '1.0' are one class, written as they came", async () => {
    const lines = ['x,label', ...Array.from({ length: 20 }, (_, i) => `${i},${i % 5 === 0 ? (i % 10 === 0 ? '1' : '1.0') : '0'}`)];
    const out = join(dir, 'labels-out.csv');
    const r = await runCli(['resample', file('labels.csv', lines), '-m', 'random-over', '-o', out, '--summary-json', join(dir, 'labels.json'), '-q']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as { classes: { name: string; before: number; after: number }[] };
    expect(summary.classes.map((c) => [c.name, c.before, c.after])).toEqual([['0', 16, 16], ['1', 4, 16]]);
    const written = new Set(csvRows(out).slice(1).map((row) => row[1]));
    expect(written).toEqual(new Set(['0', '1', '1.0']));
  });

  it('a continuous label is a data error that says so', async () => {
    const lines = ['x,price', ...Array.from({ length: 50 }, (_, i) => `${i},${(i * 1.37).toFixed(2)}`)];
    const r = await runCli(['resample', file('price.csv', lines), '--label', 'price', '-m', 'random-under', '-o', join(dir, 'price-out.csv')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/label column 'price' looks continuous.*--label.*REBALANCE_CONTINUOUS_LABEL/);
  });
});

describe('names users know', () => {
  const p = (): string => file('names.csv', table(40));
  const bytes = async (...args: string[]): Promise<string> => {
    const out = join(dir, `names-${args.join('_').replace(/[^a-z0-9]/gi, '')}.csv`);
    const r = await runCli(['resample', p(), ...args, '-o', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(out, 'utf8');
  };

  it('imbalanced-learn class names are method aliases (any case)', async () => {
    expect(await bytes('-m', 'SMOTE', '--seed', '3')).toBe(await bytes('-m', 'smote', '--seed', '3'));
    expect(await bytes('-m', 'RandomOverSampler', '--seed', '3')).toBe(await bytes('-m', 'random-over', '--seed', '3'));
    expect(await bytes('-m', 'EditedNearestNeighbours')).toBe(await bytes('-m', 'enn'));
    expect(await bytes('-m', 'nearmiss')).toBe(await bytes('-m', 'near-miss'));
  });

  it('--sampling-strategy and --random-state are --strategy and --seed; a strategy may be JSON', async () => {
    const ref = await bytes('-m', 'random-over', '--strategy', 'b=20', '--seed', '11');
    expect(await bytes('-m', 'random-over', '--sampling-strategy', 'b=20', '--random-state', '11')).toBe(ref);
    expect(await bytes('-m', 'random-over', '--strategy', '{"b": 20}', '--random-state', '11')).toBe(ref);
    const bad = await runCli(['resample', p(), '-m', 'random-over', '--strategy', '{"b": 2.5}', '-o', join(dir, 'x.csv')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/count for class 'b' is not a non-negative integer/);
  });

  it("evaluate's stdout format is --format; --output json still works with a deprecation notice", async () => {
    const args = ['evaluate', p(), '--samplers', 'none,RandomOverSampler', '--sampling-strategy', '{"b": 20}', '--models', 'logistic', '--folds', '2', '--repeats', '1'];
    const r = await runCli([...args, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toHaveProperty('schemaVersion');
    expect(JSON.stringify(JSON.parse(r.stdout).results ?? JSON.parse(r.stdout))).toMatch(/"sampler":"RandomOverSampler"/);
    expect(r.stderr).not.toMatch(/deprecated/);
    const old = await runCli([...args, '--output', 'json', '-q']);
    expect(old.code, old.stderr).toBe(0);
    expect(JSON.parse(old.stdout)).toHaveProperty('schemaVersion');
    expect(old.stderr).toMatch(/--output text\|markdown\|json is deprecated, use --format/);
  });

  it('-d sets the delimiter and -n reads a table without a header', async () => {
    const lines = table(24).slice(1).map((l) => l.replace(/,/g, '|'));
    const r = await runCli(['inspect', file('nohead.psv', lines), '-d', '|', '-n', '--label', 'col2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { columns: { name: string }[] }).columns.map((c) => c.name)).toEqual(['col0', 'col1', 'col2']);
  });
});

describe('predict output columns', () => {
  it("an input that already has 'score' gets 'score_1' (never two columns of one name)", async () => {
    const model = join(dir, 'model.json');
    const t = await runCli(['train', file('train.csv', table(40)), '-m', 'random-over', '-o', model, '-q']);
    expect(t.code, t.stderr).toBe(0);
    const input = file('to-score.csv', ['x,y,score', '3,1.25,0.9', '5,7.25,0.1']);
    const out = join(dir, 'scored.csv');
    const r = await runCli(['predict', model, input, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const rows = csvRows(out);
    expect(rows[0]).toEqual(['x', 'y', 'score', 'score_1', 'prediction']);
    expect(rows[1][2]).toBe('0.9');
    expect(Number(rows[1][3])).toBeGreaterThanOrEqual(0);
  });
});

describe('quiet by default', () => {
  it("`backends` (the built CLI) keeps Dawn's native warnings off the terminal unless REBALANCE_DEBUG=1", () => {
    const r = cli(['backends']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/webgpu/);
    expect(r.stderr).toBe('');
  });

  it('usage errors are one line, naming the option and where the usage is', async () => {
    for (const args of [['resample', 'x.csv'], ['resample', 'x.csv', '-m', 'smote', '--missing', 'fill'], ['bogus']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(/--help' for usage\)|--help for usage\)/);
    }
  });

  it('a notice is written once per run', () => {
    const err = new PassThrough();
    let text = '';
    err.on('data', (d: Buffer) => (text += d.toString()));
    const r = reporter({ stdout: new PassThrough(), stderr: err, signal: new AbortController().signal, version: 't' }, false);
    r.log('the same thing');
    r.log('the same thing');
    r.log('another thing');
    expect(text).toBe('rebalance: the same thing\nrebalance: another thing\n');
  });
});
