import type { AbortSource } from './linked-abort.js';
import { SignalRace } from './signal-race.js';

/** `work`, unless `signal` aborts first: then its reason. Whoever ignores its signal (a provider, a hung call) cannot hold the caller past it. */
export function raceSignal<T>(work: Promise<T>, signal: AbortSource): Promise<T> {
  const race = new SignalRace(signal);
  return race.wait(work).finally(() => race.dispose());
}
