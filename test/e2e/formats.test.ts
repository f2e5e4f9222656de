/**
 * Formats through the built CLI as a process: compressed stdin, Parquet and Arrow to a piped
 * stdout (uncompressed, the input's format), the decimal notice on stderr.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';

const PIMA = join(ROOT, 'fixtures/datasets/pima.csv');
const PARQUET = join(ROOT, 'fixtures/parquet/types-zstd.parquet');
/** polars Categorical columns: ARROW:schema dictionary<Utf8View>, retyped in the footer on read. */
const CATEGORICAL = join(ROOT, 'fixtures/parquet/categorical.parquet');

describe('formats (process)', () => {
  it('gzip on stdin is detected and read like the plain CSV', () => {
    const args = ['resample', '-', '--method', 'random-under', '--seed', '5', '-q'];
    const plain = cli(args, { input: readFileSync(PIMA) });
    const packed = cli(args, { input: gzipSync(readFileSync(PIMA)) });
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    expect(packed.stdoutBytes.equals(plain.stdoutBytes)).toBe(true);
    expect(packed.stdout.split('\n')[0]).toBe('pregnant,glucose,pressure,triceps,insulin,mass,pedigree,age,label');
  });

  it('Parquet input with no -o writes Parquet to a piped stdout, and says how decimals are read', () => {
    const r = cli(['resample', PARQUET, '--method', 'random-under', '--seed', '1', '--passthrough', 'note']);
    expect(r.code).toBe(0);
    expect(r.stdoutBytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(r.stdoutBytes.subarray(-4).toString('latin1')).toBe('PAR1');
    expect(r.stderr).toContain("column 'amount' is a Parquet decimal: read as float64 numbers");
  });

  it('gzip-compressed Parquet on stdin with --format csv writes uncompressed CSV', () => {
    const r = cli(['resample', '-', '--method', 'random-under', '--seed', '1', '--passthrough', 'note', '--format', 'csv', '-q'], { input: gzipSync(readFileSync(PARQUET)) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('i8,i16,i32,i64,u8,u16,u32,u64,f32,f64,flag,word,day,ts_ms_utc,ts_us_paris,ts_ns,amount,note,label');
  });

  it('a polars Categorical Parquet file is resampled to a piped stdout as Parquet with dictionary columns', async () => {
    const r = cli(['resample', CATEGORICAL, '--method', 'random-under', '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdoutBytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    const { createRequire } = await import('node:module');
    const { tableFromIPC } = await import('apache-arrow');
    const pw = createRequire(import.meta.url)('parquet-wasm/node') as typeof import('parquet-wasm/node');
    const table = tableFromIPC(pw.readParquet(r.stdoutBytes).intoIPCStream());
    expect(table.schema.fields.map(String)).toEqual(['cat: Dictionary<Uint32, Utf8>', 'f64: Float64', 'tag: Dictionary<Uint32, Utf8>', 'label: Dictionary<Uint32, Utf8>']);
    expect(table.numRows).toBe(16);
    expect(new Set(table.getChild('cat')!.toArray())).toEqual(new Set(['alpha', 'beta', 'gamma', 'delta']));
  });

  it('--input-format parquet is accepted', () => {
    const r = cli(['inspect', PARQUET, '--input-format', 'parquet', '--passthrough', 'note']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(parquet): 40 rows');
  });

  it('byte-flipped Parquet files end in a data error (exit 3) or a run, never a crash', () => {
    // Some flips make parquet-wasm panic inside its async reader (an uncatchable microtask error
    // before parquet-read.ts's guard): the process died with exit 1 and no message.
    const dir = mkdtempSync(join(tmpdir(), 'rebalance-flip-'));
    try {
      const src = readFileSync(PARQUET);
      let seed = 7;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const codes: Record<string, number> = {};
      for (let k = 0; k < 24; k++) {
        const b = Buffer.from(src);
        for (let f = 0; f < 3; f++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
        const file = join(dir, `flip-${k}.parquet`);
        writeFileSync(file, b);
        const r = cli(['resample', file, '--passthrough', 'note', '-m', 'random-under', '-o', join(dir, 'out.csv'), '-q']);
        codes[String(r.code)] = (codes[String(r.code)] ?? 0) + 1;
        if (r.code !== 0) expect(r.stderr, `flip ${k}`).toMatch(/\[REBALANCE_[A-Z_]+\]/);
      }
      expect(Object.keys(codes).sort()).toEqual(['0', '3']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('byte-flipped polars Categorical files (read through the rewritten footer) end in exit 0 or 3, never a crash', () => {
    // Processes, not in-process runs: a WebAssembly panic (some flips cause one) leaves
    // parquet-wasm unusable for the rest of the process, as it would a user's single run.
    const dir = mkdtempSync(join(tmpdir(), 'rebalance-flip-cat-'));
    try {
      const src = readFileSync(CATEGORICAL);
      const footerStart = src.length - 8 - src.readUInt32LE(src.length - 8);
      let seed = 11;
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
      const codes = new Set<number>();
      for (let k = 0; k < 24; k++) {
        const b = Buffer.from(src);
        // Even runs flip two bytes anywhere, odd runs one byte of the footer (Thrift, ARROW:schema).
        if (k % 2 === 0) for (let f = 0; f < 2; f++) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
        else b[footerStart + Math.floor(rnd() * (b.length - 8 - footerStart))] ^= 1 << Math.floor(rnd() * 8);
        const file = join(dir, `flip-${k}.parquet`);
        writeFileSync(file, b);
        const r = cli(['resample', file, '-m', 'random-under', '-o', join(dir, 'out.csv'), '-q']);
        expect([0, 3], `flip ${k}: ${r.stderr}`).toContain(r.code);
        codes.add(r.code ?? -1);
        if (r.code !== 0) expect(r.stderr.trim().split('\n'), `flip ${k}`).toHaveLength(1);
      }
      expect(codes).toEqual(new Set([0, 3]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
