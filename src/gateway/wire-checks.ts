/*
 * Checks for the request fields that take more than one shape (text or parts, a string or a list),
 * which class-validator's decorators cannot express. Each says what is wrong, or returns undefined.
 */

const DETAILS = new Set(['auto', 'low', 'high']);

function partProblem(part: unknown, index: number): string | undefined {
  const at = `part ${index}`;
  if (part === null || typeof part !== 'object') return `${at} must be an object`;
  const { type, text, image_url } = part as Record<string, unknown>;
  if (type === 'text') return typeof text === 'string' ? undefined : `${at} is a text part and needs "text" (a string)`;
  if (type === 'image_url') {
    const image = image_url as Record<string, unknown> | null;
    if (image === null || typeof image !== 'object' || typeof image.url !== 'string') return `${at} is an image part and needs "image_url": { "url": "https://... or data:..." }`;
    if (image.detail !== undefined && !DETAILS.has(image.detail as string)) return `${at} has an image detail that is not auto, low or high`;
    return undefined;
  }
  return `${at} has type ${JSON.stringify(String(type)).slice(0, 40)}; the gateway takes "text" and "image_url" parts`;
}

/** A message's content: text, or a list of text and image parts; null or absent only on an assistant message with tool calls. */
export function contentProblem(content: unknown, message: object): string | undefined {
  const { role, tool_calls } = message as { role?: unknown; tool_calls?: unknown };
  if (content === null || content === undefined) {
    return role === 'assistant' && Array.isArray(tool_calls) && tool_calls.length ? undefined : 'is required (null only on an assistant message with tool_calls)';
  }
  if (typeof content === 'string') return undefined;
  if (!Array.isArray(content)) return 'must be a string or an array of content parts';
  if (content.length > 1000) return 'has more than 1000 parts';
  for (const [index, part] of content.entries()) {
    const problem = partProblem(part, index);
    if (problem) return problem;
  }
  return undefined;
}

export function toolChoiceProblem(choice: unknown): string | undefined {
  if (choice === 'none' || choice === 'auto' || choice === 'required') return undefined;
  const named = choice as { type?: unknown; function?: { name?: unknown } } | null;
  if (named && typeof named === 'object' && named.type === 'function' && typeof named.function?.name === 'string') return undefined;
  return 'must be "none", "auto", "required" or { "type": "function", "function": { "name": "..." } }';
}

export function stopProblem(stop: unknown): string | undefined {
  if (typeof stop === 'string') return undefined;
  if (Array.isArray(stop) && stop.length <= 4 && stop.every((s) => typeof s === 'string')) return undefined;
  return 'must be a string or an array of at most 4 strings';
}
