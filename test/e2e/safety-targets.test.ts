/**
 * Fuzz generator for special output targets (issue 19 items 6, 7, 11), in-process through runCli:
 * every combination of what `-o` is (a new file, a 0600 file, a symlink, a dangling or chained
 * symlink, a hard link, a FIFO with a reader, a folder, a path under a file, a missing folder,
 * a 250-byte name, a name with control characters) with what `--summary-json` is (none, a new
 * file, the same path, a symlink to the data file). Invariants: exit 0, 2 or 4 with one stderr
 * line; on success the data is complete and the target keeps its kind (link, FIFO, hard link,
 * mode); on failure the previous bytes are untouched; never a temp file left behind.
 */
import { createReadStream, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-in-process.js';

const DATA = 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n7,8,y\n2,1,x\n6,7,y\n';
const EXPECTED_ROWS = 8; // random-over: 4 x + 4 y

interface Target {
  readonly path: string;
  /** Checks after the run: ok = exit 0. */
  readonly check: (ok: boolean, dataText: () => string) => void;
}

type Make = (d: string) => Target;

const untouched = (p: string, before: string) => (ok: boolean) => {
  if (!ok) expect(readFileSync(p, 'utf8')).toBe(before);
};

const TARGETS: Record<string, Make> = {
  'new file': (d) => ({ path: join(d, 'out.csv'), check: () => undefined }),
  '0600 file': (d) => {
    const p = join(d, 'out.csv');
    writeFileSync(p, 'previous');
    chmodSync(p, 0o600);
    return {
      path: p,
      check: (ok) => {
        untouched(p, 'previous')(ok);
        expect(statSync(p).mode & 0o777).toBe(0o600);
      },
    };
  },
  symlink: (d) => {
    writeFileSync(join(d, 'real.csv'), 'previous');
    symlinkSync('real.csv', join(d, 'out.csv'));
    return {
      path: join(d, 'out.csv'),
      check: (ok) => {
        expect(lstatSync(join(d, 'out.csv')).isSymbolicLink()).toBe(true);
        untouched(join(d, 'real.csv'), 'previous')(ok);
      },
    };
  },
  'dangling symlink': (d) => {
    symlinkSync(join(d, 'made.csv'), join(d, 'out.csv'));
    return { path: join(d, 'out.csv'), check: () => expect(lstatSync(join(d, 'out.csv')).isSymbolicLink()).toBe(true) };
  },
  'symlink chain': (d) => {
    writeFileSync(join(d, 'real.csv'), 'previous');
    symlinkSync('real.csv', join(d, 'mid.csv'));
    symlinkSync('mid.csv', join(d, 'out.csv'));
    return { path: join(d, 'out.csv'), check: (ok) => untouched(join(d, 'real.csv'), 'previous')(ok) };
  },
  'hard link': (d) => {
    writeFileSync(join(d, 'out.csv'), 'previous');
    linkSync(join(d, 'out.csv'), join(d, 'other.csv'));
    return {
      path: join(d, 'out.csv'),
      check: (ok) => {
        expect(statSync(join(d, 'out.csv')).nlink).toBe(2);
        if (ok) expect(readFileSync(join(d, 'other.csv'), 'utf8')).toBe(readFileSync(join(d, 'out.csv'), 'utf8'));
      },
    };
  },
  'FIFO with a reader': (d) => {
    const p = join(d, 'out.pipe');
    execFileSync('mkfifo', [p]);
    return { path: p, check: () => expect(lstatSync(p).isFIFO()).toBe(true) };
  },
  folder: (d) => {
    mkdirSync(join(d, 'out.csv'));
    return { path: join(d, 'out.csv'), check: (ok) => expect(ok).toBe(false) };
  },
  'path under a file': (d) => {
    writeFileSync(join(d, 'afile'), 'previous');
    return { path: join(d, 'afile', 'out.csv'), check: (ok) => (expect(ok).toBe(false), untouched(join(d, 'afile'), 'previous')(ok)) };
  },
  'missing folder': (d) => ({ path: join(d, 'no', 'such', 'out.csv'), check: (ok) => expect(ok).toBe(false) }),
  '250-byte name': (d) => ({ path: join(d, 'x'.repeat(246) + '.csv'), check: () => undefined }),
  'control characters in the name': (d) => ({ path: join(d, 'o\x1b[2J\nut.csv'), check: () => undefined }),
};

const SUMMARIES = ['none', 'new file', 'same path', 'symlink to the data'] as const;

function kept(d: string): string[] {
  return readdirSync(d).filter((f) => f.endsWith('.tmp'));
}

describe('special output targets: every -o kind x every --summary-json kind', () => {
  for (const [kind, make] of Object.entries(TARGETS)) {
    for (const summary of SUMMARIES) {
      it(`-o ${kind}, --summary-json ${summary}`, async () => {
        const d = mkdtempSync(join(tmpdir(), 'rebalance-targets-'));
        const input = join(d, 'in.csv');
        writeFileSync(input, DATA);
        const target = make(d);
        const args = ['resample', input, '-m', 'random-over', '-q', '-o', target.path];
        if (summary === 'new file') args.push('--summary-json', join(d, 'summary.json'));
        if (summary === 'same path') args.push('--summary-json', target.path);
        if (summary === 'symlink to the data') {
          symlinkSync(target.path, join(d, 'alias.json'));
          args.push('--summary-json', join(d, 'alias.json'));
        }
        let piped = '';
        const reader = kind === 'FIFO with a reader' && summary !== 'same path' && summary !== 'symlink to the data'
          ? new Promise<void>((resolve) => createReadStream(target.path).on('data', (c) => (piped += String(c))).on('end', resolve).on('error', () => resolve()))
          : null;
        const r = await runCli(args);
        await reader;
        expect([0, 2, 4], r.stderr).toContain(r.code);
        if (r.code !== 0) expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
        const clash = summary === 'same path' || summary === 'symlink to the data';
        if (clash) expect(r.code, `${kind} + ${summary} must clash: ${r.stderr}`).not.toBe(0);
        const usable = !['folder', 'path under a file', 'missing folder'].includes(kind);
        if (usable && !clash) expect(r.code, r.stderr).toBe(0);
        const ok = r.code === 0;
        const text = (): string => (kind === 'FIFO with a reader' ? piped : readFileSync(target.path, 'utf8'));
        if (ok) expect(text().trim().split('\n')).toHaveLength(EXPECTED_ROWS + 1);
        if (ok && summary === 'new file') expect(JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'))).toBeTruthy();
        target.check(ok, text);
        expect(kept(d)).toEqual([]);
      });
    }
  }
});
