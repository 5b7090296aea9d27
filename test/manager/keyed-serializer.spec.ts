import { describe, expect, it } from '@jest/globals';
import { KeyedSerializer } from '../../src/manager/keyed-serializer.js';

/** Node 20's AsyncLocalStorage keeps an `enabled` flag; while it is set, every promise in the process runs a hook. */
const storageOn = (serializer: KeyedSerializer) => (serializer as unknown as { held: { enabled?: boolean } }).held.enabled;

describe('KeyedSerializer', () => {
  it('is re-entrant inside an operation, and turns its async storage off once no operation runs', async () => {
    const serializer = new KeyedSerializer();
    const order: string[] = [];
    await serializer.run(['a'], async () => {
      order.push('outer');
      // Asking again for a key it holds runs at once instead of waiting behind itself.
      await serializer.run(['a'], async () => void order.push('inner'));
    });
    expect(order).toEqual(['outer', 'inner']);
    // Off between operations (where the flag exists): the requests the app serves pay no promise hook.
    if (storageOn(serializer) !== undefined) expect(storageOn(serializer)).toBe(false);
    // And on again for the next operation, still re-entrant.
    await serializer.run(['b'], async () => {
      if (storageOn(serializer) !== undefined) expect(storageOn(serializer)).toBe(true);
      await serializer.run(['b'], async () => void order.push('again'));
    });
    expect(order.at(-1)).toBe('again');
  });

  it('keeps operations on one key in order, and lets other keys run meanwhile', async () => {
    const serializer = new KeyedSerializer();
    const order: string[] = [];
    let release!: () => void;
    const first = serializer.run(['a'], () => new Promise<void>((done) => (release = () => done(void order.push('a1')))));
    const second = serializer.run(['a'], async () => void order.push('a2'));
    await serializer.run(['b'], async () => void order.push('b'));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['b', 'a1', 'a2']);
  });
});
