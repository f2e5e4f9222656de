import { describe, expect, it } from 'vitest';
import { showValue } from '../../../src/core/errors.js';

describe('showValue', () => {
  it('escapes control characters so a one-line message still shows them', () => {
    expect(showValue('1\n')).toBe('1\\n');
    expect(showValue('a\r\tb')).toBe('a\\r\\tb');
    expect(showValue('x\u0000y\u007f')).toBe('x\\x00y\\x7f');
  });

  it('keeps ordinary text, and cuts long values to 40 characters', () => {
    expect(showValue('12.5 kg')).toBe('12.5 kg');
    const long = 'é'.repeat(60);
    expect(showValue(long)).toBe('é'.repeat(37) + '...');
  });
});
