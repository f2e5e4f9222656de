/**
 * Test helper for parity tests against imbalanced-learn / scikit-learn through /usr/bin/python3.
 * Parity suites run when python3 can import imblearn; with REBALANCE_REQUIRE_PARITY=1 (set by
 * .ci/run) a missing python3/imblearn fails the suite instead of skipping it.
 */
import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

export const PYTHON = process.env.REBALANCE_PYTHON ?? '/usr/bin/python3';

let cached: boolean | undefined;
export function hasImblearn(): boolean {
  if (cached === undefined) {
    const r = spawnSync(PYTHON, ['-c', 'import imblearn, sklearn, pandas, numpy'], { encoding: 'utf8' });
    cached = r.status === 0;
  }
  return cached;
}

/** Runs python code (stdin optional) and returns stdout; throws with stderr on failure. */
export function runPython(code: string, input?: string): string {
  const r = spawnSync(PYTHON, ['-c', code], {
    encoding: 'utf8',
    input,
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' },
  });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Runs python code that prints one JSON document, and parses it. */
export function pythonJson<T = unknown>(code: string, input?: string): T {
  return JSON.parse(runPython(code, input)) as T;
}

const required = process.env.REBALANCE_REQUIRE_PARITY === '1';

/** `describe` for parity suites: skipped only when imblearn is absent and CI did not require it. */
export const describeParity: typeof describe = (required || hasImblearn() ? describe : describe.skip) as typeof describe;
