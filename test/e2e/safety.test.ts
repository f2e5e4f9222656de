/**
 * Issue 19 faults, in-process through createCli/run: output targets checked before any work,
 * models validated on load, limits checked up front, human-readable text escaped.
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, type InProcessResult } from '../helpers/cli-in-process.js';

/** The CLI in-process (helpers/cli-in-process.ts). */
const cli = (...args: string[]): Promise<InProcessResult> => runCli(args);

const GOOD = 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n7,8,y\n2,1,x\n6,7,y\n';
const fresh = (): string => mkdtempSync(join(tmpdir(), 'rebalance-safety-'));
function input(dir: string, text = GOOD): string {
  const p = join(dir, 'in.csv');
  writeFileSync(p, text);
  return p;
}

describe('output targets are checked before any work (item 7)', () => {
  it('--summary-json equal to -o is refused, nothing written', async () => {
    const d = fresh();
    const out = join(d, 'out.csv');
    const r = await cli('resample', input(d), '-m', 'random-over', '-o', out, '--summary-json', out);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/REBALANCE_OUTPUT_CLASH/);
    expect(existsSync(out)).toBe(false);
  });

  it('--summary-json through a symlink to the -o file is refused', async () => {
    const d = fresh();
    const out = join(d, 'out.csv');
    writeFileSync(out, 'keep');
    symlinkSync(out, join(d, 'alias.json'));
    const r = await cli('resample', input(d), '-m', 'random-over', '-o', out, '--summary-json', join(d, 'alias.json'));
    expect(r.code, r.stderr).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('keep');
  });

  it('--summary-json - with data on stdout is refused', async () => {
    const d = fresh();
    const r = await cli('resample', input(d), '-m', 'random-over', '--summary-json', '-');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a --summary-json in a missing folder fails before -o is written', async () => {
    const d = fresh();
    const out = join(d, 'out.csv');
    const r = await cli('resample', input(d), '-m', 'random-over', '-o', out, '--summary-json', join(d, 'no', 'such', 's.json'));
    expect(r.code, r.stderr).toBe(4);
    expect(existsSync(out)).toBe(false);
  });

  it('evaluate --json - clashes with the table on stdout', async () => {
    const d = fresh();
    const r = await cli('evaluate', input(d), '--samplers', 'none', '--folds', '2', '--json', '-');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('evaluate --report in a missing folder is an io error before any work', async () => {
    const d = fresh();
    const r = await cli('evaluate', input(d), '--samplers', 'none', '--folds', '2', '--report', join(d, 'no', 'r.md'));
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toBe('');
  });

  it('train -o in a missing folder fails before training', async () => {
    const d = fresh();
    const r = await cli('train', input(d), '-m', 'none', '-o', join(d, 'no', 'm.json'));
    expect(r.code, r.stderr).toBe(4);
  });

  it('-o through a symlink replaces the target, keeps the link and a 0600 mode (item 6)', async () => {
    const d = fresh();
    const real = join(d, 'real.csv');
    writeFileSync(real, 'old');
    chmodSync(real, 0o600);
    symlinkSync(real, join(d, 'link.csv'));
    const r = await cli('resample', input(d), '-m', 'random-over', '-q', '-o', join(d, 'link.csv'));
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(real, 'utf8')).toMatch(/^a,b,label\n/);
    expect(statSync(real).mode & 0o777).toBe(0o600);
  });
});

describe('models are validated on load; predict never writes a non-finite score (item 4)', () => {
  async function trained(d: string, model = 'logistic'): Promise<{ path: string; json: Record<string, unknown> }> {
    const path = join(d, `${model}.json`);
    const r = await cli('train', input(d), '-m', 'none', '--model', model, '-q', '-o', path);
    expect(r.code, r.stderr).toBe(0);
    return { path, json: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
  }
  async function predictWith(d: string, json: unknown): Promise<InProcessResult & { out: string }> {
    const model = join(d, 'edited.json');
    writeFileSync(model, JSON.stringify(json));
    const out = join(d, 'scored.csv');
    return { ...(await cli('predict', model, input(d), '-o', out)), out };
  }

  it('the unedited model scores (control)', async () => {
    const d = fresh();
    const { json } = await trained(d);
    const r = await predictWith(d, json);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(r.out)).toBe(true);
  });

  it('model featureNames in another order than training.featureNames is refused', async () => {
    const d = fresh();
    const { json } = await trained(d);
    json.featureNames = [...(json.featureNames as string[])].reverse();
    const r = await predictWith(d, json);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/REBALANCE_BAD_MODEL/);
    expect(existsSync(r.out)).toBe(false);
  });

  it.each([
    ['a coefficient of 1e308', (j: Record<string, unknown>) => ((j.coef as number[])[0] = 1e308)],
    ['a denormal std', (j: Record<string, unknown>) => ((j.std as number[])[0] = 5e-324)],
    ['a 1e39 coefficient (not finite in float32)', (j: Record<string, unknown>) => ((j.coef as number[])[1] = 1e39)],
  ])('logistic with %s is refused', async (_name, edit) => {
    const d = fresh();
    const { json } = await trained(d);
    edit(json);
    const r = await predictWith(d, json);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/REBALANCE_BAD_MODEL/);
    expect(existsSync(r.out)).toBe(false);
  });
});

