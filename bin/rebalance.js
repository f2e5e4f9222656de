#!/usr/bin/env node
// The rebalance command. The implementation lives in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('rebalance: not built yet; run `npm install` (or `npm run build`) in the rebalance folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv);
