/**
 * Fuzz: malformed CSV never crashes rebalance (exit 1), never leaves a partial output or a temp
 * file, and never prints more than one line. Most cases run in-process (fast); a sample runs
 * through real processes; one 100 MB single-field file is the slow case.
 */
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';
import { csvCase, type CsvCase } from './csv-gen.js';
import { HANG_MS, fuzzRuns, runInProcess, violation } from './harness.js';

const { dir: root, cleanup } = tempDir('rebalance-fuzz-csv-');
afterAll(cleanup);
let caseNo = 0;

/** Exit codes allowed for a case: valid input must succeed; broken data is a data error (3). */
function allowed(c: CsvCase, method: string): number[] {
  if (c.mutations.length === 0) return method === 'random-over' ? [0] : [0, 3];
  // Label resolution problems (no label column, duplicate / empty names) may be usage errors.
  if (c.mutations.some((m) => m === 'noLabelColumn' || m === 'duplicateColumn' || m === 'emptyColumnName' || m === 'truncate' || m === 'emptyFile' || m === 'manyColumns' || m === 'headerOnly'))
    return [0, 2, 3];
  return [0, 3];
}

function caseDir(): string {
  const d = join(root, String(caseNo++));
  mkdirSync(d);
  return d;
}

const METHODS = ['random-over', 'random-over', 'random-over', 'smote', 'random-under', 'inspect'] as const;

async function checkInProcess(c: CsvCase, method: (typeof METHODS)[number]): Promise<void> {
  const d = caseDir();
  const input = join(d, 'in.csv');
  const out = join(d, 'out.csv');
  writeFileSync(input, c.bytes);
  const args = method === 'inspect' ? ['inspect', input, '--json'] : ['resample', input, '-m', method, '-o', out, '-q', '--seed', '1'];
  const r = await runInProcess(args);
  rmSync(input);
  const v = violation(r, allowed(c, method === 'inspect' ? 'inspect' : method), method === 'inspect' ? (r.code === 0 ? input : out) : out, d);
  if (method === 'inspect' && r.code === 0) {
    // inspect writes no file: only the stderr/exit checks apply.
    const v2 = violation({ ...r, code: 3 }, [3], out, d);
    expect(v2, `${c.mutations.join('+')} inspect`).toBeNull();
  } else {
    expect(v, `${c.mutations.join('+')} via ${method}; input ${JSON.stringify(c.bytes.toString('latin1').slice(0, 300))}`).toBeNull();
  }
  rmSync(d, { recursive: true, force: true });
}

function spawnCli(args: string[], timeoutMs = HANG_MS): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, REBALANCE_DEBUG: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, stderr: signal === 'SIGKILL' ? `hang: ${stderr}` : stderr });
    });
  });
}

describe('CSV fuzz', () => {
  it('generated CSV cases in-process: documented exit codes, one line, no partial output', async () => {
    const methods = fc.constantFrom(...METHODS);
    await fc.assert(
      fc.asyncProperty(csvCase, methods, async (c, m) => checkInProcess(c, m)),
      { seed: 20261128, numRuns: fuzzRuns(900, 0.8), endOnFailure: true },
    );
  });

  it('a sample of generated CSV cases through real processes (signals, exit codes)', async () => {
    const cases = fc.sample(fc.tuple(csvCase, fc.constantFrom('random-over', 'smote')), { seed: 7, numRuns: fuzzRuns(10, 0.002) });
    const queue = cases.map((c, i) => ({ c, i }));
    const failures: string[] = [];
    const worker = async (): Promise<void> => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const [c, method] = job.c;
        const d = caseDir();
        const input = join(d, 'in.csv');
        const out = join(d, 'out.csv');
        writeFileSync(input, c.bytes);
        const r = await spawnCli(['resample', input, '-m', method, '-o', out, '-q']);
        rmSync(input);
        const v = violation(r, allowed(c, method), out, d);
        if (v) failures.push(`${c.mutations.join('+')} ${method}: ${v}`);
      }
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
  });

  it('slow case: one 100 MB single field is a clean data error or success, not a crash', async () => {
    const d = caseDir();
    const input = join(d, 'big.csv');
    const out = join(d, 'out.csv');
    const fd = openSync(input, 'w');
    writeSync(fd, 'f0,label\n"');
    const chunk = Buffer.alloc(1 << 20, 0x78);
    for (let i = 0; i < 100; i++) writeSync(fd, chunk);
    writeSync(fd, '",a\n1,b\n2,a\n3,b\n');
    closeSync(fd);
    const r = await spawnCli(['resample', input, '-m', 'random-over', '-o', out, '-q']);
    rmSync(input);
    expect(violation(r, [0, 3], out, d)).toBeNull();
  });
});
