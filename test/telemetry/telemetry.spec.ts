import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Histogram } from '@opentelemetry/sdk-metrics';
import type { ExtensionManager } from '../../src/index.js';
import { ask, collect } from '../support/mock.js';
import { memoryTelemetry, points, telemetryManager, type MemoryTelemetry } from './support.js';

/*
 * Issue 14: traces and metrics of routed calls, read from an in-memory OpenTelemetry SDK handed to the
 * manager through `telemetry` (nothing registered globally). Exact spans, attributes and points for a
 * plain call, a streamed one, a retried one, a fallback and a breaker that opens.
 */

let telemetry: MemoryTelemetry;
let manager: ExtensionManager | undefined;
beforeEach(() => {
  telemetry = memoryTelemetry();
});
afterEach(async () => {
  await manager?.stopAllExtensions();
  manager = undefined;
  await telemetry.shutdown();
});

const callSpans = () => telemetry.spans().filter((span) => span.attributes['gen_ai.operation.name'] && span.attributes['gleitzeit.attempt'] === undefined);
const attemptSpans = () => telemetry.spans().filter((span) => span.attributes['gleitzeit.attempt'] !== undefined);
const histogram = (point: { value: unknown }) => point.value as Histogram;

describe('a plain call', () => {
  it('is one CLIENT span named by the GenAI conventions, with one attempt span under it, and its metric points', async () => {
    manager = await telemetryManager(telemetry, { resilience: { retries: 0 } }, { mock: {} });
    const answer = await manager.modelRouter.chat(ask('one two three'));
    const [call] = callSpans();
    expect(callSpans()).toHaveLength(1);
    expect(call.name).toBe('chat mock-chat');
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'mock',
      'gleitzeit.stream': false,
      'gleitzeit.match': 'alias',
      'gen_ai.provider.name': 'mock',
      'gleitzeit.extension': 'mock',
      'gleitzeit.attempts': 1,
      'gleitzeit.fallback': false,
      'gen_ai.response.model': answer.model,
      'gen_ai.response.id': answer.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': answer.usage!.promptTokens,
      'gen_ai.usage.output_tokens': answer.usage!.completionTokens,
    });
    const [attempt] = attemptSpans();
    expect(attempt.name).toBe('chat mock-chat');
    expect(attempt.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempt.attributes).toMatchObject({ 'gen_ai.provider.name': 'mock', 'gleitzeit.attempt': 1, 'gleitzeit.attempt.outcome': 'ok', 'gleitzeit.breaker.state': 'closed' });
    // Content is not recorded unless asked for.
    expect(JSON.stringify(telemetry.spans().map((s) => s.attributes))).not.toContain('one two three');

    const metrics = await telemetry.metrics();
    const labels = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'mock-chat', 'gen_ai.provider.name': 'mock' };
    const [duration] = points(metrics.get('gen_ai.client.operation.duration'), labels);
    expect(duration.attributes).toEqual({ ...labels, 'gen_ai.response.model': answer.model });
    expect(histogram(duration).count).toBe(1);
    expect(metrics.get('gen_ai.client.operation.duration')!.descriptor.unit).toBe('s');
    const tokens = points(metrics.get('gen_ai.client.token.usage'), labels);
    expect(tokens.map((p) => [p.attributes['gen_ai.token.type'], histogram(p).sum])).toEqual([
      ['input', answer.usage!.promptTokens],
      ['output', answer.usage!.completionTokens],
    ]);
    expect(points(metrics.get('gleitzeit.requests')).map((p) => [p.attributes.outcome, p.value])).toEqual([['ok', 1]]);
    expect(points(metrics.get('gen_ai.client.operation.time_to_first_chunk'))).toEqual([]);
    expect(points(metrics.get('gleitzeit.retries'))).toEqual([]);
  });

  it('records prompt and answer only with recordContent', async () => {
    manager = await telemetryManager(telemetry, { telemetry: { recordContent: true } }, { mock: {} });
    await manager.modelRouter.chat(ask('say this back'));
    const [call] = callSpans();
    expect(JSON.parse(call.attributes['gen_ai.input.messages'] as string)).toEqual([{ role: 'user', content: 'say this back' }]);
    expect(JSON.parse(call.attributes['gen_ai.output.messages'] as string)).toEqual([{ role: 'assistant', content: 'say this back' }]);
  });
});

