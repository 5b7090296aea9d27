import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';

/*
 * docs/extensions.md shows the wire-chat example and its test as they are in test/fixtures/guide,
 * where test/cli/new.spec.ts validates, tests and compiles them in an app outside the repository.
 */

const guide = readFileSync('docs/extensions.md', 'utf8');

/** The code block that starts with the comment `// <path>`. */
function block(path: string): string | undefined {
  const start = guide.indexOf(`\`\`\`ts\n// ${path}\n`);
  if (start < 0) return undefined;
  const body = guide.indexOf('\n', guide.indexOf('\n', start) + 1) + 1;
  return guide.slice(body, guide.indexOf('```', body));
}

describe('the guide', () => {
  it.each([
    ['extensions/wire-chat/index.ts', 'test/fixtures/guide/wire-chat/index.ts'],
    ['extensions/wire-chat/wire-chat.spec.ts', 'test/fixtures/guide/wire-chat/wire-chat.spec.ts'],
  ])('shows %s as the tested fixture has it', (path, fixture) => {
    expect(block(path)).toBe(readFileSync(fixture, 'utf8'));
  });
});
