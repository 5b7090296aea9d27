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

  it('past 2000 combinations builds a call\'s sets for it alone (memory stays bounded), still with the right attributes', () => {
    const sets = new PointAttributeSets();
    const first = sets.of('chat', 'model-0', 'e', undefined, 'E');
    for (let i = 1; i < 2100; i++) sets.of('chat', `model-${i}`, 'e', undefined, 'E');
    expect(sets.of('chat', 'model-0', 'e', undefined, 'E')).toBe(first);
    const late = sets.of('chat', 'model-2099', 'e', undefined, 'E');
    expect(sets.of('chat', 'model-2099', 'e', undefined, 'E')).not.toBe(late);
    expect(late.duration).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'model-2099', 'gen_ai.provider.name': 'e', 'error.type': 'E' });
    expect(late.requests).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'model-2099', 'gen_ai.provider.name': 'e', outcome: 'E' });
  });

  it('keeps labels apart whatever they hold: separators or control characters in one label never make it pass for another', () => {
    const sets = new PointAttributeSets();
    const a = sets.of('chat', 'm', 'e', 'x\u0000y', 'z');
    const b = sets.of('chat', 'm', 'e', 'x', 'y\u0000z');
    const c = sets.of('chat', 'm', 'e', '3:x|y', undefined);
    expect(a).not.toBe(b);
    expect(a.duration['gen_ai.response.model']).toBe('x\u0000y');
    expect(b.duration['error.type']).toBe('y\u0000z');
    expect(c.duration).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'gen_ai.provider.name': 'e', 'gen_ai.response.model': '3:x|y' });
  });
});