describe('a streamed call', () => {
  it('has the same span with gleitzeit.stream, its usage, and a time to first chunk', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: {} });
    const chunks = await collect(manager.modelRouter.chatStream(ask('a b c d')));
    const usage = chunks.find((c) => c.usage)!.usage!;
    const [call] = callSpans();
    expect(call.attributes).toMatchObject({ 'gleitzeit.stream': true, 'gen_ai.provider.name': 'mock', 'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.usage.output_tokens': usage.completionTokens });
    expect(attemptSpans()).toHaveLength(1);
    const metrics = await telemetry.metrics();
    const [first] = points(metrics.get('gen_ai.client.operation.time_to_first_chunk'), { 'gen_ai.request.model': 'mock-chat' });
    expect(histogram(first).count).toBe(1);
    expect(histogram(first).sum!).toBeLessThan(histogram(points(metrics.get('gen_ai.client.operation.duration'))[0]).sum!);
  });

  it('a consumer that leaves early is a cancelled call, not an error', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: { tokenDelayMs: 5 } });
    for await (const chunk of manager.modelRouter.chatStream(ask('a b c d e f'))) if (chunk.delta?.content) break;
    const [call] = callSpans();
    expect(call.attributes['gleitzeit.cancelled']).toBe(true);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(points((await telemetry.metrics()).get('gleitzeit.requests')).map((p) => p.attributes.outcome)).toEqual(['cancelled']);
  });
});

describe('a caller that aborts (a client that left the gateway)', () => {
  it('is a cancelled call, plain or streamed, not a provider error', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: { latencyMs: 60, tokenDelayMs: 20 } });
    const streamed = new AbortController();
    const stream = manager.modelRouter.chatStream(ask('a b c d e f g h'), { signal: streamed.signal });
    await expect(
      (async () => {
        for await (const chunk of stream) if (chunk.delta?.content) streamed.abort(new Error('the client closed the connection'));
      })(),
    ).rejects.toThrow();
    const plain = new AbortController();
    const answer = manager.modelRouter.chat(ask('a b c d e f g h'), { signal: plain.signal });
    setTimeout(() => plain.abort(new Error('the client closed the connection')), 30);
    await expect(answer).rejects.toThrow();
    expect(callSpans().map((s) => [s.attributes['gleitzeit.cancelled'], s.status.code])).toEqual([
      [true, SpanStatusCode.UNSET],
      [true, SpanStatusCode.UNSET],
    ]);
    expect(points((await telemetry.metrics()).get('gleitzeit.requests')).map((p) => [p.attributes.outcome, p.value])).toEqual([['cancelled', 2]]);
  });
});

describe('a retried call', () => {
  it('shows each attempt as a child span, the failed one with its status, and counts the retry', async () => {
    manager = await telemetryManager(telemetry, { resilience: { retries: 2, backoffMs: 5, breaker: false } }, { mock: { failFirst: 1, failStatus: 503 } });
    await manager.modelRouter.chat(ask('again'));
    const attempts = attemptSpans().sort((a, b) => (a.attributes['gleitzeit.attempt'] as number) - (b.attributes['gleitzeit.attempt'] as number));
    expect(attempts.map((s) => [s.attributes['gleitzeit.attempt'], s.attributes['gleitzeit.attempt.outcome'], s.attributes['http.response.status_code'], s.attributes['error.type'], s.status.code])).toEqual([
      [1, 'transient', 503, 'transient', SpanStatusCode.ERROR],
      [2, 'ok', undefined, undefined, SpanStatusCode.UNSET],
    ]);
    const [call] = callSpans();
    expect(call.attributes['gleitzeit.attempts']).toBe(2);
    expect(attempts.every((s) => s.parentSpanContext?.spanId === call.spanContext().spanId)).toBe(true);
    // The second attempt began after the first ended.
    const end = (s: (typeof attempts)[number]) => s.endTime[0] * 1e3 + s.endTime[1] / 1e6;
    const start = (s: (typeof attempts)[number]) => s.startTime[0] * 1e3 + s.startTime[1] / 1e6;
    expect(start(attempts[1])).toBeGreaterThanOrEqual(end(attempts[0]) - 1);
    const metrics = await telemetry.metrics();
    expect(points(metrics.get('gleitzeit.retries')).map((p) => [p.attributes['gen_ai.request.model'], p.value])).toEqual([['mock-chat', 1]]);
    expect(points(metrics.get('gleitzeit.requests')).map((p) => p.attributes.outcome)).toEqual(['ok']);
  });
});

