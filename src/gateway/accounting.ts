import type { RouteAttempt } from '../provider/chat.interface.js';

/** A model name a client chose may hold anything: a header takes printable ASCII, and not too much of it. */
const safe = (value: string) => value.replace(/[^\x20-\x7e]/g, '?').slice(0, 1000);

/**
 * The response headers that say who answered: `x-gleitzeit-extension` (the extension that answered, or
 * was answering when the headers went out) and `x-gleitzeit-attempts`, the attempts per route in the
 * order tried (`mock/mock-chat=3, openai/gpt-4o=1`; `skipped` counts a route whose breaker was open).
 */
export function accountingHeaders(attempts: readonly RouteAttempt[] | undefined, answering?: { extension: string; model: string }): Record<string, string> {
  // The usual answer: one attempt, which answered. No counting to do.
  const only = attempts?.length === 1 ? attempts[0] : undefined;
  if (only?.outcome === 'ok' && answering?.extension === only.extension && answering.model === only.model) {
    return { 'x-gleitzeit-extension': safe(only.extension), 'x-gleitzeit-attempts': safe(`${only.extension}/${only.model}=1`) };
  }
  const counts = new Map<string, number>();
  for (const attempt of attempts ?? []) {
    const key = `${attempt.extension}/${attempt.model}`;
    counts.set(key, (counts.get(key) ?? 0) + (attempt.outcome === 'skipped' ? 0 : 1));
  }
  if (answering) {
    // The attempt in progress is recorded only when it ends.
    const key = `${answering.extension}/${answering.model}`;
    const done = attempts?.some((a) => a.outcome === 'ok' && `${a.extension}/${a.model}` === key);
    if (!done) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const headers: Record<string, string> = {};
  if (answering) headers['x-gleitzeit-extension'] = safe(answering.extension);
  if (counts.size) headers['x-gleitzeit-attempts'] = safe([...counts].map(([route, n]) => `${route}=${n}`).join(', '));
  return headers;
}

/** The attempt that answered: the last one that succeeded. */
export function answered(attempts: readonly RouteAttempt[] | undefined): { extension: string; model: string } | undefined {
  const ok = attempts?.findLast((a) => a.outcome === 'ok');
  return ok && { extension: ok.extension, model: ok.model };
}
