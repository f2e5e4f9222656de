// Generates examples/transactions.csv: a small synthetic card-fraud table (seeded, so the file is
// reproducible byte for byte). Run after `npm run build`: node examples/make-transactions.mjs
import { writeFileSync } from 'node:fs';
import { createRng } from '../dist/core/rng.js';

const rng = createRng(2026);
const n = 4000;
const fraudRate = 0.03;
const merchants = ['grocery', 'fuel', 'online', 'travel', 'electronics', 'restaurant'];
const rows = ['tx_id,amount,hour,tx_last_24h,account_age_days,distance_km,merchant,is_fraud'];
const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;
for (let i = 0; i < n; i++) {
  const fraud = rng.nextFloat() < fraudRate;
  // Overlapping distributions: fraud is only somewhat different, as in real card data.
  const amount = fraud ? Math.exp(3.8 + 1.0 * rng.nextNormal()) : Math.exp(3.4 + 0.9 * rng.nextNormal());
  const hour = fraud ? (rng.nextFloat() < 0.25 ? rng.nextInt(6) : rng.nextInt(24)) : rng.nextFloat() < 0.05 ? rng.nextInt(6) : 6 + rng.nextInt(18);
  const tx24 = fraud ? rng.nextInt(9) : rng.nextInt(6);
  const age = fraud ? 10 + rng.nextInt(2000) : 30 + rng.nextInt(3000);
  const dist = fraud ? Math.abs(25 + 60 * rng.nextNormal()) : Math.abs(20 * rng.nextNormal());
  const merchant = fraud
    ? [...merchants, 'online', 'electronics'][rng.nextInt(merchants.length + 2)]
    : merchants[rng.nextInt(merchants.length)];
  rows.push([`T${String(100000 + i)}`, round(amount, 2), hour, tx24, age, round(dist, 1), merchant, fraud ? 1 : 0].join(','));
}
writeFileSync(new URL('./transactions.csv', import.meta.url), rows.join('\n') + '\n');
console.log(`wrote examples/transactions.csv (${n} rows)`);