describe('a fallback', () => {
  it('answered by the second route: the call span says so, and gleitzeit.fallbacks counts it', async () => {
    manager = await telemetryManager(telemetry, { resilience: { retries: 0, breaker: false } }, { mock: { failRate: 1 }, backup: {} });
    const answer = await manager.modelRouter.chat(ask('fall back', { model: 'mock-chat' }));
    expect(answer.extension).toBe('backup');
    const [call] = callSpans();
    expect(call.attributes).toMatchObject({ 'gen_ai.provider.name': 'backup', 'gleitzeit.fallback': true, 'gleitzeit.attempts': 2 });
    expect(attemptSpans().map((s) => s.attributes['gen_ai.provider.name']).sort()).toEqual(['backup', 'mock']);
    const metrics = await telemetry.metrics();
    expect(points(metrics.get('gleitzeit.fallbacks')).map((p) => [p.attributes['gen_ai.provider.name'], p.value])).toEqual([['backup', 1]]);
    expect(points(metrics.get('gleitzeit.requests')).map((p) => [p.attributes['gen_ai.provider.name'], p.attributes.outcome])).toEqual([['backup', 'ok']]);
  });
});

describe('a breaker that opens', () => {
  it('counts the transition, shows in the breaker gauge and on the next attempt span, and a failed call has error.type', async () => {
    manager = await telemetryManager(telemetry, { resilience: { retries: 0, breaker: { failures: 1, coolDownMs: 60_000 } } }, { mock: { failRate: 1, failStatus: 503 } });
    // The manager runs outside Nest and logs the transition through Nest's Logger: collected and asserted.
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      await expect(manager.modelRouter.chat(ask('x'))).rejects.toThrow();
      await expect(manager.modelRouter.chat(ask('y'))).rejects.toThrow();
    } finally {
      warn.mockRestore();
    }
    expect(warnings).toEqual([expect.stringContaining('Circuit breaker mock:mock-chat: closed -> open')]);
    const metrics = await telemetry.metrics();
    expect(points(metrics.get('gleitzeit.breaker.transitions')).map((p) => [p.attributes['gleitzeit.route'], p.attributes['gleitzeit.breaker.state'], p.value])).toEqual([['mock:mock-chat', 'open', 1]]);
    expect(points(metrics.get('gleitzeit.breaker.state')).map((p) => [p.attributes['gleitzeit.route'], p.value])).toEqual([['mock:mock-chat', 2]]);
    const calls = callSpans();
    expect(calls.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
      [SpanStatusCode.ERROR, 'service_unavailable'],
      [SpanStatusCode.ERROR, 'circuit_open'],
    ]);
    const skipped = attemptSpans().find((s) => s.attributes['gleitzeit.attempt.outcome'] === 'skipped');
    expect(skipped?.attributes['gleitzeit.breaker.state']).toBe('open');
    const outcomes = points(metrics.get('gleitzeit.requests')).map((p) => p.attributes.outcome).sort();
    expect(outcomes).toEqual(['circuit_open', 'service_unavailable']);
  });
});

