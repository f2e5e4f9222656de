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
