/**
 * Input through a real process: an Arrow stream (written by polars) piped into stdin is spooled
 * and read like the file; a compressed Arrow file on stdin fails naming <stdin>. (Everything
 * that needs no pipe is tested in-process in test/unit/io.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir } from '../helpers/cli.js';

const fx = (name: string): string => join(ROOT, 'fixtures', 'arrow', name);
const { dir, cleanup } = tempDir('rebalance-e2e-io-');
afterAll(cleanup);

describe('Arrow on stdin', () => {
  it('an Arrow stream on stdin gives the same CSV as the file', () => {
    const fromFile = join(dir, 'file.csv');
    const f = cli(['resample', fx('polars-types.arrows'), '-m', 'random-over', '--format', 'csv', '-q', '-o', fromFile]);
    expect(f.code, f.stderr).toBe(0);
    const r = cli(['resample', '-', '-m', 'random-over', '--format', 'csv', '-q'], { input: readFileSync(fx('polars-types.arrows')) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(20); // header, 18 rows, final newline
    expect(r.stdout).toBe(readFileSync(fromFile, 'utf8'));
  });

  it('a compressed Arrow file on stdin: exit 3 naming <stdin>', () => {
    const z = cli(['inspect', '-'], { input: readFileSync(fx('polars-zstd.arrow')) });
    expect(z.code).toBe(3);
    expect(z.stderr).toContain('<stdin>: compressed Arrow IPC (zstd) is not supported');
  });
});
