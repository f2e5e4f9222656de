import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { parseStrategy } from '../../../src/cli/strategy-text.js';
import { resolveStrategy } from '../../../src/samplers/strategy.js';
import type { SamplingStrategy } from '../../../src/types.js';

describe('parseStrategy', () => {
  it.each([
    ['auto', 'auto'],
    [' all ', 'all'],
    ['minority', 'minority'],
    ['MAJORITY', 'majority'],
    ['not minority', 'not minority'],
    ['not-majority', 'not majority'],
    ['not_minority', 'not minority'],
    ['0.5', 0.5],
    ['.25', 0.25],
    ['1', 1],
    ['5e-1', 0.5],
    ['fraud=5000,ok=20000', { fraud: 5000, ok: 20000 }],
    ['not fraud = 10 , ok=3', { 'not fraud': 10, ok: 3 }],
    ['"a,b"=10,"say ""hi"""=20', { 'a,b': 10, 'say "hi"': 20 }],
    ['" padded "=1,"x=y"=2', { ' padded ': 1, 'x=y': 2 }],
    ['7=0', { '7': 0 }],
  ] as [string, SamplingStrategy][])('%j', (text, expected) => {
    expect(parseStrategy(text)).toEqual(expected);
  });
  it.each(['', '   ', '0', '1.5', '-0.5', 'abc', 'minority please', 'a=', '=5', 'a=1.5', 'a=-1', 'a=1e3', 'a=1,,b=2', 'a=1,', 'a=1,a=2', '"a=1', 'a"b=1', '"a"x=1', 'a=1=2', '"a"b"=1'])(
    'rejects %j with a usage error',
    (text) => {
      let thrown: unknown;
      try {
        parseStrategy(text);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as UsageError).code).toBe('REBALANCE_BAD_STRATEGY');
      expect((thrown as Error).message).toMatch(/expected auto, minority/);
    },
  );
  it('round-trips into resolveStrategy', () => {
    const plan = resolveStrategy(parseStrategy('"big class"=20'), [10, 50], 'under', ['small', 'big class']);
    expect([...plan.targets]).toEqual([[1, { from: 50, to: 20 }]]);
  });
});
