import { describe, expect, it } from '@jest/globals';
import type { Attributes } from '@opentelemetry/api';
import { attributeHashingMemoized, memoizedHash, memoizeSdkAttributeHashing } from '../../src/app/attribute-hashing.js';
import { memoryTelemetry } from '../telemetry/support.js';

const sdkHash = (attributes: Attributes) => JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));

describe("the app's memo of the metrics SDK's attribute hashing", () => {
  it('hashes a frozen set of primitive values once, and every other set each time, with the same results', () => {
    let hashed = 0;
    const hash = memoizedHash((attributes) => (hashed++, sdkHash(attributes)));
    const frozen = Object.freeze({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', n: 1 });
    const open = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', n: 1 };
    const frozenList = Object.freeze({ 'gen_ai.response.finish_reasons': ['stop'] });
    for (let i = 0; i < 100; i++) {
      expect(hash(frozen)).toBe(sdkHash(frozen));
      expect(hash(open)).toBe(sdkHash(open));
      expect(hash(frozenList)).toBe(sdkHash(frozenList));
    }
    expect(hashed).toBe(1 + 100 + 100);
    // A set that changes is hashed as it is now; an array in a frozen set can change too.
    open.n = 2;
    (frozenList['gen_ai.response.finish_reasons'] as string[]).push('length');
    expect(hash(open)).toBe(sdkHash(open));
    expect(hash(frozenList)).toBe(sdkHash(frozenList));
  });

  it('remembers nothing that could change or is not a set: a getter, a value that is not an object, and hashes them as the SDK does', () => {
    let hashed = 0;
    const hash = memoizedHash((attributes) => (hashed++, typeof attributes === 'object' && attributes ? sdkHash(attributes) : String(attributes)));
    let n = 1;
    const withGetter = Object.freeze(Object.defineProperty({}, 'k', { get: () => n, enumerable: true }) as Attributes);
    expect(hash(withGetter)).toBe('[["k",1]]');
    n = 3;
    expect(hash(withGetter)).toBe('[["k",3]]');
    // The SDK hashes whatever it is handed; a patched hash must not throw where it did not.
    expect(hash('ab' as unknown as Attributes)).toBe('ab');
    expect(hash(null as unknown as Attributes)).toBe('null');
    expect(hashed).toBe(4);
  });

  it('is in place on the SDK this app runs (an SDK whose internals moved fails here, not silently slower)', () => {
    expect(memoizeSdkAttributeHashing()).toBe(true);
    expect(memoizeSdkAttributeHashing()).toBe(true);
    expect(attributeHashingMemoized()).toBe(true);
  });

  it('leaves the series as they were: points with a frozen set and with an equal open one land in one series', async () => {
    memoizeSdkAttributeHashing();
    const telemetry = memoryTelemetry();
    try {
      const histogram = telemetry.meterProvider.getMeter('test').createHistogram('h');
      const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.token.type': 'input' };
      for (let i = 0; i < 3; i++) histogram.record(1, Object.freeze({ ...attributes }));
      histogram.record(1, { ...attributes });
      histogram.record(1, { 'gen_ai.token.type': 'input', 'gen_ai.operation.name': 'chat' });
      histogram.record(1, Object.freeze({ ...attributes, 'gen_ai.token.type': 'output' }));
      const points = (await telemetry.metrics()).get('h')!.dataPoints as { attributes: Attributes; value: { count: number } }[];
      expect(points.map((p) => [p.attributes['gen_ai.token.type'], p.value.count]).sort()).toEqual([
        ['input', 5],
        ['output', 1],
      ]);
    } finally {
      await telemetry.shutdown();
    }
  });
});
