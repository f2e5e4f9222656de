/**
 * `rebalance methods`: every resampling method with its kind and what it holds in memory.
 */
import { Command } from 'commander';
import type { CliContext } from '../common.js';

const SCOPE: Record<string, string> = {
  stream: 'streams (labels only)',
  targets: 'features of the classes it grows',
  all: 'features of every row',
};

export function methodsCommand(ctx: CliContext): Command {
  return new Command('methods')
    .description('list the resampling methods')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { SAMPLERS } = await import('../../samplers/registry.js');
      if (flags.json) {
        ctx.stdout.write(JSON.stringify(SAMPLERS.map((s) => ({ name: s.name, kind: s.kind, scope: s.scope, summary: s.summary })), null, 2) + '\n');
        return;
      }
      const w = Math.max(...SAMPLERS.map((s) => s.name.length));
      for (const s of SAMPLERS) {
        ctx.stdout.write(`${s.name.padEnd(w)}  ${s.kind.padEnd(5)}  ${s.summary}  [memory: ${SCOPE[s.scope]}]\n`);
      }
    });
}
