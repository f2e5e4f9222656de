/**
 * resample end to end through the built binary: counts, originals kept verbatim, determinism
 * across seeds, batch sizes, stdin vs file and CSV vs Arrow input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, cli, tempDir } from '../helpers/cli.js';
import { datasetPath } from '../helpers/datasets.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const PIMA = datasetPath('pima');
const GLASS = datasetPath('glass');

function dataLines(csv: string): string[] {
  return csv.split('\n').slice(1).filter((l) => l.length > 0);
}

function labelCounts(csv: string, labelIndex: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of dataLines(csv)) {
    const v = l.split(',')[labelIndex].replace(/"/g, '');
    out[v] = (out[v] ?? 0) + 1;
  }
  return out;
}

describe('resample random-under / random-over', () => {
  it('random-under keeps the minority, shrinks the majority, keeps input order and text', () => {
    const r = cli(['resample', PIMA, '-m', 'random-under', '--summary-json', join(dir, 's.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(labelCounts(r.stdout, 8)).toEqual({ '0': 268, '1': 268 });
    const input = dataLines(readFileSync(PIMA, 'utf8'));
    const out = dataLines(r.stdout);
    // Every output row is an input row, in input order.
    let j = 0;
    for (const line of out) {
      while (j < input.length && input[j] !== line) j++;
      expect(j, `row '${line}' not found in order`).toBeLessThan(input.length);
      j++;
    }
    const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(summary.seed).toBe(42);
    expect(summary.classes).toEqual([
      { name: '0', before: 500, after: 268 },
      { name: '1', before: 268, after: 268 },
    ]);
    expect(r.stderr).toMatch(/random-under \(seed 42\)/);
  });

  it('random-over keeps every input row first, byte-identical, then the copies grouped by class', () => {
    const r = cli(['resample', GLASS, '-m', 'random-over', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const input = dataLines(readFileSync(GLASS, 'utf8'));
    const out = dataLines(r.stdout);
    // CSV -> CSV copies input rows byte for byte (quotes included)
    expect(out.slice(0, input.length)).toEqual(input);
    const counts = labelCounts(r.stdout, 9);
    expect(Object.values(counts).every((n) => n === 76)).toBe(true);
    const extraLabels = out.slice(input.length).map((l) => l.split(',')[9].replace(/"/g, ''));
    expect(extraLabels).toEqual([...extraLabels].sort((a, b) => Number(a) - Number(b)));
  });

  it('the same seed gives the same bytes; another seed differs', () => {
    const a = cli(['resample', PIMA, '-m', 'random-under', '--seed', '7', '-q']);
    const b = cli(['resample', PIMA, '-m', 'random-under', '--seed', '7', '-q']);
    const c = cli(['resample', PIMA, '-m', 'random-under', '--seed', '8', '-q']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toBe(c.stdout);
  });

  it('output bytes do not depend on --batch-size or on stdin vs file', () => {
    const base = cli(['resample', PIMA, '-m', 'random-over', '--seed', '3', '-q']).stdoutBytes;
    for (const bs of ['1', '7', '100000']) {
      expect(cli(['resample', PIMA, '-m', 'random-over', '--seed', '3', '-q', '--batch-size', bs]).stdoutBytes.equals(base)).toBe(true);
    }
    const piped = cli(['resample', '-', '-m', 'random-over', '--seed', '3', '-q'], { input: readFileSync(PIMA) });
    expect(piped.stdoutBytes.equals(base)).toBe(true);
  });

  it('CSV and Arrow inputs of the same data give the same CSV output; Arrow keeps types and the seed', () => {
    const arrowPath = join(dir, 'pima.arrow');
    // random-under keeping all 500 rows of class 0 is a plain format conversion
    const conv = cli(['resample', PIMA, '-m', 'random-under', '--strategy', '0=500', '-q', '-o', arrowPath]);
    expect(conv.code, conv.stderr).toBe(0);
    const t = tableFromIPC(readFileSync(arrowPath));
    expect(t.numRows).toBe(768);
    const types = t.schema.fields.map((f) => String(f.type));
    expect(types).toEqual(['Int64', 'Int64', 'Int64', 'Int64', 'Int64', 'Float64', 'Float64', 'Int64', 'Int64']);
    expect(t.schema.metadata.get('rebalance.seed')).toBe('42');
    expect(t.schema.metadata.get('rebalance.method')).toBe('random-under');
    const fromCsv = cli(['resample', PIMA, '-m', 'random-under', '--seed', '5', '-q']);
    const fromArrow = cli(['resample', arrowPath, '-m', 'random-under', '--seed', '5', '-q', '--format', 'csv']);
    expect(fromArrow.code, fromArrow.stderr).toBe(0);
    expect(fromArrow.stdout).toBe(fromCsv.stdout);
    const viaStdin = cli(['resample', '-', '-m', 'random-under', '--seed', '5', '-q', '--format', 'csv'], { input: readFileSync(arrowPath) });
    expect(viaStdin.stdout).toBe(fromCsv.stdout);
    // Copies (random-over writes each drawn row's text again; Arrow input formats them once).
    for (const extra of [[], ['--provenance']]) {
      const overCsv = cli(['resample', PIMA, '-m', 'random-over', '--seed', '5', '-q', ...extra]);
      const overArrow = cli(['resample', arrowPath, '-m', 'random-over', '--seed', '5', '-q', '--format', 'csv', ...extra]);
      expect(overArrow.code, overArrow.stderr).toBe(0);
      expect(overArrow.stdout.split('\n').length).toBe(1000 + 2);
      expect(overArrow.stdout).toBe(overCsv.stdout);
    }
  });

  it('--provenance marks added rows with their source row', () => {
    const r = cli(['resample', GLASS, '-m', 'random-over', '--provenance', '-q']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].endsWith('label,_synthetic,_source_row,_neighbor_row')).toBe(true);
    const input = dataLines(readFileSync(GLASS, 'utf8'));
    for (const l of lines.slice(1)) {
      const f = l.split(',');
      const src = Number(f[11]);
      expect(f.slice(0, 10).join(',')).toBe(input[src]);
    }
    expect(lines.slice(1, input.length + 1).every((l) => l.split(',')[10] === '0')).toBe(true);
    expect(lines.slice(input.length + 1).every((l) => l.split(',')[10] === '1')).toBe(true);
  });

  it('random-over --shrinkage gathers its classes and writes generated cells: input rows verbatim, noisy rows after', () => {
    const input = dataLines(readFileSync(PIMA, 'utf8'));
    const r = cli(['resample', PIMA, '-m', 'random-over', '--shrinkage', '0.5', '--no-round', '--provenance', '-q']);
    expect(r.code, r.stderr).toBe(0);
    const out = dataLines(r.stdout);
    expect(out.length).toBe(1000);
    expect(out.slice(0, 768).map((l) => l.split(',').slice(0, 9).join(','))).toEqual(input);
    const added = out.slice(768).map((l) => l.split(','));
    // Every added row is class 1, generated from a class-1 input row, with no neighbour.
    expect(added.every((f) => f[8] === '1' && f[9] === '1' && input[Number(f[10])].endsWith(',1') && f[11] === '')).toBe(true);
    // --no-round: the integer columns of generated rows take fractional values.
    expect(added.some((f) => !Number.isInteger(Number(f[1])))).toBe(true);
    // Arrow output: those columns become Float64 only when generated cells may be fractional.
    const types = (extra: string[]): string[] => {
      const p = join(dir, `shrink-${extra.join('')}.arrow`);
      expect(cli(['resample', PIMA, '-m', 'random-over', '-q', '-o', p, ...extra]).code).toBe(0);
      return tableFromIPC(readFileSync(p)).schema.fields.map((f) => String(f.type));
    };
    expect(types(['--shrinkage', '0.5', '--no-round'])[1]).toBe('Float64');
    expect(types(['--shrinkage', '0.5'])[1]).toBe('Int64');
    expect(types(['--no-round'])[1]).toBe('Int64');
  });

  it('warns when feature ranges differ by more than 100x, not with --scale standard', () => {
    const r = cli(['resample', PIMA, '-m', 'smote', '-o', join(dir, 'smote.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/feature ranges differ by \d+x \('insulin' vs 'pedigree'\).*--scale standard/);
    const s = cli(['resample', PIMA, '-m', 'smote', '--scale', 'standard', '-o', join(dir, 'smote2.csv')]);
    expect(s.stderr).not.toMatch(/feature ranges differ/);
  });

  it('a closed stdout ends the run quietly with exit 0', () => {
    const big = join(dir, 'big.csv');
    const rows = ['a,b,label'];
    for (let i = 0; i < 60000; i++) rows.push(`${i},${i * 0.5},${i % 10 === 0 ? 'y' : 'x'}`);
    writeFileSync(big, rows.join('\n') + '\n');
    const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(BIN)} resample ${JSON.stringify(big)} -m random-over -q | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toBe('a,b,label\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
