/**
 * The rebalance CLI: builds the commander program (without running it, so tests can drive it
 * in-process), runs it, and maps every outcome to an exit code in one place (exit-codes.ts).
 */
import { readFileSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UsageError } from '../core/errors.js';
import { escapeControls } from '../core/text.js';
import { interruptOutputs, liveTempFiles } from '../io/output.js';
import { ioErrorFrom } from '../io/fs-errors.js';
import type { CliContext } from './common.js';
import { EXIT, reportError } from './exit-codes.js';
import { inspectCommand } from './commands/inspect.js';
import { methodsCommand } from './commands/methods.js';
import { resampleCommand } from './commands/resample.js';
import { evaluateCommand } from './commands/evaluate.js';
import { trainCommand } from './commands/train.js';
import { predictCommand } from './commands/predict.js';
import { demoCommand } from './commands/demo.js';
import { backendsCommand } from './commands/backends.js';
import { humanStream } from './human-stream.js';
import { distCommand } from './commands/dist.js';

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

export function createCli(ctx: CliContext): Command {
  const program = new Command('rebalance')
    .description('Fix class imbalance in tabular data (CSV, Arrow) and prove the fix worked.')
    .version(ctx.version, '-V, --version')
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      // Usage errors are one line: the message, then where the usage is.
      outputError: (s, write) => write(`rebalance: ${s.replace(/^error: /, '').trimEnd()} (run with --help for usage)\n`),
    })
    .exitOverride();
  const commands = [
    inspectCommand(ctx),
    resampleCommand(ctx),
    evaluateCommand(ctx),
    trainCommand(ctx),
    predictCommand(ctx),
    methodsCommand(ctx),
    backendsCommand(ctx),
    demoCommand(ctx),
    distCommand(ctx),
  ];
  for (const c of commands) {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(`rebalance ${c.name()}: ${s.replace(/^error: /, '').trimEnd()} (run 'rebalance ${c.name()} --help' for usage)\n`),
    });
    program.addCommand(c);
  }
  program.addHelpText(
    'after',
    `
Examples:
  $ rebalance inspect data.csv
  $ rebalance resample data.csv -m smote -o balanced.csv
  $ cat data.csv | rebalance resample - -m random-under | head

Exit codes: 0 ok, 1 internal bug, 2 usage, 3 data, 4 io, 5 backend unavailable, 130 interrupted.
Set REBALANCE_DEBUG=1 to print stack traces.`,
  );
  return program;
}

/**
 * Runs the CLI with argv (as process.argv) and returns the exit code. The context's streams carry
 * human-readable text only: control characters in it are escaped (human-stream.ts), and a failed
 * write to them (a full disk, /dev/full) is an io error (exit 4), not a success with lost output.
 */
export async function run(argv: readonly string[], context: CliContext): Promise<number> {
  const out = humanStream(context.stdout);
  const err = humanStream(context.stderr);
  const ctx: CliContext = { ...context, stdout: out.stream, stderr: err.stream };
  let code = await runCommand(argv, ctx);
  await out.flush();
  const failure = out.failure();
  if (failure && (code === EXIT.ok || code === EXIT.usage)) {
    const report = reportError(ioErrorFrom(failure, '<stdout>', 'write'));
    err.stream.write(report.message + '\n');
    code = report.exitCode;
  }
  await err.flush();
  out.detach();
  err.detach();
  return code;
}

async function runCommand(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = createCli(ctx);
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      if (e.code === 'commander.executeSubCommandAsync') return EXIT.ok;
      return EXIT.usage;
    }
    const report = reportError(e);
    if (report.message) ctx.stderr.write(report.message + '\n');
    return report.exitCode;
  }
}

/** The process entry point (bin/rebalance.js). */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  let finished = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    // The command is done (its output committed or discarded): a signal while the process winds
    // down must not turn a committed run into 130; it ends with the command's own exit code.
    if (finished) process.exit(process.exitCode);
    if (signals > 1) {
      for (const f of liveTempFiles) rmSync(f, { force: true });
      process.exit(130);
    }
    const reason = Object.assign(new Error(`interrupted by ${sig}`), { name: 'AbortError' });
    controller.abort(reason);
    interruptOutputs(reason);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A file-size limit (ulimit -f) must surface as a failed write (EFBIG -> io error), not a kill.
  process.on('SIGXFSZ', () => undefined);
  // A closed stdout is reported to the writer (BrokenPipeError); never crash on it here.
  process.stdout.on('error', () => undefined);
  // Nor on a failed stderr (2>/dev/full): the messages are lost, the exit code still tells.
  process.stderr.on('error', () => undefined);
  process.on('exit', () => {
    for (const f of liveTempFiles) rmSync(f, { force: true });
  });
  const ctx: CliContext = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal, version: packageVersion() };
  let code: number;
  try {
    code = await run(argv, ctx);
  } catch (e) {
    const report = reportError(e);
    if (report.message) process.stderr.write(escapeControls(report.message) + '\n');
    code = report.exitCode;
  }
  if (controller.signal.aborted && code !== EXIT.ok) code = EXIT.interrupted;
  process.exitCode = code;
  finished = true;
  // The command is done: nothing should keep the process alive now. If something does (a bug:
  // a handle left referenced), say so and exit once stdout and stderr have drained, rather than
  // hang a pipeline. The timer is unref'd, so a normal exit never waits for it.
  const linger = setInterval(() => {
    if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) return;
    process.stderr.write(`rebalance: ${LINGER_NOTE}\n`, () => process.exit());
    clearInterval(linger);
  }, LINGER_MS);
  linger.unref();
}

/** How long a finished command may linger before main() ends it (see the note below). */
const LINGER_MS = 2000;
/** What main() prints when it has to end a finished command that did not exit by itself. */
const LINGER_NOTE = 'internal: the command finished but a handle kept the process open; exiting (please report this)';

export { UsageError };
