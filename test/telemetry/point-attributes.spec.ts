import { PointAttributeSets } from '../../src/telemetry/point-attributes.js';

describe('PointAttributeSets: the attributes of a call\'s metric points, by label combination', () => {
  it('builds each combination once: calls with the same labels share frozen sets, with the GenAI attributes each point needs', () => {
    const sets = new PointAttributeSets();
    const ok = sets.of('chat', 'mock-chat', 'mock', 'mock-chat', undefined);
    expect(sets.of('chat', 'mock-chat', 'mock', 'mock-chat', undefined)).toBe(ok);
    expect(Object.isFrozen(ok) && Object.isFrozen(ok.duration) && Object.isFrozen(ok.input)).toBe(true);
    const base = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'mock-chat', 'gen_ai.provider.name': 'mock' };
    expect(ok.base).toEqual(base);
    expect(ok.duration).toEqual({ ...base, 'gen_ai.response.model': 'mock-chat' });
    expect(ok.requests).toEqual({ ...base, outcome: 'ok' });
    expect(ok.input).toEqual({ ...base, 'gen_ai.response.model': 'mock-chat', 'gen_ai.token.type': 'input' });
    expect(ok.output).toEqual({ ...base, 'gen_ai.response.model': 'mock-chat', 'gen_ai.token.type': 'output' });

    // Another outcome, no provider, no response model: its own sets, and the error only where it belongs.
    const failed = sets.of('chat', '_UNKNOWN', undefined, undefined, 'EXT_ERR_NOT_FOUND');
    expect(failed.duration).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': '_UNKNOWN', 'error.type': 'EXT_ERR_NOT_FOUND' });
    expect(failed.requests).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': '_UNKNOWN', outcome: 'EXT_ERR_NOT_FOUND' });
    expect(failed.timed).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': '_UNKNOWN' });
  });

  it('counts calls per outcome set, and past 2000 combinations keeps the attributes right but counts the rest in one overflow series', () => {
    const sets = new PointAttributeSets();
    for (let i = 0; i < 3; i++) sets.count(sets.of('chat', 'm', 'e', undefined, undefined));
    for (let i = 0; i < 2100; i++) sets.count(sets.of('chat', `model-${i}`, 'e', undefined, 'E'));
    expect(sets.counted.get(sets.of('chat', 'm', 'e', undefined, undefined).requests)).toBe(3);
    const late = sets.of('chat', 'model-2099', 'e', undefined, 'E');
    expect(late.duration).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'model-2099', 'gen_ai.provider.name': 'e', 'error.type': 'E' });
    expect(late.requests).toEqual({ 'otel.metric.overflow': true });
    // 1999 combinations of their own (with the first), then one overflow series: memory stays bounded.
    expect(sets.counted.size).toBe(2001);
    expect(sets.counted.get(late.requests)).toBe(2100 - 1999);
    expect([...sets.counted.values()].reduce((a, b) => a + b, 0)).toBe(2103);
  });
});
