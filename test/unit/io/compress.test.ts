/**
 * Compressed input and output (io/compress.ts, format.ts): gzip and zstd detected by magic bytes,
 * written for .gz / .zst names, byte-identical to the uncompressed runs after decompression; the
 * output format strictly from --format or the extension; binary output refused on a terminal.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { decompress as zstdDecompress } from 'fzstd';
import { afterAll, describe, expect, it } from 'vitest';
import { outputChoiceFor, refuseBinaryToTerminal, sniffCompression } from '../../../src/io/format.js';
import { runCli } from '../../helpers/cli-in-process.js';

// zstd frames for inputs come from the WebAssembly build of the reference library (one-shot API, not
// the streaming path under test); outputs are checked with fzstd's one-shot decoder.
const zstd = { compress: async (b: Uint8Array): Promise<Buffer> => Buffer.from((await Zstd.load()).compress(b)) };
const PIMA = join(__dirname, '../../../fixtures/datasets/pima.csv');
const dir = mkdtempSync(join(tmpdir(), 'rebalance-compress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = async (args: string[]): Promise<void> => {
  const r = await runCli([...args, '-q']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
};
const decompress = (bytes: Buffer): Buffer => (sniffCompression(bytes) === 'gzip' ? gunzipSync(bytes) : Buffer.from(zstdDecompress(bytes)));

describe('compressed output', () => {
  it.each([
    ['out.csv', 'out.csv.gz', 'gzip'],
    ['out.csv', 'out.csv.zst', 'zstd'],
    ['out.tsv', 'out.tsv.gz', 'gzip'],
    ['out.arrows', 'out.arrows.zst', 'zstd'],
    ['out.parquet', 'out.parquet.gz', 'gzip'],
  ])('%s vs %s: compressed (%s), byte-identical after decompression', async (plain, packed, kind) => {
    const args = ['resample', PIMA, '--method', 'smote', '--seed', '7'];
    await run([...args, '-o', join(dir, plain)]);
    await run([...args, '-o', join(dir, packed)]);
    const bytes = readFileSync(join(dir, packed));
    expect(sniffCompression(bytes)).toBe(kind);
    expect(decompress(bytes).equals(readFileSync(join(dir, plain)))).toBe(true);
  });
});

describe('compressed input', () => {
  it('inspect reads a .csv.gz (not an encoding error)', async () => {
    const gz = join(dir, 'pima.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(PIMA)));
    const r = await runCli(['inspect', gz]);
    expect(r.stderr).not.toContain('UTF-8');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pima.csv.gz (csv): 768 rows');
  });

  it.each(['gzip', 'zstd'])('a %s CSV named .csv (magic bytes, not the name) resamples to the same bytes as the plain CSV', async (kind) => {
    const packed = join(dir, `pima-${kind}-in.csv`);
    writeFileSync(packed, kind === 'gzip' ? gzipSync(readFileSync(PIMA)) : await zstd.compress(readFileSync(PIMA)));
    const args = ['resample', '--method', 'random-under', '--seed', '2'];
    await run([...args, PIMA, '-o', join(dir, `plain-${kind}.csv`)]);
    await run([...args, packed, '-o', join(dir, `from-${kind}.csv`)]);
    expect(readFileSync(join(dir, `from-${kind}.csv`)).equals(readFileSync(join(dir, `plain-${kind}.csv`)))).toBe(true);
  });

  it('.arrows.zst input reads like the .arrows it holds', async () => {
    await run(['resample', PIMA, '--method', 'random-under', '--seed', '1', '-o', join(dir, 'a.arrows')]);
    writeFileSync(join(dir, 'a.arrows.zst'), await zstd.compress(readFileSync(join(dir, 'a.arrows'))));
    await run(['resample', join(dir, 'a.arrows'), '--method', 'random-over', '--seed', '1', '-o', join(dir, 'b1.csv')]);
    await run(['resample', join(dir, 'a.arrows.zst'), '--method', 'random-over', '--seed', '1', '-o', join(dir, 'b2.csv')]);
    expect(readFileSync(join(dir, 'b2.csv')).equals(readFileSync(join(dir, 'b1.csv')))).toBe(true);
  });

  it.each(['gzip', 'zstd'])('truncated %s is a data error naming the check to run, and no temp file is left', async (kind) => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('rebalance-input-')).length;
    const cut = join(dir, kind === 'gzip' ? 'cut.csv.gz' : 'cut.csv.zst');
    const packed = kind === 'gzip' ? gzipSync(readFileSync(PIMA)) : await zstd.compress(readFileSync(PIMA));
    writeFileSync(cut, packed.subarray(0, packed.length >> 1));
    const r = await runCli(['inspect', cut]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('REBALANCE_BAD_COMPRESSED');
    expect(r.stderr).toContain(`${kind} -t`);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith('rebalance-input-')).length).toBe(before);
  });
});

describe('output format from --format or the extension', () => {
  it.each(['x.xlsx', 'x.json', 'x.csv.xz'])('-o %s is a usage error (exit 2) and writes nothing', async (name) => {
    const out = join(dir, name);
    const r = await runCli(['resample', PIMA, '--method', 'random-under', '-o', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('REBALANCE_BAD_FORMAT');
    expect(existsSync(out)).toBe(false);
  });

  it('reads format and compression from the name; --format wins over the extension', () => {
    expect(outputChoiceFor('a/b.csv.gz', undefined, 'csv')).toEqual({ format: 'csv', compression: 'gzip' });
    expect(outputChoiceFor('b.ARROWS.ZST', undefined, 'csv')).toEqual({ format: 'arrows', compression: 'zstd' });
    expect(outputChoiceFor('b.parquet', undefined, 'csv')).toEqual({ format: 'parquet', compression: null });
    expect(outputChoiceFor('/dev/null', undefined, 'parquet')).toEqual({ format: 'parquet', compression: null });
    expect(outputChoiceFor('x.json', 'csv', 'csv')).toEqual({ format: 'csv', compression: null });
    expect(outputChoiceFor(undefined, undefined, 'arrow')).toEqual({ format: 'arrows', compression: null });
    expect(outputChoiceFor('-', undefined, 'parquet')).toEqual({ format: 'parquet', compression: null });
    expect(() => outputChoiceFor('x.xlsx', undefined, 'csv')).toThrow(/cannot write '.xlsx' files/);
  });

  it('binary output to a terminal is refused with a hint; files, pipes and CSV are not', () => {
    expect(() => refuseBinaryToTerminal('arrows', undefined, true)).toThrow(/refusing to write binary Arrow data to a terminal; use -o FILE/);
    expect(() => refuseBinaryToTerminal('parquet', '-', true)).toThrow(/Parquet/);
    expect(() => refuseBinaryToTerminal('arrows', undefined, false)).not.toThrow();
    expect(() => refuseBinaryToTerminal('arrow', 'out.arrow', true)).not.toThrow();
    expect(() => refuseBinaryToTerminal('csv', undefined, true)).not.toThrow();
  });
});
