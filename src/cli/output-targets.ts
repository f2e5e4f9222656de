/**
 * Every output a command will write, checked before any work: two outputs that land on the same
 * file (after following symlinks), two that both go to stdout, or one whose folder is missing or
 * not writable would otherwise fail, or clobber another, only after the work (and maybe after an
 * earlier output was committed).
 */
import { constants } from 'node:fs';
import { access, lstat, readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { ioErrorFrom } from '../io/fs-errors.js';

export interface OutputTarget {
  /** The option that names it, for messages ('-o', '--summary-json'). */
  readonly option: string;
  /** undefined or '-' means stdout (when `stdoutDefault`), else a path. */
  readonly path: string | undefined;
  /** Whether an absent path means stdout (true for -o of resample/predict). */
  readonly stdoutDefault?: boolean;
}

interface Resolved {
  readonly option: string;
  readonly key: string;
  /** Character devices (/dev/null) may be named twice; a FIFO may not (the streams would mix). */
  readonly shared: boolean;
}

/** Where a dangling symlink (chain) points: the path a write through it creates. */
async function danglingTarget(path: string): Promise<string> {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!(await lstat(p)).isSymbolicLink()) return p;
    } catch {
      return p;
    }
    p = resolve(dirname(p), await readlink(p));
  }
  return p;
}

async function resolveTarget(option: string, given: string): Promise<Resolved> {
  try {
    const real = await realpath(given);
    const st = await stat(real);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    if (st.isFile()) await access(dirname(real), constants.W_OK);
    return { option, key: real, shared: st.isCharacterDevice() };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw ioErrorFrom(e, given, 'write');
  }
  // A new file, or a dangling symlink: the key is the file a write creates.
  const path = await danglingTarget(given).catch(() => resolve(given));
  const dir = dirname(resolve(path));
  let realDir: string;
  try {
    realDir = await realpath(dir);
    if (!(await stat(realDir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(realDir, constants.W_OK);
  } catch (e) {
    throw ioErrorFrom(e, given, 'write');
  }
  return { option, key: join(realDir, basename(path)), shared: false };
}

/** Throws UsageError (collision) or IoError (missing / read-only folder) before any work. */
export async function checkOutputTargets(targets: readonly OutputTarget[]): Promise<void> {
  const seen: Resolved[] = [];
  for (const t of targets) {
    const toStdout = t.path === '-' || (t.path === undefined && t.stdoutDefault === true);
    if (t.path === undefined && !toStdout) continue;
    const r: Resolved = toStdout ? { option: t.option, key: '<stdout>', shared: false } : await resolveTarget(t.option, t.path as string);
    const clash = seen.find((s) => s.key === r.key && !(s.shared && r.shared));
    if (clash) {
      const what = r.key === '<stdout>' ? 'both go to stdout' : `both name '${t.path}'`;
      throw new UsageError('REBALANCE_OUTPUT_CLASH', `${clash.option} and ${t.option} ${what}; give them different files`);
    }
    seen.push(r);
  }
}
