/**
 * The one place that maps errors to process exit codes and to the line a user reads.
 *
 * 0 ok (help, version, closed stdout) · 1 internal bug · 2 usage · 3 data · 4 io ·
 * 5 unavailable (backend missing) · 130 interrupted.
 */
import { formatWhere, RebalanceError } from '../core/errors.js';
import { escapeControls } from '../core/text.js';
import { BrokenPipeError } from '../io/output.js';

export const EXIT = { ok: 0, bug: 1, usage: 2, data: 3, io: 4, unavailable: 5, interrupted: 130 } as const;

const BY_KIND = { usage: EXIT.usage, data: EXIT.data, io: EXIT.io, unavailable: EXIT.unavailable, interrupted: EXIT.interrupted } as const;

export interface ErrorReport {
  readonly exitCode: number;
  /** What to print on stderr (one line, or a bug report); empty for a quiet exit. */
  readonly message: string;
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR');
}

export function reportError(e: unknown, debug = process.env.REBALANCE_DEBUG === '1'): ErrorReport {
  if (e instanceof BrokenPipeError) return { exitCode: EXIT.ok, message: '' };
  if (isAbort(e)) return { exitCode: EXIT.interrupted, message: 'rebalance: interrupted' };
  if (e instanceof RebalanceError) {
    const code = BY_KIND[e.kind];
    // One line, its control characters (from column / class / file names) escaped.
    const line = escapeControls(`rebalance: ${formatWhere(e.where)}${e.message} [${e.code}]`.replace(/\s*\n\s*/g, ' '), true);
    return { exitCode: code, message: debug && e.stack ? `${line}\n${e.stack}` : line };
  }
  if (e && typeof e === 'object' && (e as NodeJS.ErrnoException).code === 'EPIPE') return { exitCode: EXIT.ok, message: '' };
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    exitCode: EXIT.bug,
    message: `rebalance: internal error: ${escapeControls(err.message, true)}\nThis is a bug in rebalance; please report it with the command you ran.\n${err.stack ?? ''}`,
  };
}
