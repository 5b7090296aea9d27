import type { OpenAI as OpenAIClient } from 'openai';
import { MAX_RUNTIME_MODELS, type RuntimeModel } from '../../src/index.js';

/**
 * Capabilities of a model named in `models` (or read from the server with `listModels`) when the entry
 * does not give its own: chat with tools. Current OpenAI-compatible servers (Ollama, vLLM, LM Studio)
 * accept `tools` and answer a model that cannot use them with a 400 of their own; claiming less would
 * make the router refuse tool calls that work. Vision, JSON mode or embeddings: give them per model.
 */
export const CONFIGURED_CAPABILITIES = ['text', 'function_calling'];

/** One `models` entry as written: a name, or an object with a name and its facts (a JSON list). */
export type ConfiguredModel = string | RuntimeModel;

/**
 * The `models` config as runtime models: a list (`OPENAI_MODELS=llama3.1,qwen2.5`, or a JSON list of
 * names and `{ name, capabilities, maxTokens, ... }` objects), or one comma-separated string (when a
 * subclass redeclares the field as a plain string). Empty names (a trailing comma) are skipped; every
 * other entry goes to the manager, which checks it.
 */
export function configuredModels(models: unknown): RuntimeModel[] {
  const entries: unknown[] = typeof models === 'string' ? models.split(',').map((name) => name.trim()) : Array.isArray(models) ? models : [];
  return entries
    .filter((entry) => entry !== '')
    .map((entry) =>
      typeof entry === 'string'
        ? { name: entry, capabilities: CONFIGURED_CAPABILITIES }
        : ({ capabilities: CONFIGURED_CAPABILITIES, ...(entry as RuntimeModel) } as RuntimeModel),
    );
}

/** The server's own model ids (GET /models, through the SDK, with the signal), at most MAX_RUNTIME_MODELS. */
export async function serverModels(client: OpenAIClient, signal: AbortSignal): Promise<RuntimeModel[]> {
  const models: RuntimeModel[] = [];
  for await (const model of client.models.list({ signal })) {
    if (models.length >= MAX_RUNTIME_MODELS) break;
    models.push({ name: model.id, capabilities: CONFIGURED_CAPABILITIES });
  }
  return models;
}
