/**
 * The streams a command's human-readable text goes through (CliContext.stdout / .stderr: help,
 * messages, notices, summaries, inspect / methods / evaluate output; data goes to its own sink):
 * every control character in what is written is escaped (core/text.ts), so a column or class
 * name cannot send ESC/OSC sequences to a terminal. The progress line's own framing (a leading
 * '\r', a trailing ESC [ K) is kept; its text is escaped like the rest.
 *
 * A failed write is remembered (`failure`): the CLI turns it into an io error (exit 4) instead
 * of exiting 0 with the output lost; a closed pipe (EPIPE) is `broken`, not a failure.
 */
import { escapeControls } from '../core/text.js';

const CLEAR = '\x1b[K';

export interface HumanStream {
  readonly stream: NodeJS.WritableStream;
  /** The first write error other than a closed pipe, if any. */
  failure(): NodeJS.ErrnoException | null;
  /** True once the reader closed the pipe. */
  broken(): boolean;
  /** Waits until what was written reached the stream's destination (or failed). */
  flush(): Promise<void>;
  /** Stops listening for errors. */
  detach(): void;
}

function escapeChunk(chunk: unknown): unknown {
  if (typeof chunk !== 'string') return chunk;
  let head = '';
  let body = chunk;
  let tail = '';
  if (body.startsWith('\r')) {
    head = '\r';
    body = body.slice(1);
  }
  if (body.endsWith(CLEAR)) {
    tail = CLEAR;
    body = body.slice(0, -CLEAR.length);
  }
  return head + escapeControls(body) + tail;
}

export function humanStream(target: NodeJS.WritableStream): HumanStream {
  let failure: NodeJS.ErrnoException | null = null;
  let broken = false;
  const onError = (e: NodeJS.ErrnoException): void => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') broken = true;
    else failure ??= e;
  };
  target.on('error', onError);
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    try {
      return (target.write as (...a: unknown[]) => boolean)(escapeChunk(chunk), ...rest);
    } catch (e) {
      // A synchronous stream (a file, /dev/full) may throw from write itself.
      onError(e as NodeJS.ErrnoException);
      const cb = rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined;
      cb?.(e as Error);
      return true;
    }
  };
  const stream = new Proxy(target, {
    get(t, prop) {
      if (prop === 'write') return write;
      const v = Reflect.get(t, prop, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  return {
    stream,
    failure: () => failure,
    broken: () => broken,
    flush: () =>
      new Promise<void>((resolve) => {
        if (broken || (target as { destroyed?: boolean }).destroyed) return resolve();
        try {
          target.write('', (e?: Error | null) => {
            if (e) onError(e as NodeJS.ErrnoException);
            resolve();
          });
        } catch (e) {
          onError(e as NodeJS.ErrnoException);
          resolve();
        }
      }),
    detach: () => {
      target.off('error', onError);
    },
  };
}
