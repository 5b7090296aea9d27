/** Levenshtein distance, small and allocation-light: names here are short. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = a[i - 1] === b[j - 1] ? previous : 1 + Math.min(previous, row[j - 1], row[j]);
      previous = current;
    }
  }
  return row[b.length];
}

const MAX_INPUT = 200;

/** The candidates close to `input` (by edit distance or containment), closest first. */
export function closeMatches(input: string, candidates: Iterable<string>, max = 3): string[] {
  // Suggestions are for typos; a long input is not one, and would cost a quadratic comparison each.
  if (input.length > MAX_INPUT) return [];
  const needle = input.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const hay = name.toLowerCase();
    const limit = Math.max(2, Math.floor(Math.max(needle.length, hay.length) / 3));
    const contains = needle.length >= 3 && (hay.includes(needle) || needle.includes(hay));
    // The distance is at least the difference in length: skip what cannot be close.
    if (!contains && Math.abs(needle.length - hay.length) > limit) continue;
    const distance = editDistance(needle, hay);
    if (distance <= limit || contains) scored.push({ name, score: distance });
  }
  return scored.sort((x, y) => x.score - y.score || x.name.localeCompare(y.name)).slice(0, max).map((s) => s.name);
}

/** ` Did you mean "a" or "b"?` or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const matches = closeMatches(input, candidates);
  return matches.length ? ` Did you mean ${matches.map((m) => `"${m}"`).join(' or ')}?` : '';
}
