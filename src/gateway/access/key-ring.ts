import { createHash, timingSafeEqual } from 'node:crypto';
import type { KeyEntry } from './access.options.js';

/** Longer values are refused before any hashing: no key is that long (the options allow 512). */
const MAX_PRESENTED = 1024;

/**
 * The configured keys, found by the SHA-256 of what a client presents. The key itself is never kept
 * or compared: its digest is looked up (a timing difference there says something about a digest, which
 * gives nothing about a key), and the entry found is confirmed with `timingSafeEqual` over the two
 * fixed-length digests.
 */
export class KeyRing {
  private readonly byDigest = new Map<string, KeyEntry>();

  constructor(readonly keys: readonly KeyEntry[]) {
    for (const key of keys) this.byDigest.set(key.digest.toString('base64'), key);
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** The key an `Authorization` header carries (`Bearer <key>`), or undefined. */
  identify(authorization: unknown): KeyEntry | undefined {
    if (typeof authorization !== 'string' || authorization.length > MAX_PRESENTED + 7) return undefined;
    // RFC 7235: the scheme is case-insensitive, then one or more spaces.
    if (authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const presented = authorization.slice(7).trim();
    if (!presented) return undefined;
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    const entry = this.byDigest.get(digest.toString('base64'));
    return entry && timingSafeEqual(entry.digest, digest) ? entry : undefined;
  }
}
