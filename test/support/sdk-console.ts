import { jest } from '@jest/globals';

/**
 * The openai SDK reports a stream event that is not JSON with two console.error calls ("Could not
 * parse message into JSON:", "From chunk:") before it throws. Tests that send such events on purpose
 * collect those two here and assert them; anything else still reaches the console. Install it before
 * the first client is built (the SDK binds console.error once per client).
 */
export function collectSdkParseErrors(): { logged: string[]; restore: () => void } {
  const logged: string[] = [];
  const original = console.error.bind(console);
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (/^(Could not parse message into JSON:|From chunk:)/.test(String(args[0]))) logged.push(String(args[0]));
    else original(...args);
  });
  return { logged, restore: () => spy.mockRestore() };
}
