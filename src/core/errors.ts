/**
 * Typed errors. Every failure a user can cause is one of four kinds; only
 * `cli/exit-codes.ts` maps kinds to process exit codes.
 *
 * Rule: detectable from argv alone -> `usage`; needs the data -> `data`;
 * the file system or a stream failed -> `io`; a backend/library is missing -> `unavailable`.
 */
export type ErrorKind = 'usage' | 'data' | 'io' | 'unavailable' | 'interrupted';

export interface ErrorLocation {
  readonly file?: string;
  /** 1-based data row number (header excluded) when known. */
  readonly row?: number;
  readonly column?: string;
}

export class RebalanceError extends Error {
  readonly kind: ErrorKind;
  readonly code: `REBALANCE_${string}`;
  readonly where?: ErrorLocation;

  constructor(
    kind: ErrorKind,
    code: `REBALANCE_${string}`,
    message: string,
    options?: ErrorOptions & { where?: ErrorLocation },
  ) {
    super(message, options);
    this.name = 'RebalanceError';
    this.kind = kind;
    this.code = code;
    if (options?.where) this.where = options.where;
  }
}

type Opts = ErrorOptions & { where?: ErrorLocation };

export class UsageError extends RebalanceError {
  constructor(code: `REBALANCE_${string}`, message: string, options?: Opts) {
    super('usage', code, message, options);
    this.name = 'UsageError';
  }
}

export class DataError extends RebalanceError {
  constructor(code: `REBALANCE_${string}`, message: string, options?: Opts) {
    super('data', code, message, options);
    this.name = 'DataError';
  }
}

export class IoError extends RebalanceError {
  constructor(code: `REBALANCE_${string}`, message: string, options?: Opts) {
    super('io', code, message, options);
    this.name = 'IoError';
  }
}

export class BackendUnavailableError extends RebalanceError {
  constructor(code: `REBALANCE_${string}`, message: string, options?: Opts) {
    super('unavailable', code, message, options);
    this.name = 'BackendUnavailableError';
  }
}

export class InterruptedError extends RebalanceError {
  constructor(message = 'interrupted') {
    super('interrupted', 'REBALANCE_INTERRUPTED', message);
    this.name = 'InterruptedError';
  }
}

/** Formats a location prefix such as `data.csv:12:amount: `. */
export function formatWhere(where: ErrorLocation | undefined): string {
  if (!where) return '';
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.file);
  if (where.row !== undefined) parts.push(`row ${where.row}`);
  if (where.column !== undefined) parts.push(`column '${where.column}'`);
  return parts.length ? parts.join(', ') + ': ' : '';
}

export function isRebalanceError(e: unknown): e is RebalanceError {
  return e instanceof RebalanceError;
}

/**
 * A data value as an error message quotes it: at most 40 characters, with control characters
 * escaped (a newline inside a quoted CSV field would otherwise read as a space, since error
 * messages are one line).
 */
export function showValue(s: string): string {
  const cut = s.length > 40 ? s.slice(0, 37) + '...' : s;
  return cut.replace(/[\x00-\x1f\x7f]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
