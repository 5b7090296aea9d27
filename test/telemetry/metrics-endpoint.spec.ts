import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway, type Platform } from '../gateway/support.js';
import { MOCK_FAULTS_OFF } from '../resilience/support.js';

/*
 * Issue 14: the gateway app (AppModule, as `npm start` builds it) exposes its metrics at GET /metrics
 * in Prometheus' text format. Scraped and parsed here; unknown model names sent by clients do not add
 * series.
 */

/** Prometheus' text format: one entry per series line (`name{labels} value`), comments skipped. */
function parse(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not Prometheus' text format: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

describe.each<Platform>(['express', 'fastify'])('GET /metrics on %s', (platform) => {
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', ...MOCK_FAULTS_OFF }, platform);
  });
  afterAll(async () => gateway?.close());

  const scrape = async () => {
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return parse(await response.text());
  };

  it('shows a chat call: its duration, tokens, outcome, and the extension state', async () => {
    const answer = await gateway.client.chat.completions.create({ model: 'mock', messages: [{ role: 'user', content: 'count these four words' }] });
    const series = await scrape();
    const of = (name: string, labels: Record<string, string> = {}) => series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const model = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'mock-chat', gen_ai_provider_name: 'mock' };
    expect(of('gen_ai_client_operation_duration_count', model).map((s) => s.value)).toEqual([1]);
    expect(of('gen_ai_client_token_usage_sum', { ...model, gen_ai_token_type: 'output' }).map((s) => s.value)).toEqual([answer.usage!.completion_tokens]);
    expect(of('gleitzeit_requests_total', { ...model, outcome: 'ok' }).map((s) => s.value)).toEqual([1]);
    expect(of('gleitzeit_extension_state', { gleitzeit_extension: 'mock', gleitzeit_state: 'started' }).map((s) => s.value)).toEqual([1]);
    // The service is named as for traces (OTEL_SERVICE_NAME, default gleitzeit-gateway).
    expect(of('target_info').map((s) => s.labels.service_name)).toEqual(['gleitzeit-gateway']);
  });

  it('unknown model names from clients add no series', async () => {
    const ask = (model: string) => fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }) });
    expect((await ask('no-such-model-first')).status).toBe(404);
    const before = (await scrape()).length;
    for (let i = 0; i < 500; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => ask(`no-such-model-${i + j}-${Math.random()}`)));
    const after = await scrape();
    expect(after.length).toBe(before);
    expect(after.filter((s) => s.name === 'gleitzeit_requests_total' && s.labels.gen_ai_request_model === '_UNKNOWN').map((s) => s.value)).toEqual([501]);
  });
});
