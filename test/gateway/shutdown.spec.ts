import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { readStream, startGateway } from './support.js';

/*
 * Graceful shutdown through the gateway: an open stream finishes (or, past the drain limit, ends with
 * an error event saying why), readiness fails meanwhile, and the app closes.
 */

let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
afterEach(async () => {
  await gateway?.close().catch(() => undefined);
  gateway = undefined;
});

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');

describe('SIGTERM with a stream open', () => {
  it('lets the stream finish within the drain limit, with readiness at 503 meanwhile', async () => {
    gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', MOCK_TOKEN_DELAY_MS: '40', MOCK_STALL_AFTER_TOKENS: '', GLEITZEIT_DRAIN_TIMEOUT_MS: '5000' });
    const { client, app, url } = gateway;
    const stream = await client.chat.completions.create({ model: 'mock', stream: true, messages: [{ role: 'user', content: words(10) }] });
    const reading = readStream(stream);
    await new Promise((r) => setTimeout(r, 80));
    const closing = app.close();
    const ready = await request(url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.extensions).toMatchObject({ phase: 'shutting down', inFlight: 1 });
    const answer = await reading;
    expect(answer).toMatchObject({ text: words(10), finish: 'stop' });
    await closing;
  });

  it('past the drain limit, ends a stalled stream with a 503 error event and closes', async () => {
    gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', MOCK_TOKEN_DELAY_MS: '0', MOCK_STALL_AFTER_TOKENS: '1', GLEITZEIT_DRAIN_TIMEOUT_MS: '300' });
    const { app, url } = gateway;
    const http = request(url).post('/v1/chat/completions').send({ model: 'mock', stream: true, messages: [{ role: 'user', content: 'one two three' }] });
    const answer = new Promise<string>((done, fail) => http.then((r) => done(r.text), fail));
    await new Promise((r) => setTimeout(r, 100));
    const began = performance.now();
    await app.close();
    expect(performance.now() - began).toBeLessThan(3000);
    const text = await answer;
    expect(text).toContain('"content":"one"');
    expect(text).toContain('"code":"shutting_down"');
    expect(text).not.toContain('[DONE]');
  });

  it('answers a plain call the drain aborted with 503, so a client retries elsewhere', async () => {
    gateway = await startGateway({ GLEITZEIT_EXTENSIONS: 'mock', MOCK_HANG: 'true', GLEITZEIT_DRAIN_TIMEOUT_MS: '200', MOCK_STALL_AFTER_TOKENS: '' });
    const { app, url } = gateway;
    const pending = request(url).post('/v1/chat/completions').send({ model: 'mock', messages: [{ role: 'user', content: 'x' }] });
    const answer = new Promise<request.Response>((done, fail) => pending.then(done, fail));
    await new Promise((r) => setTimeout(r, 100));
    await app.close();
    const { status, body } = await answer;
    expect(status).toBe(503);
    expect(body.error).toMatchObject({ code: 'shutting_down', type: 'server_error', message: expect.stringContaining('drain limit') });
    process.env.MOCK_HANG = 'false';
  });
});
