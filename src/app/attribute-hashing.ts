import { createRequire } from 'node:module';
import type { Attributes } from '@opentelemetry/api';

type Hash = (attributes: Attributes) => string;

/** What the SDK's internal utils module offers: the function its metric storages hash attributes with. */
interface SdkUtils {
  hashAttributes: Hash;
}

const MEMOIZED = Symbol('gleitzeit.memoizedAttributeHash');

/** A frozen object whose own properties are all plain values, none an object: its hash can never change. */
function immutable(attributes: Attributes): boolean {
  if (attributes === null || typeof attributes !== 'object' || !Object.isFrozen(attributes)) return false;
  for (const key of Object.keys(attributes)) {
    const property = Object.getOwnPropertyDescriptor(attributes, key);
    // A getter may answer differently next time; an array or object in a frozen set can still change.
    if (!property || !('value' in property) || (property.value !== null && typeof property.value === 'object')) return false;
  }
  return true;
}

/** `hash`, remembered per attribute set for sets that cannot change; any other set is hashed as before. */
export function memoizedHash(hash: Hash): Hash {
  const known = new WeakMap<Attributes, string>();
  const memoized: Hash = (attributes) => {
    // Not an object (a caller's mistake the SDK tolerates): hashed as the SDK would, never remembered.
    if (attributes === null || typeof attributes !== 'object') return hash(attributes);
    let text = known.get(attributes);
    if (text !== undefined) return text;
    text = hash(attributes);
    if (immutable(attributes)) known.set(attributes, text);
    return text;
  };
  return Object.assign(memoized, { [MEMOIZED]: true });
}

/**
 * The OpenTelemetry metrics SDK (2.x) hashes every point's attributes (sorts the keys, serializes the
 * pairs) to find its series: on the gateway, with four or five points a call, that was the largest
 * single cost of metrics, and most of their garbage. The router hands the SDK frozen attribute sets,
 * one per label combination (telemetry/point-attributes.ts), so the hash of each can be remembered.
 * This replaces the SDK's hash function with one that does, before the app's MeterProvider creates its
 * storages (which take the function when they are made). Same hashes, so the same series.
 *
 * It reaches into the SDK's build (2.x has no exports map); an SDK whose internals differ is left as it
 * is (the metrics stay right, only slower), and `attributeHashingMemoized()` says which, for the test
 * that catches it.
 */
export function memoizeSdkAttributeHashing(utils: SdkUtils | undefined = sdkUtils()): boolean {
  if (!utils || typeof utils.hashAttributes !== 'function') return false;
  if ((utils.hashAttributes as Hash & { [MEMOIZED]?: true })[MEMOIZED]) return true;
  try {
    utils.hashAttributes = memoizedHash(utils.hashAttributes);
  } catch {
    return false;
  }
  return attributeHashingMemoized(utils);
}

/** Whether the SDK's metric storages hash through the memo. */
export function attributeHashingMemoized(utils: SdkUtils | undefined = sdkUtils()): boolean {
  return Boolean((utils?.hashAttributes as (Hash & { [MEMOIZED]?: true }) | undefined)?.[MEMOIZED]);
}

function sdkUtils(): SdkUtils | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/sdk-metrics/build/src/utils.js') as SdkUtils;
  } catch {
    return undefined;
  }
}
