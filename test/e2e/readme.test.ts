/**
 * README.md stays true: every command of its Usage block and its library example run, from a
 * fresh folder holding the bundled examples, and exit 0.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const { dir, cleanup } = tempDir('rebalance-readme-');
afterAll(cleanup);
cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });

function block(heading: string, lang: string): string {
  const start = readme.indexOf(heading);
  expect(start, `README has '${heading}'`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('```' + lang + '\n', start);
  const close = readme.indexOf('\n```', open + 4);
  return readme.slice(open + lang.length + 4, close);
}

function commands(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

describe('README', () => {
  it('quick start is exactly two commands', () => {
    expect(commands(block('## Quick start', 'sh'))).toEqual(['npm install && npm start', 'npm test']);
  });

  const usage = commands(block('## Usage', 'sh'));
  // The README's set-up: `npm link` puts `rebalance` on the PATH; here a folder with that link.
  const pathBin = join(dir, '.bin');
  mkdirSync(pathBin);
  symlinkSync(BIN, join(pathBin, 'rebalance'));
  it('has usage examples', () => expect(usage.length).toBeGreaterThan(8));
  it('documents the set-up the usage lines need', () => expect(readme).toMatch(/`npm link`[^.]*PATH/));
  it.each(usage.map((c) => [c]))('runs as written: %s', (command) => {
    const env = { ...process.env, EGL_PLATFORM: 'surfaceless', PATH: `${pathBin}:${process.env.PATH ?? ''}` };
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], { cwd: dir, encoding: 'utf8', timeout: 240_000, env });
    expect(r.status, `${command}\n${r.stderr}`).toBe(0);
    for (const out of command.match(/(?<=-o |--report |--json |--summary-json )\S+/g) ?? []) {
      expect(existsSync(join(dir, out)), `${out} written`).toBe(true);
    }
  }, 300_000); // hang backstops (spawn and test): evaluate commands take seconds, more on a loaded machine

  it('every `npm run <script>` and `--project <name>` it mentions exists', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const named = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(named).toContain('test:unit');
    for (const n of named) expect(scripts, `npm run ${n}`).toContain(n);
    const config = readFileSync(join(ROOT, 'vitest.config.ts'), 'utf8');
    const projects = [...config.matchAll(/project\('([\w-]+)'/g)].map((m) => m[1]!);
    expect(projects).toEqual(['unit', 'parity', 'e2e', 'fuzz', 'gpu', 'distributed']);
    for (const m of readme.matchAll(/--project (\w+)/g)) expect(projects, `--project ${m[1]}`).toContain(m[1]);
  });

  it('library example runs', () => {
    const code = block('## Library', 'js').replace("from 'rebalance'", `from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))}`);
    const file = join(dir, 'lib-example.mjs');
    writeFileSync(file, code);
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1000 \{/);
  });
});
