import type { FinishReason, ToolCall, Usage } from '../provider/chat.interface.js';

/** The chat message shape of the demo's older convention (used by echo). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
}

/**
 * What POST /chat answers. `text` is always there; an extension that implements the provider contract
 * (mock, openai, claude) adds its finish reason, usage and tool calls.
 */
export interface ChatResponse {
  extension?: string;
  model: string;
  text: string;
  finishReason?: FinishReason;
  toolCalls?: ToolCall[];
  usage?: Usage;
}

/** The demo's older convention (echo): `chat({ model, messages })` answers `{ model, text }`. */
export interface ChatProvider {
  chat(request: ChatRequest): Promise<ChatResponse>;
}
