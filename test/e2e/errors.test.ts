/**
 * Every error kind through the built binary: exit code, one-line message, no stack trace,
 * no output file left behind.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, noStack, tempDir } from '../helpers/cli.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

const GOOD = 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n7,8,y\n';

interface Case {
  readonly name: string;
  readonly args: (out: string) => string[];
  readonly input?: string;
  readonly code: number;
  readonly message: RegExp;
}

const cases: Case[] = [
  { name: 'missing file', args: (o) => ['resample', join(dir, 'nope.csv'), '-m', 'random-over', '-o', o], code: 4, message: /no such file.*REBALANCE_NOT_FOUND/ },
  { name: 'directory as input', args: (o) => ['resample', dir, '-m', 'random-over', '-o', o], code: 4, message: /is a directory/ },
  { name: 'unknown method', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'smoot', '-o', o], code: 2, message: /unknown method 'smoot'; choose one of: .*random-under/ },
  { name: 'method missing', args: (o) => ['resample', file('good.csv', GOOD), '-o', o], code: 2, message: /required option '-m, --method <name>' not specified/ },
  { name: 'bad strategy text', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-over', '--strategy', 'x==1', '-o', o], code: 2, message: /strategy/i },
  { name: 'strategy with an unknown class', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-over', '--strategy', 'z=10', '-o', o], code: 3, message: /'z'/ },
  { name: 'ratio impossible for the counts', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-under', '--strategy', '0.1', '-o', o], code: 3, message: /REBALANCE_STRATEGY/ },
  { name: 'bad integer option', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-over', '--seed', 'abc', '-o', o], code: 2, message: /--seed <n>.*expected an integer/ },
  { name: 'bad choice option', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-over', '--missing', 'fill', '-o', o], code: 2, message: /--missing <mode>.*fill/ },
  { name: 'ragged row', args: (o) => ['resample', file('ragged.csv', 'a,b,label\n1,2,x\n3,4\n5,6,y\n'), '-m', 'random-over', '-o', o], code: 3, message: /data row 2 has 2 fields, expected 3.*--on-bad-row skip/ },
  { name: 'no label column', args: (o) => ['resample', file('nolabel.csv', 'a,b,c\n1,2,3\n'), '-m', 'random-over', '-o', o], code: 3, message: /no label column found.*--label NAME; columns are: a, b, c/ },
  { name: '--label names a missing column', args: (o) => ['resample', file('good.csv', GOOD), '--label', 'target', '-m', 'random-over', '-o', o], code: 3, message: /no column named 'target'.*columns are: a, b, label/ },
  { name: 'a single class', args: (o) => ['resample', file('one.csv', 'a,label\n1,x\n2,x\n'), '-m', 'random-over', '-o', o], code: 3, message: /single class \('x'\)/ },
  { name: 'empty file', args: (o) => ['resample', file('empty.csv', ''), '-m', 'random-over', '-o', o], code: 3, message: /input is empty/ },
  { name: 'header only', args: (o) => ['resample', file('header.csv', 'a,b,label\n'), '-m', 'random-over', '-o', o], code: 3, message: /header but no data rows/ },
  { name: 'non-numeric text in a numeric feature', args: (o) => ['resample', file('text.csv', 'a,b,label\n1,2,x\n3,oops,x\n5,6,y\n7,8,y\n'), '-m', 'random-over', '-o', o], code: 3, message: /non-numeric value 'oops' in numeric column 'b' \(data row 2/ },
  { name: 'missing value', args: (o) => ['resample', file('missing.csv', 'a,b,label\n1,2,x\n3,,x\n5,6,y\n'), '-m', 'smote', '-o', o], code: 3, message: /missing value in column 'b' at data row 2.*--missing drop/ },
  { name: 'NaN in a feature', args: (o) => ['resample', file('nan.csv', 'a,b,label\n1,2,x\n3,inf,x\n5,6,y\n'), '-m', 'smote', '-o', o], code: 3, message: /NaN or Infinity in column 'b'/ },
  { name: 'unterminated quote', args: (o) => ['resample', file('quote.csv', 'a,b,label\n1,"2,x\n3,4,y\n'), '-m', 'random-over', '-o', o], code: 3, message: /unterminated quoted field/ },
  { name: 'categorical feature with a numeric-only method', args: (o) => ['resample', file('cat.csv', 'a,c,label\n1,u,x\n2,v,x\n3,u,x\n4,v,y\n'), '-m', 'smote', '-o', o], code: 3, message: /method 'smote' needs numeric features, but column 'c' is categorical; use -m smote-nc/ },
  { name: 'output folder does not exist', args: () => ['resample', file('good.csv', GOOD), '-m', 'random-over', '-o', join(dir, 'no', 'such', 'out.csv')], code: 4, message: /folder does not exist/ },
  { name: 'bad sampler option value in train', args: (o) => ['train', file('good.csv', GOOD), '-m', 'smote', '-k', '0', '-o', o], code: 2, message: /--k-neighbors <n>.*expected an integer from 1/ },
  { name: 'bad sampler option value in evaluate', args: () => ['evaluate', file('good.csv', GOOD), '--samplers', 'random-over', '--shrinkage', 'x'], code: 2, message: /--shrinkage <x>.*REBALANCE_BAD_OPTION/ },
  { name: '--classes with an over-sampler in train', args: (o) => ['train', file('good.csv', GOOD), '-m', 'smote', '--classes', 'x', '-o', o], code: 2, message: /--classes names the classes a cleaning method cleans; 'smote' is an over-sampler/ },
  { name: 'bad model option value', args: (o) => ['train', file('good.csv', GOOD), '-m', 'none', '--model', 'mlp', '--hidden', '8,0', '-o', o], code: 2, message: /--hidden <sizes>.*expected an integer from 1/ },
  { name: 'unknown output format', args: (o) => ['resample', file('good.csv', GOOD), '-m', 'random-over', '--format', 'xlsx', '-o', o], code: 2, message: /--format must be one of csv, tsv, arrow, arrows/ },
];

describe('error exits through the built CLI', () => {
  it.each(cases)('$name', ({ args, code, message, input }) => {
    const out = join(dir, `out-${Math.abs(hash(args('x').join(' ')))}.csv`);
    const r = cli(args(out), { input });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
    expect(noStack(r.stderr)).toBe(true);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run ')).length).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('truncated Arrow file is a data error', () => {
    const t = tableFromArrays({ a: new Float64Array([1, 2, 3, 4]), label: ['x', 'x', 'y', 'y'] });
    const bytes = tableToIPC(t, 'file');
    for (const cut of [8, 40, Math.floor(bytes.length / 2), bytes.length - 10]) {
      const p = file(`trunc-${cut}.arrow`, bytes.subarray(0, cut));
      const out = join(dir, `trunc-${cut}.out.csv`);
      const r = cli(['resample', p, '-m', 'random-over', '-o', out]);
      expect(r.code, `cut at ${cut}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/REBALANCE_(BAD_ARROW|NO_ROWS|EMPTY)/);
      expect(noStack(r.stderr)).toBe(true);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--on-bad-row skip counts the skipped rows on stderr and keeps the rest', () => {
    const r = cli(['resample', file('ragged2.csv', 'a,b,label\n1,2,x\n3,4\n5,6,y\n7,8,x,9\n'), '-m', 'random-over', '--on-bad-row', 'skip']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped 2 malformed row/);
    expect(r.stdout.split('\n')[1]).toBe('1,2,x');
  });

  it('REBALANCE_DEBUG=1 adds the stack trace', () => {
    const r = cli(['resample', join(dir, 'nope.csv'), '-m', 'random-over'], { env: { REBALANCE_DEBUG: '1' } });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('help and version exit 0; no arguments is a usage error', () => {
    expect(cli(['--help']).code).toBe(0);
    expect(cli(['resample', '--help']).stdout).toMatch(/Examples:/);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cli([]).code).toBe(2);
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