describe('labels stay bounded and the gauges read the manager', () => {
  it('10,000 unknown model names make one series, and failed calls count under _UNKNOWN', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: {} });
    for (let i = 0; i < 10_000; i++) await manager.modelRouter.chat(ask('x', { model: `no-such-model-${i}` })).catch(() => undefined);
    const metrics = await telemetry.metrics();
    const requests = points(metrics.get('gleitzeit.requests'));
    expect(requests).toHaveLength(1);
    expect(requests[0].attributes).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': '_UNKNOWN', outcome: 'EXT_ERR_MODEL_NOT_FOUND' });
    expect(requests[0].value).toBe(10_000);
    expect(points(metrics.get('gen_ai.client.operation.duration'))).toHaveLength(1);
  });

  it('counts every call in gleitzeit.requests when one model answers under several response models', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: {} });
    const mock = manager.getInstance<{ chat: (request: unknown, options: unknown) => Promise<{ model: string }> }>('mock')!;
    const original = mock.chat.bind(mock);
    let answering = 'mock-chat-2024';
    mock.chat = async (request, options) => ({ ...(await original(request, options)), model: answering });
    for (let i = 0; i < 10; i++) await manager.modelRouter.chat(ask('x'));
    answering = 'mock-chat-2025';
    await manager.modelRouter.chat(ask('x'));
    const metrics = await telemetry.metrics();
    expect(points(metrics.get('gleitzeit.requests')).map((p) => [p.attributes.outcome, p.value])).toEqual([['ok', 11]]);
    const durations = points(metrics.get('gen_ai.client.operation.duration')).map((p) => [p.attributes['gen_ai.response.model'], histogram(p).count]);
    expect(durations.sort()).toEqual([
      ['mock-chat-2024', 10],
      ['mock-chat-2025', 1],
    ]);
  });

  it('extension state and last health as gauges', async () => {
    manager = await telemetryManager(telemetry, {}, { mock: {} });
    await manager.checkHealth('mock');
    const metrics = await telemetry.metrics();
    expect(points(metrics.get('gleitzeit.extension.state'), { 'gleitzeit.extension': 'mock' }).map((p) => [p.attributes['gleitzeit.state'], p.value])).toEqual([['started', 1]]);
    expect(points(metrics.get('gleitzeit.extension.healthy')).map((p) => [p.attributes['gleitzeit.extension'], p.value])).toEqual([['mock', 1]]);
  });

  it('telemetry: { enabled: false } records nothing', async () => {
    manager = await telemetryManager(telemetry, { telemetry: { enabled: false } }, { mock: {} });
    await manager.modelRouter.chat(ask('quiet'));
    expect(telemetry.spans()).toEqual([]);
    expect([...(await telemetry.metrics()).keys()]).toEqual([]);
  });
});

describe('lifecycle phases and the boot', () => {
  it('setup, start and stop of each extension are spans, and the boot is one', async () => {
    const { Test } = await import('@nestjs/testing');
    const { ExtensionsModule, SHIPPED_EXTENSIONS } = await import('../../src/index.js');
    const moduleRef = await Test.createTestingModule({
      imports: [ExtensionsModule.forRoot({ searchPaths: [SHIPPED_EXTENSIONS], extensions: ['mock', 'openai'], healthPath: false, introspectionPath: false, extensionOptions: { openai: { onBootFailure: 'continue' } }, extensionConfigs: { openai: { apiKey: '' } }, telemetry: { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider } })],
    })
      .setLogger(false as never)
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const names = telemetry.spans().map((s) => [s.name, s.attributes['gleitzeit.extension']]);
      expect(names).toEqual(expect.arrayContaining([['gleitzeit.extension.start', 'mock'], ['gleitzeit.boot', undefined]]));
      const boot = telemetry.spans().find((s) => s.name === 'gleitzeit.boot')!;
      expect(boot.attributes['gleitzeit.extensions']).toBe(2);
      expect(boot.status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await app.close();
    }
    expect(telemetry.spans().map((s) => [s.name, s.attributes['gleitzeit.extension']])).toEqual(expect.arrayContaining([['gleitzeit.extension.stop', 'mock']]));
  });
});
