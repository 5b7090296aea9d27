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

/**
 * The faults the server injects. Most are chosen by the last user message's text (the same word); the
 * `flaky-N` text and `failNext(n, fault)` pick any of them for a number of requests.
 * - `rate`: 429 rate_limit_exceeded with `retry-after: 2`; `rate-ms`: 429 with `retry-after-ms: 1500`.
 * - `long`: 400 context_length_exceeded; `auth`: 401 invalid_api_key that echoes the key it was sent.
 * - `403`: 403 model_not_allowed; `404`: 404 model_not_found.
 * - `500`: 500 server_error; `503`: 503 with `retry-after: 1`.
 * - `content-policy`: 400 with code content_policy_violation.
 * - `reset`: the socket is destroyed before any byte of a response.
 * - `hang`: no answer until the client closes the connection.
 * Streams only (a plain request with these texts is answered normally):
 * - `stall`: one chunk, then silence until the client closes the connection.
 * - `no-done`: every chunk and the finish reason, then the body ends: no usage chunk, no `data: [DONE]`.
 * - `malformed`: the whole stream, with one event whose data is not JSON right after the first chunk.
 * - `die`: the role chunk and two content chunks, then the socket is destroyed.
 */
export type Fault = 'rate' | 'rate-ms' | 'long' | 'auth' | '403' | '404' | '500' | '503' | 'content-policy' | 'reset' | 'hang' | 'stall' | 'no-done' | 'malformed' | 'die' | 'stream-error';

const STREAM_FAULTS = new Set<string>(['stall', 'no-done', 'malformed', 'die', 'stream-error']);