const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
/** Column and class names carrying terminal escape sequences (OSC title, CSI colour, C1 CSI). */
const ESC_COL = 'a\x1b]0;owned\x07';
const ESC_CLASS = 'x\x1b[31m';
const C1_CLASS = 'y\x9b2J';
const ESCAPING = `${ESC_COL},b,label\n1,2,${ESC_CLASS}\n3,4,${ESC_CLASS}\n5,6,${ESC_CLASS}\n7,8,${C1_CLASS}\n2,1,${ESC_CLASS}\n6,7,${C1_CLASS}\n4,4,${ESC_CLASS}\n8,1,${C1_CLASS}\n`;

describe('control characters in names are escaped in every human-readable text (item 12)', () => {
  it('inspect (table): no raw control character on stdout, the names shown escaped', async () => {
    const d = fresh();
    const r = await cli('inspect', input(d, ESCAPING));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('a\\u001b]0;owned\\u0007');
    expect(r.stdout).toContain('y\\u009b2J');
  });

  it('inspect --json: valid JSON without raw control characters that reads back the exact names', async () => {
    const d = fresh();
    const r = await cli('inspect', input(d, ESCAPING), '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    // Read back, the strings are the names themselves (the escapes are JSON's own).
    const again = JSON.stringify(JSON.parse(r.stdout));
    for (const name of [ESC_COL, ESC_CLASS, C1_CLASS]) expect(again).toContain(JSON.stringify(name).slice(1, -1));
  });

  it('the resample summary on stderr; the data output keeps the names as they are', async () => {
    const d = fresh();
    const out = join(d, 'out.csv');
    const r = await cli('resample', input(d, ESCAPING), '-m', 'random-over', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('x\\u001b[31m');
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe(`${ESC_COL},b,label`);
  });

  it('error messages: a label option naming a control character, a file name with one', async () => {
    const d = fresh();
    const p = input(d, ESCAPING);
    const r = await cli('resample', p, '-m', 'random-over', '--label', 'no\x1b]0;such\x07', '-o', join(d, 'o.csv'));
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('\\u001b]0;such\\u0007');
    const missing = await cli('inspect', join(d, 'gone\x1b[2J.csv'));
    expect(missing.code).toBe(4);
    expect(missing.stderr).not.toMatch(RAW_CONTROL);
  });

  it('evaluate: the table and verdict on stdout, the markdown report file', async () => {
    const d = fresh();
    const report = join(d, 'r.md');
    const r = await cli('evaluate', input(d, ESCAPING), '--samplers', 'none,random-over', '--models', 'logistic', '--folds', '2', '--repeats', '1', '--positive', C1_CLASS, '--report', report);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    const md = readFileSync(report, 'utf8');
    expect(md).not.toMatch(RAW_CONTROL);
    expect(md).toContain('`x\\u001b[31m`');
  });
});

describe('the markdown report: a name with backticks stays inside its code span (item 12)', () => {
  it('class names `a`b` and ``c are fenced with a longer run of backticks', async () => {
    const d = fresh();
    const report = join(d, 'r.md');
    const data = GOOD.replace(/,x\n/g, ',a`b\n').replace(/,y\n/g, ',``c\n');
    const r = await cli('evaluate', input(d, data), '--samplers', 'none', '--models', 'logistic', '--folds', '2', '--repeats', '1', '--positive', '``c', '--report', report);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(report, 'utf8');
    expect(md).toContain(', ``a`b`` 4;');
    expect(md).toContain('positive class ``` ``c ```');
    // Before: `a`b` and ```c` (the span closed early, the rest of the line read as markdown).
    expect(md).not.toMatch(/(^|[^`])`a`b`($|[^`])/m);
  });
});

describe('--safe-csv neutralises header cells and predicted class names (item 12)', () => {
  const HEADERS = '=HYPERLINK("http://x"),@f2,+p,-m,label\n';
  it('resample --safe-csv: formula-like header cells get a leading quote; without it they stay', async () => {
    const d = fresh();
    const data = HEADERS + '1,2,3,4,x\n3,4,5,6,x\n5,6,7,8,x\n7,8,9,1,y\n';
    const safe = join(d, 'safe.csv');
    const plain = join(d, 'plain.csv');
    expect((await cli('resample', input(d, data), '-m', 'random-over', '-q', '--safe-csv', '-o', safe)).code).toBe(0);
    expect(readFileSync(safe, 'utf8').split('\n')[0]).toBe(`"'=HYPERLINK(""http://x"")",'@f2,'+p,'-m,label`);
    expect((await cli('resample', input(d, data), '-m', 'random-over', '-q', '-o', plain)).code).toBe(0);
    expect(readFileSync(plain, 'utf8').split('\n')[0]).toBe('"=HYPERLINK(""http://x"")",@f2,+p,-m,label');
  });

  it('predict --safe-csv: class names from the model (@SUM(1), =1+2) and header cells are neutralised', async () => {
    const d = fresh();
    const data = 'a,@b,label\n1,2,@SUM(1)\n3,4,@SUM(1)\n5,6,@SUM(1)\n7,8,=1+2\n2,1,@SUM(1)\n6,7,=1+2\n8,8,=1+2\n';
    const model = join(d, 'm.json');
    const tr = await cli('train', input(d, data), '-m', 'none', '--model', 'logistic', '--positive', '=1+2', '-q', '-o', model);
    expect(tr.code, tr.stderr).toBe(0);
    const safe = join(d, 'scored.csv');
    const r = await cli('predict', model, input(d, data), '--safe-csv', '-o', safe);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(safe, 'utf8').trim().split('\n');
    expect(lines[0]).toBe("a,'@b,label,score,prediction");
    for (const l of lines.slice(1)) expect(l).toMatch(/,'@SUM\(1\),[^,]+,'(@SUM\(1\)|=1\+2)$|,'=1\+2,[^,]+,'(@SUM\(1\)|=1\+2)$/);
    const plain = join(d, 'plain.csv');
    expect((await cli('predict', model, input(d, data), '-o', plain)).code).toBe(0);
    expect(readFileSync(plain, 'utf8').split('\n')[1]).toMatch(/^1,2,@SUM\(1\),[^,]+,(@SUM\(1\)|=1\+2)$/);
  });
});

describe('numeric options that could overflow are user errors, never a crash (item 11)', () => {
  /** Features spread over ~100: generated values scaled by 1e308 overflow float64. */
  const WIDE = `a,b,label\n${Array.from({ length: 60 }, (_, i) => `${(i * 37) % 101}.5,${(i * 13) % 7},${i % 6 === 0 ? 'y' : 'x'}`).join('\n')}\n`;

  it('--shrinkage 1e308: a usage error naming the option, one line, no stack', async () => {
    const d = fresh();
    const out = join(d, 'o.csv');
    const r = await cli('resample', input(d, WIDE), '-m', 'random-over', '--shrinkage', '1e308', '-o', out);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--shrinkage/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  // Fuzz generator: every option of these commands that takes a value, given extreme numbers.
  const EXTREME = ['1e308', '-1e308', '5e-324', 'NaN', 'Infinity'];
  const valuedOptions = async (command: string, skip: readonly string[]): Promise<string[]> => {
    const { createCli } = await import('../../src/cli/main.js');
    const { PassThrough } = await import('node:stream');
    const program = createCli({ stdout: new PassThrough(), stderr: new PassThrough(), signal: new AbortController().signal, version: 'test' });
    const cmd = program.commands.find((c) => c.name() === command)!;
    return cmd.options.filter((o) => o.required || o.optional).map((o) => o.long!).filter((f) => !skip.includes(f));
  };

  it('every valued option of resample given 1e308, -1e308, 5e-324, NaN, Infinity: exit 0, 2, 3 or 4, never 1', async () => {
    const valued = await valuedOptions('resample', ['--output', '--summary-json', '--label', '--method']);
    expect(valued.length).toBeGreaterThan(10);
    const d = fresh();
    const p = input(d, WIDE);
    for (const flag of valued) {
      for (const v of EXTREME) {
        const r = await cli('resample', p, '-m', 'random-over', '-q', '-o', join(d, 'o.csv'), `${flag}=${v}`);
        expect([0, 2, 3, 4], `${flag}=${v}: ${r.stderr}`).toContain(r.code);
      }
    }
  }, 120_000);

  it('every valued option of train (logistic) and predict given the same: never exit 1', async () => {
    const d = fresh();
    const p = input(d, WIDE);
    const model = join(d, 'm.json');
    expect((await cli('train', p, '-m', 'none', '--model', 'logistic', '-q', '-o', model)).code).toBe(0);
    for (const flag of await valuedOptions('train', ['--output', '--label', '--method', '--model', '--hidden', '--tf-backend'])) {
      for (const v of EXTREME) {
        const r = await cli('train', p, '-m', 'random-over', '--model', 'logistic', '-q', '-o', join(d, 'm2.json'), `${flag}=${v}`);
        expect([0, 2, 3, 4], `train ${flag}=${v}: ${r.stderr}`).toContain(r.code);
      }
    }
    for (const flag of await valuedOptions('predict', ['--output'])) {
      for (const v of EXTREME) {
        const r = await cli('predict', model, p, '-o', join(d, 'scored.csv'), `${flag}=${v}`);
        expect([0, 2, 3, 4], `predict ${flag}=${v}: ${r.stderr}`).toContain(r.code);
      }
    }
  }, 300_000);
});

describe('targets are checked against limits before any work (item 9)', () => {
  // The targets over the 2^31 - 1 row limit are tested with real processes (safety-signals.test.ts):
  // where the check is missing they allocate gigabytes, which must not happen inside the test runner.

  it('added rows beyond the memory bound (REBALANCE_MEMORY_LIMIT_MB) are refused before any work', async () => {
    const d = fresh();
    const out = join(d, 'o.csv');
    const before = process.env.REBALANCE_MEMORY_LIMIT_MB;
    process.env.REBALANCE_MEMORY_LIMIT_MB = '1';
    try {
      // 100,000 smote rows x (24 + 8 x 2 features) bytes = 3.8 MB > 1 MB.
      const r = await cli('resample', input(d), '-m', 'smote', '-k', '1', '--strategy', 'y=100000', '-o', out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/REBALANCE_MEMORY_LIMIT_MB/);
      expect(existsSync(out)).toBe(false);
      // Within the bound the same job runs.
      const ok = await cli('resample', input(d), '-m', 'smote', '-k', '1', '--strategy', 'y=1000', '-q', '-o', out);
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      if (before === undefined) delete process.env.REBALANCE_MEMORY_LIMIT_MB;
      else process.env.REBALANCE_MEMORY_LIMIT_MB = before;
    }
  });
});

describe('a failed write of human-readable output is an io error (item 11)', () => {
  it('inspect, methods and evaluate into a stdout that fails with ENOSPC exit 4 with one line', async () => {
    const { run } = await import('../../src/cli/main.js');
    const { PassThrough, Writable } = await import('node:stream');
    const d = fresh();
    const p = input(d);
    for (const args of [['inspect', p], ['methods'], ['methods', '--json'], ['evaluate', p, '--samplers', 'none', '--models', 'logistic', '--folds', '2', '--repeats', '1']]) {
      const full = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) });
      const err = new PassThrough();
      let stderr = '';
      err.on('data', (c: Buffer) => (stderr += String(c)));
      const code = await run(['node', 'rebalance', ...args], { stdout: full, stderr: err, signal: new AbortController().signal, version: 'test' });
      expect(code, `${args[0]}: ${stderr}`).toBe(4);
      expect(stderr).toMatch(/REBALANCE_DISK_FULL/);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('evaluate --report into a location it cannot use is an io error, one line (item 11)', () => {
  it('a report whose folder is a file: exit 4 before any work; a 250-byte report name works', async () => {
    const d = fresh();
    writeFileSync(join(d, 'afile'), '');
    const bad = await cli('evaluate', input(d), '--samplers', 'none', '--models', 'logistic', '--folds', '2', '--repeats', '1', '--report', join(d, 'afile', 'r.md'));
    expect(bad.code, bad.stderr).toBe(4);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stdout).toBe('');
    const long = join(d, 'x'.repeat(247) + '.md');
    const ok = await cli('evaluate', input(d), '--samplers', 'none', '--models', 'logistic', '--folds', '2', '--repeats', '1', '-q', '--report', long);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(long)).toBe(true);
  });
});
