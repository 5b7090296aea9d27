/** The chat message shape the shipped provider extensions accept. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
}

export interface ChatResponse {
  extension?: string;
  model: string;
  text: string;
}

/** What the demo app expects of an extension that serves chat models. */
export interface ChatProvider {
  chat(request: ChatRequest): Promise<ChatResponse>;
}