/** Answers a fault that comes before any response body; false when `fault` is none of those. */
function failBefore(fault: string, res: ServerResponse, key: string): boolean {
  if (fault === 'rate') fail(res, 429, { message: 'Rate limit reached for gpt-4o', type: 'requests', param: null, code: 'rate_limit_exceeded' }, { 'retry-after': '2' });
  else if (fault === 'rate-ms') fail(res, 429, { message: 'Slow down', type: 'requests', param: null, code: null }, { 'retry-after-ms': '1500', 'retry-after': '9' });
  else if (fault === 'long') fail(res, 400, { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
  else if (fault === 'auth') fail(res, 401, { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' });
  else if (fault === '403') fail(res, 403, { message: 'You are not allowed to use this model.', type: 'invalid_request_error', param: null, code: 'model_not_allowed' });
  else if (fault === '404') fail(res, 404, { message: 'The model does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' });
  else if (fault === '500') fail(res, 500, { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null });
  else if (fault === '503') fail(res, 503, { message: 'The server is overloaded or not ready yet.', type: 'server_error', param: null, code: null }, { 'retry-after': '1' });
  else if (fault === 'content-policy') {
    fail(res, 400, { message: 'Your request was rejected as a result of our safety system.', type: 'invalid_request_error', param: null, code: 'content_policy_violation' });
  } else if (fault === 'reset') res.socket?.destroy();
  else if (fault === 'hang') return true;
  else return false;
  return true;
}

function lastText(body: Record<string, any>): string {
  const content = body.messages?.filter((m: any) => m.role === 'user').at(-1)?.content;
  return typeof content === 'string' ? content : (content?.find((p: any) => p.type === 'text')?.text ?? '');
}

function chat(body: Record<string, any>, res: ServerResponse, fault: string) {
  const tools = Boolean(body.tools?.length);
  const base = { id: 'chatcmpl-1', created: 1, model: `${body.model}-2024-08-06`, system_fingerprint: 'fp_1' };
  if (!body.stream) {
    const message = tools ? { role: 'assistant', content: null, tool_calls: [weatherCall], refusal: null } : { role: 'assistant', content: `openai says ${lastText(body)}`, refusal: null };
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: tools ? 'tool_calls' : 'stop', logprobs: null }], usage }));
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (fault === 'stall') {
    // One chunk, then silence: the connection stays open until the client closes it.
    return void res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'wait' }, finish_reason: null }] })}\n\n`);
  }
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) => res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`);
  const delta = (d: Record<string, unknown>, finish: string | null = null) => send([{ index: 0, delta: d, finish_reason: finish }]);
  if (fault === 'die') {
    // Two content chunks, then the connection drops: no finish reason, no [DONE], no clean end of the body.
    delta({ role: 'assistant', content: '' });
    delta({ content: 'openai' });
    return void res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: ' says' }, finish_reason: null }] })}\n\n`, () => res.socket?.destroy());
  }
  if (fault === 'stream-error') {
    // One chunk, then an error event inside the stream that echoes the key it got, as some servers do.
    delta({ role: 'assistant', content: 'partial' });
    return void res.end(`data: ${JSON.stringify({ error: { message: `upstream failed for Bearer ${KEY}`, type: 'server_error', param: null, code: null } })}\n\n`);
  }
  if (tools) {
    delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] });
    for (const piece of ['{"ci', 'ty":"Ber', 'lin"}']) delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
    delta({}, 'tool_calls');
  } else {
    delta({ role: 'assistant', content: '' });
    if (fault === 'malformed') res.write('data: {"id":"chatcmpl-1","choices":[{"delta":{"content":" broken\n\n');
    for (const word of ['openai', ' says', ` ${lastText(body)}`]) delta({ content: word });
    delta({}, 'stop');
  }
  // A server that closes the stream after the finish reason, without usage and without [DONE].
  if (fault === 'no-done') return void res.end();
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

/** Per server: faults queued by failNext, and how many requests each `flaky-N` text has failed. */
interface FaultState {
  queued: string[];
  flaky: Map<string, number>;
}

/** The fault for this chat request: a queued one first, then `flaky-N` (503 for its first N requests), then the text itself. */
function faultFor(text: string, state: FaultState): string {
  const queued = state.queued.shift();
  if (queued !== undefined) return queued;
  const flaky = /^flaky-(\d+)$/.exec(text);
  if (flaky) {
    const failed = state.flaky.get(text) ?? 0;
    if (failed >= Number(flaky[1])) return '';
    state.flaky.set(text, failed + 1);
    return '503';
  }
  return text;
}

function answer(seen: Seen, res: ServerResponse, options: OpenAiServerOptions, state: FaultState) {
  const { url, body } = seen;
  if (url === '/v1/models') return listModels(seen, res, options);
  if (url === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    res.writeHead(200, { 'content-type': 'application/json' });
    const data = inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [index, 0.5, -0.25] }));
    return res.end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 4, total_tokens: 4 } }));
  }
  if (url === '/v1/chat/completions') {
    const fault = faultFor(lastText(body), state);
    if (failBefore(fault, res, bearer(seen))) return;
    return chat(body, res, STREAM_FAULTS.has(fault) ? fault : '');
  }
  fail(res, 404, { message: `unknown route ${url}`, type: 'invalid_request_error' });
}

/** The running fake: its URL, what it was sent, and the faults to inject into the next requests. */
export interface OpenAiServer {
  server: Server;
  baseUrl: string;
  seen: Seen[];
  /** The next `n` chat requests fail with `fault` (whatever their text); later ones are answered by their text. */
  failNext: (n: number, fault: Fault) => void;
  close: () => Promise<void>;
}

/** A local server that speaks OpenAI's wire format (JSON, and SSE when `stream: true`), recording every request. */
export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  const seen: Seen[] = [];
  const state: FaultState = { queued: [], flaky: new Map() };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const entry: Seen = { url: req.url!, headers: req.headers, body: raw ? JSON.parse(raw) : {} };
      seen.push(entry);
      res.on('close', () => void (entry.closedEarly = !res.writableFinished));
      answer(entry, res, options, state);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const failNext = (n: number, fault: Fault) => void state.queued.push(...Array.from({ length: n }, () => fault));
  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return { server, baseUrl, seen, failNext, close };
}
