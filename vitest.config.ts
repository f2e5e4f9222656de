/**
 * Test projects (`vitest run --project NAME`; `npm test` builds dist/ and runs them all):
 *   unit    test/unit, test/property, test/contract: in-process, imports src/, no build needed
 *           (`npm run test:unit`)
 *   parity  test/parity: against imbalanced-learn / scikit-learn through /usr/bin/python3 (skipped
 *           without imblearn unless REBALANCE_REQUIRE_PARITY=1, as .ci/run sets)
 *   e2e     test/e2e: the built CLI (bin/rebalance.js -> dist/) as real processes, and
 *           scripts/golden.mjs (output bytes of every method)
 *   fuzz    test/fuzz: malformed CSV / Arrow / arguments, bounded by case counts, not by time
 *           (REBALANCE_FUZZ_RUNS scales them: `npm run fuzz`)
 *   gpu     test/gpu: WebGPU kNN against the reference (skipped without an adapter unless
 *           REBALANCE_REQUIRE_GPU=1, as .ci/run sets)
 *   distributed  test/distributed: the `rebalance dist` protocol in-process (no engine) and the
 *           Dask driver on a LocalCluster (built dist/; skipped without python3 distributed unless
 *           REBALANCE_REQUIRE_PARITY=1)
 * Every project runs in forked processes (worker threads, WebAssembly and Dawn's native module
 * need a process of their own). Test files run in parallel up to REBALANCE_TEST_WORKERS (default:
 * one per core). On the 2-core CI machine, full `npm test` with CI's flags: 2 files at a time
 * 5 min 54 s, 1 at a time 9 min 35 s (many files wait on python peers, spawned CLIs or Dawn), both
 * with every test passing; no test bounds a search or a fit by the test machine's wall clock.
 */
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const workers = Number(process.env.REBALANCE_TEST_WORKERS) || Math.max(1, availableParallelism());

const project = (name: string, include: string[], testTimeout?: number) => ({ extends: true as const, test: { name, include, ...(testTimeout ? { testTimeout } : {}) } });

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    projects: [
      project('unit', ['test/unit/**/*.test.ts', 'test/property/**/*.test.ts', 'test/contract/**/*.test.ts']),
      project('parity', ['test/parity/**/*.test.ts']),
      project('e2e', ['test/e2e/**/*.test.ts']),
      // Fuzz tests are bounded by their case counts; the timeout only catches a hang.
      project('fuzz', ['test/fuzz/**/*.test.ts'], 20 * 60_000),
      project('gpu', ['test/gpu/**/*.test.ts']),
      // Dask runs start a LocalCluster and many CLI processes: generous limit, small tables.
      project('distributed', ['test/distributed/**/*.test.ts'], 10 * 60_000),
    ],
  },
});
