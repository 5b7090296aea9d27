import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake OpenAI server was sent, and whether the client left before it answered. */
export interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
  closedEarly?: boolean;
}

export const KEY = 'sk-test-0123456789abcdef';

const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
const weatherCall = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } };

function fail(res: ServerResponse, status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error }));
}

/** Errors and hangs, chosen by the last user message's text; `auth` echoes the key it was sent, as OpenAI does. */
function fault(text: string, res: ServerResponse, key: string): boolean {
  if (text === 'rate') fail(res, 429, { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' }, { 'retry-after': '2' });
  else if (text === 'rate-ms') fail(res, 429, { message: 'Slow down', type: 'requests', param: null, code: null }, { 'retry-after-ms': '1500', 'retry-after': '9' });
  else if (text === 'long') fail(res, 400, { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
  else if (text === 'auth') fail(res, 401, { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
  else if (text === 'hang') return true;
  else return false;
  return true;
}

function lastText(body: Record<string, any>): string {
  const content = body.messages?.filter((m: any) => m.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : (content?.find((p: any) => p.type === 'text')?.text ?? '');
}

function chat(body: Record<string, any>, res: ServerResponse) {
  const tools = Boolean(body.tools?.length);
  const base = { id: 'chatcmpl-1', created: 1, model: `${body.model}-2024-08-06`, system_fingerprint: 'fp_1' };
  if (!body.stream) {
    const message = tools ? { role: 'assistant', content: null, tool_calls: [weatherCall], refusal: null } : { role: 'assistant', content: `openai says ${lastText(body)}`, refusal: null };
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop', logprobs: null }], usage }));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (lastText(body) === 'stall') {
    // One chunk, then silence: the connection stays open until the client closes it.
    return void res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'wait' }, finish_reason: null }] })}\n\n`);
  }
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) => res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
  const delta = (d: Record<string, unknown>, finish: string | null = null) => send([{ index: 0, delta: d, finish_reason: finish }]);
  if (tools) {
    delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    for (const piece of ['{"ci', 'ty":"Ber', 'lin"}']) delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    delta({}, 'tool_calls');
  } else {
    delta({ role: 'assistant', content: '' });
    for (const word of ['openai', ' says', ` ${lastText(body)}`]) delta({ content: word });
    delta({}, 'stop');
  }
  if (body.stream_options?.include_usage) send([], { usage });
  res.end('data: [DONE]\n\n');
}

const bearer = (seen: Seen) => String(seen.headers.authorization ?? '').replace(/^Bearer /, '');

/** How the fake answers `GET /models`. */
export interface OpenAiServerOptions {
  /** The ids it lists; default `gpt-4o`. */
  models?: string[];
  /** `'401'`: an invalid_api_key error that echoes the key it got; `'hang'`: no answer. */
  modelsFault?: '401' | 'hang';
}

function listModels(seen: Seen, res: ServerResponse, { models = ['gpt-4o'], modelsFault }: OpenAiServerOptions) {
  if (modelsFault === 'hang') return;
  if (modelsFault === '401') {
    return fail(res, 401, { message: `Incorrect API key provided: ${bearer(seen)}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1, owned_by: 'someone' })) }));
}

function answer(seen: Seen, res: ServerResponse, options: OpenAiServerOptions) {
  const { url, body } = seen;
  if (url === '/v1/models') return listModels(seen, res, options);
  if (url === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    res.writeHead(200, { 'content-type': 'application/json' });
    const data = inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [index, 0.5, -0.25] }));
    return res.end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 4, total_tokens: 4 } }));
  }
  if (url === '/v1/chat/completions') {
    if (fault(lastText(body), res, bearer(seen))) return;
    return chat(body, res);
  }
  fail(res, 404, { message: `unknown route ${url}`, type: 'invalid_request_error' });
}

/** A local server that speaks OpenAI's wire format (JSON, and SSE when `stream: true`), recording every request. */
export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<{ server: Server; baseUrl: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const entry: Seen = { url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : {} };
      seen.push(entry);
      res.on('close', () => void (entry.closedEarly = !res.writableFinished));
      answer(entry, res, options);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return { server, baseUrl, seen, close };
}
