/**
 * Output bytes: scripts/golden.mjs re-runs `resample` (the built dist/, in its own process) for
 * every registered method on every shared data set, to CSV and Arrow, and compares each output's
 * SHA-256 with test/golden/resample.json. Any difference fails with the script's report.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

describe('golden output bytes', () => {
  it('node scripts/golden.mjs: every method on every data set gives the recorded bytes', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'golden.mjs')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REBALANCE_DEBUG: '' }, maxBuffer: 64 * 1024 * 1024 });
    const report = `${r.stdout}\n${r.stderr}`.trim();
    expect(r.error, report).toBeUndefined();
    expect(r.status, report).toBe(0);
    expect(r.stdout).toMatch(/\b0 different\b/);
  }, 15 * 60_000); // a hang backstop: the run takes about 40 s on 2 cores
});
