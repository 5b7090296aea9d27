import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { globMatch } from '../../src/utils/glob.js';

const asRegex = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');

describe('wildcard model names match without a regular expression', () => {
  it('agrees with the equivalent regular expression on arbitrary patterns and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '*', '?');
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '-'), maxLength: 12 }), (pattern, text) => {
        expect(globMatch(pattern, text)).toBe(asRegex(pattern).test(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers a long hostile name against a many-star pattern in linear-ish time, not by backtracking', () => {
    // A backtracking regex for this pattern takes tens of seconds on a 3 KB name.
    const name = `gpt-${'-'.repeat(3000)}x`;
    expect(globMatch('gpt-*-*-*-mini', name)).toBe(false);
    expect(globMatch('gpt-*-*-*-mini', 'gpt-4-o-x-mini')).toBe(true);
  });
});
