import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import type { ExtensionIssue } from '../../errors/index.js';
import { RESERVED_KEYS } from '../../utils/own.js';

/** The documented size limits of a manifest; each is refused with an issue naming it. */
export const MANIFEST_LIMITS = {
  /** Bytes of an extension.yaml, checked before it is read (256 KiB). */
  fileBytes: 256 * 1024,
  /** YAML nodes: keys, values, list items and aliases. */
  nodes: 50_000,
  /** Levels of nested lists and mappings. */
  depth: 64,
  /** Alias nodes (*name). */
  aliases: 100,
  /** Characters of one string (a key or a value). */
  stringLength: 10_000,
  models: 10_000,
  configFields: 1_000,
} as const;

const LIMITS = MANIFEST_LIMITS;

type Positioned = { range?: [number, number, number] | null };

/**
 * Checks a parsed manifest's shape before anything expensive runs on it (toJS, validation): the node,
 * alias, depth and string limits, duplicate keys (checked here with a Set: YAML's own uniqueKeys check
 * is quadratic) and reserved keys. Walks without recursion and stops at the node or alias limit.
 */
export function checkDocument(doc: Document, lines: LineCounter): ExtensionIssue[] {
  const issues: ExtensionIssue[] = [];
  const where = (node: Positioned) => {
    const { line, col } = lines.linePos(node.range?.[0] ?? 0);
    return `line ${line}, column ${col}`;
  };
  let nodes = 0;
  let aliases = 0;
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: doc.contents, path: '', depth: 0 }];
  while (stack.length) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (++nodes > LIMITS.nodes) {
      issues.push({ field: '(file)', message: `has more than ${LIMITS.nodes} YAML nodes (keys, values and list items), the limit; shorten its lists` });
      break;
    }
    if (isAlias(node)) {
      if (++aliases > LIMITS.aliases) {
        issues.push({ field: '(file)', message: `has more than ${LIMITS.aliases} aliases (*name), the limit; write the values out` });
        break;
      }
      continue;
    }
    if (isScalar(node)) {
      if (typeof node.value === 'string' && node.value.length > LIMITS.stringLength) {
        issues.push({ field: path || where(node), message: `is a string of ${node.value.length} characters; the limit is ${LIMITS.stringLength}` });
      }
      continue;
    }
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= LIMITS.depth) {
      issues.push({ field: path || where(node), message: `nests deeper than ${LIMITS.depth} levels, the limit` });
      continue;
    }
    const children: { node: unknown; path: string; depth: number }[] = [];
    if (isSeq(node)) {
      node.items.forEach((item, index) => children.push({ node: item, path: `${path}[${index}]`, depth: depth + 1 }));
    } else {
      const seen = new Set<string>();
      for (const { key, value } of node.items) {
        if (!isScalar(key)) {
          children.push({ node: key, path: `${path} (key)`, depth: depth + 1 });
          children.push({ node: value, path, depth: depth + 1 });
          continue;
        }
        const name = String(key.value);
        if (name.length > LIMITS.stringLength) {
          issues.push({ field: where(key), message: `is a key of ${name.length} characters; the limit is ${LIMITS.stringLength}` });
          continue;
        }
        if (seen.has(name)) issues.push({ field: where(key), message: 'YAML syntax: Map keys must be unique' });
        seen.add(name);
        if (RESERVED_KEYS.has(name)) {
          issues.push({ field: name, message: `(line ${lines.linePos(key.range?.[0] ?? 0).line}) is a reserved key and not allowed in a manifest; remove it` });
        }
        nodes++;
        children.push({ node: value, path: path ? `${path}.${name}` : name, depth: depth + 1 });
      }
    }
    // Last pushed is walked first: reverse, so problems come in the order of the file.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return issues;
}
