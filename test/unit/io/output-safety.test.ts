import { mkdtempSync, writeFileSync, readFileSync, symlinkSync, linkSync, lstatSync, statSync, chmodSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFileTarget, interruptOutputs, resetOutputInterruption } from '../../../src/io/output.js';
import { escapeControls } from '../../../src/core/text.js';
import { mdCode } from '../../../src/evaluate/report.js';

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

describe('an interrupted run commits no output (issue 19 item 5: the SIGINT rule)', () => {
  beforeEach(resetOutputInterruption);
  afterEach(resetOutputInterruption);
  const abort = (): Error => Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' });

  it('an interrupt before the commit discards the file: no output, no temp file, the previous file kept', async () => {
    const d = fresh();
    const p = join(d, 'out.csv');
    writeFileSync(p, 'previous');
    const t = await openFileTarget(p);
    await t.write('all of it');
    interruptOutputs(abort());
    await expect(t.commit()).rejects.toMatchObject({ name: 'AbortError' });
    expect(readFileSync(p, 'utf8')).toBe('previous');
    expect(readdirSync(d)).toEqual(['out.csv']);
  });

  it('once an output was committed, an interrupt no longer undoes the run (its other outputs commit)', async () => {
    const d = fresh();
    const a = await openFileTarget(join(d, 'a.csv'));
    const b = await openFileTarget(join(d, 'b.json'));
    await a.write('data');
    await b.write('{}');
    await a.commit();
    interruptOutputs(abort());
    await b.commit();
    expect(readFileSync(join(d, 'b.json'), 'utf8')).toBe('{}');
  });

  it('waiting for the reader of an output FIFO ends on an interrupt (no blocked thread; item 10)', async () => {
    const d = fresh();
    const fifo = join(d, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const opening = openFileTarget(fifo);
    await new Promise((r) => setTimeout(r, 200));
    interruptOutputs(abort());
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('and on the abort signal it is given', async () => {
    const d = fresh();
    const fifo = join(d, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const ac = new AbortController();
    const opening = openFileTarget(fifo, { signal: ac.signal });
    setTimeout(() => ac.abort(abort()), 100);
    await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('human-readable text shows control characters escaped (item 12)', () => {
  it('escapes C0, DEL, C1 and bidi overrides; keeps newlines and tabs unless one line', () => {
    const s = 'a\x1b]0;t\x07b\x7fc\x9bd\u202ee\nf\tg\x00';
    expect(escapeControls(s)).toBe('a\\u001b]0;t\\u0007b\\u007fc\\u009bd\\u202ee\nf\tg\\u0000');
    expect(escapeControls(s, true)).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(escapeControls('plain é ü 漢')).toBe('plain é ü 漢');
  });

  it('the escapes are JSON escapes: JSON text stays valid and reads back the same strings', () => {
    const names = ['x\x9b31m', 'del\x7f', 'esc\x1b[2J'];
    const json = escapeControls(JSON.stringify(names));
    expect(json).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(JSON.parse(json)).toEqual(names);
  });

  it('a markdown code span holds any name: a fence longer than its longest backtick run', () => {
    for (const name of ['plain', 'a`b', '``x``', '`', 'p|q', 'e\x1b[31m']) {
      const span = mdCode(name);
      const fence = /^`+/.exec(span)![0];
      expect(span.endsWith(fence)).toBe(true);
      const inner = span.slice(fence.length, span.length - fence.length);
      // CommonMark: the span ends at the first run of exactly fence.length backticks.
      for (const run of inner.match(/`+/g) ?? []) expect(run.length).not.toBe(fence.length);
      expect(inner).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
      expect(inner.replace(/^ (.*) $/, '$1').replace(/\\\|/g, '|')).toBe(escapeControls(name, true));
    }
  });
});
