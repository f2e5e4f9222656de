/**
 * Test helper for the IO tests: makes sure dist/ (what bin/rebalance.js runs) is at least as new
 * as src/, building it once (`node scripts/build.mjs`) when it is not. A lock folder keeps two
 * test files from building at the same time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../helpers/cli.js';

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (e.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(entry)) return false;
  return newestMtime(join(ROOT, 'dist'), '.js') >= newestMtime(join(ROOT, 'src'), '.ts');
}

/**
 * Builds dist/ when it is missing or older than src/; throws when it still is not there. The
 * check runs under the lock too, so a file never spawns the CLI while another one rebuilds it.
 * (`npm test` builds first, so in CI this never rebuilds.)
 */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, 'node_modules', '.cache', 'rebalance-io-test-build.lock');
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than 2 minutes is stale.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone already */
      }
      if (Date.now() - t0 > 120_000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!isFresh()) spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing after `node scripts/build.mjs`');
}
