import semver from 'semver';
import type { PackageRequirement } from './definition.interface.js';

const NAME = /^((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*)(.*)$/i;

/**
 * Parses an npm specifier (`pkg`, `pkg@^1.2`, `@scope/pkg@~2`) or a pip-style one (`pkg>=1.2`,
 * `pkg>=1,<2`, `pkg==1.2`, `pkg~=1.4`). Returns undefined when the name or the range is not valid.
 */
export function parsePackageSpec(spec: string): PackageRequirement | undefined {
  const match = NAME.exec(spec.trim());
  if (!match) return undefined;
  const [, name, rest] = match;
  let range = rest.trim();
  if (range.startsWith('@')) {
    range = range.slice(1).trim();
  } else if (range !== '' && !/^[<>=~^]/.test(range)) {
    return undefined;
  } else {
    // pip spellings: `==1.2` is `=1.2`, `~=1.4` is `~1.4`, commas separate comparators.
    range = range.replace(/^==/, '=').replace(/^~=/, '~').replace(/\s*,\s*/g, ' ');
  }
  if (range === '') range = '*';
  if (semver.validRange(range) === null) return undefined;
  return { spec, name, range };
}
