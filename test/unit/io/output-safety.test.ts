import { mkdtempSync, writeFileSync, readFileSync, symlinkSync, linkSync, lstatSync, statSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openFileTarget } from '../../../src/io/output.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'rebalance-out-'));
async function writeAll(path: string, text: string): Promise<void> {
  const t = await openFileTarget(path);
  await t.write(text);
  await t.commit();
}

describe('openFileTarget keeps what the target is', () => {
  it('follows a symlink: the link stays a link, its target gets the bytes', async () => {
    const d = fresh();
    writeFileSync(join(d, 'real.csv'), 'old');
    symlinkSync('real.csv', join(d, 'link.csv'));
    await writeAll(join(d, 'link.csv'), 'new');
    expect(lstatSync(join(d, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'real.csv'), 'utf8')).toBe('new');
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the permission bits of a replaced file (0600 stays 0600)', async () => {
    const d = fresh();
    const p = join(d, 'secret.csv');
    writeFileSync(p, 'old');
    chmodSync(p, 0o600);
    await writeAll(p, 'new');
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(readFileSync(p, 'utf8')).toBe('new');
  });

  it('writes a hard-linked file through, so both names see the new bytes', async () => {
    const d = fresh();
    writeFileSync(join(d, 'a.csv'), 'old');
    linkSync(join(d, 'a.csv'), join(d, 'b.csv'));
    await writeAll(join(d, 'a.csv'), 'new');
    expect(readFileSync(join(d, 'b.csv'), 'utf8')).toBe('new');
    expect(statSync(join(d, 'a.csv')).nlink).toBe(2);
  });

  it('writes a FIFO through instead of replacing it (special files as shell redirection does)', async () => {
    const d = fresh();
    const fifo = join(d, 'pipe');
    execFileSync('mkfifo', [fifo]);
    let got = '';
    const reader = new Promise<void>((resolve) => createReadStream(fifo).on('data', (c) => (got += String(c))).on('end', resolve));
    await writeAll(fifo, 'through');
    await reader;
    expect(got).toBe('through');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('accepts an output name of 240 bytes (temp name stays under 255)', async () => {
    const d = fresh();
    const p = join(d, 'x'.repeat(236) + '.csv');
    await writeAll(p, 'ok');
    expect(readFileSync(p, 'utf8')).toBe('ok');
  });
});
