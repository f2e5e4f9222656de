/**
 * A loaded model must score finite numbers, so every number it carries is checked on load:
 * magnitudes above 1e38 (past float32, which the MLP scores in, and close enough to overflow
 * that a product with one input value is infinite) and subnormal values (a denormal `std` turns
 * every scaled input into Infinity) are refused with REBALANCE_BAD_MODEL. The predict job also
 * refuses any score that is not finite, so nothing non-finite is ever written silently.
 */
import { badModel } from './json.js';

/** The largest magnitude a saved model number may have. */
export const MAX_MODEL_MAGNITUDE = 1e38;
/** The smallest normal double: nonzero numbers below it are subnormal. */
const MIN_NORMAL = 2.2250738585072014e-308;

/** Throws DataError REBALANCE_BAD_MODEL when a number in the model (not its `training` block) is out of range. */
export function checkModelNumbers(value: unknown, path = ''): void {
  if (typeof value === 'number') {
    const a = Math.abs(value);
    if (!Number.isFinite(value) || a > MAX_MODEL_MAGNITUDE) {
      badModel(`the value ${value} at '${path || '.'}' is too large (more than ${MAX_MODEL_MAGNITUDE} in magnitude); scores would not be finite`);
    }
    if (a !== 0 && a < MIN_NORMAL) badModel(`the value ${value} at '${path || '.'}' is subnormal; scores would not be finite`);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkModelNumbers(value[i], `${path}[${i}]`);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (path === '' && k === 'training') continue;
      checkModelNumbers(v, path ? `${path}.${k}` : k);
    }
  }
}
