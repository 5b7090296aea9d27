import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import { ExtensionConfigError, ExtensionsModule, ProviderError, SHIPPED_EXTENSIONS, type ExtensionsModuleOptions } from '../../src/index.js';
import { appFixture, bootApp } from '../support/boot.js';
import { ask, collect, failure } from '../support/mock.js';

/*
 * Graceful shutdown: readiness fails first, the router's calls in flight finish (bounded by
 * drainTimeoutMs), then extensions stop. The slow provider is the shipped mock with its faults;
 * worker-a's stop() is recorded in the journal, so the order of "call ended" and "stop()" shows.
 */

const withMock = (mock: Record<string, unknown>, options: ExtensionsModuleOptions = {}): ExtensionsModuleOptions => ({
  searchPaths: [SHIPPED_EXTENSIONS, appFixture('workers')],
  extensions: ['mock', 'worker-a'],
  extensionConfigs: { mock },
  ...options,
});

/** The promise, or a failure after `ms` (a shutdown that does not end the call must not hang the test). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('graceful shutdown in a Nest app', () => {
  it('lets calls in flight finish within the drain limit, and stops extensions only after them', async () => {
    const { app, router, journal, manager } = await bootApp(withMock({ latencyMs: 300, tokenDelayMs: 60 }, { drainTimeoutMs: 5000 }));
    const ended = (what: string) => () => journal.record(`${what}:${manager.getState('mock')}`);
    const chat = router.chat(ask('hello there'));
    const embedding = router.embed({ model: 'mock-embed', input: 'x' });
    const stream = collect(router.chatStream(ask('one two three four')));
    void chat.then(ended('chat'));
    void embedding.then(ended('embed'));
    void stream.then(ended('stream'));
    await sleep(20);
    expect(router.inFlight).toBe(3);
    await app.close();
    expect((await chat).message.content).toBe('hello there');
    expect((await embedding).data).toHaveLength(1);
    expect((await stream).at(-2)?.finishReason).toBe('stop');
    // Every call ended while its extension was still started; stop() came after all of them.
    expect(journal.events.slice(-4).sort()).toEqual(['chat:started', 'embed:started', 'stream:started', 'worker-a:stop'].sort());
    expect(journal.events.at(-1)).toBe('worker-a:stop');
    expect(router.inFlight).toBe(0);
  });

  it('serves and waits for calls that arrive during the drain', async () => {
    const { app, router, journal } = await bootApp(withMock({ latencyMs: 200 }, { drainTimeoutMs: 5000, shutdownDelayMs: 100 }));
    const first = router.chat(ask('first')).then(() => journal.record('first:answered'));
    const closing = app.close();
    await sleep(150);
    // After shutdownDelayMs, in the drain: a late call is still served and waited for.
    const late = router.chat(ask('late')).then(() => journal.record('late:answered'));
    await closing;
    await Promise.all([first, late]);
    expect(journal.events.slice(-3)).toEqual(['first:answered', 'late:answered', 'worker-a:stop']);
  });

  it('aborts a stalled stream at the drain limit: the consumer gets an error, close() ends within about the limit, then stop() runs', async () => {
    const { app, router, journal, logs } = await bootApp(withMock({ stallAfterTokens: 1 }, { drainTimeoutMs: 300 }));
    const stream = router.chatStream(ask('one two three'))[Symbol.asyncIterator]();
    await stream.next();
    expect((await stream.next()).value?.delta.content).toBe('one');
    const stalled = stream.next();
    void stalled.catch(() => journal.record('stream:aborted'));
    const began = performance.now();
    const closing = app.close();
    const error = await failure(within(stalled, 5000, 'the stalled stream'));
    await within(closing, 5000, 'app.close()');
    const elapsed = performance.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3000);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ extensionName: 'mock', status: 503, providerCode: 'shutting_down' });
    expect(error.message).toBe(
      'The app is shutting down: this call to extension "mock" was still running when the drain limit (drainTimeoutMs, 300 ms) passed, so it was aborted. Retry it on another instance.',
    );
    expect(journal.events.slice(-2)).toEqual(['stream:aborted', 'worker-a:stop']);
    expect(logs.text).toContain('aborted 1 model call still running after drainTimeoutMs (300 ms)');
    expect(router.inFlight).toBe(0);
  });

  it('reports readiness 503 with the calls in flight while it drains, before stop() runs', async () => {
    const { app, router, journal } = await bootApp(withMock({ latencyMs: 1000 }, { drainTimeoutMs: 5000 }));
    await app.listen(0);
    const url = await app.getUrl();
    const answer = router.chat(ask('hi'));
    const closing = app.close();
    await sleep(150);
    const ready = await request(url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.extensions).toEqual({ status: 'down', phase: 'shutting down', inFlight: 1 });
    await request(url).get('/health/live').expect(200);
    expect(journal.events).not.toContain('worker-a:stop');
    await answer;
    await closing;
    expect(journal.events.at(-1)).toBe('worker-a:stop');
  });

  it('drainTimeoutMs is checked like the other time options', async () => {
    const error = await failure(ExtensionsModule.forRoot({ drainTimeoutMs: -1 }));
    expect(error).toBeInstanceOf(ExtensionConfigError);
    expect(error.message).toContain('drainTimeoutMs: must be a non-negative number of milliseconds up to 2147483647 (got -1)');
  });
});

/*
 * A real process (the built package, no TypeScript loader): GET /stream streams the mock's answer,
 * SIGTERM arrives while it runs. npm test builds first.
 */
describe('graceful shutdown of a real process on SIGTERM', () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  async function start(env: Record<string, string>) {
    const journal = join(mkdtempSync(join(tmpdir(), 'gleitzeit-drain-')), 'journal.txt');
    child = spawn(process.execPath, [resolve('test/fixtures/sigterm/drain-app.mjs')], {
      env: { ...process.env, NODE_OPTIONS: '', JOURNAL: journal, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child!.on('exit', (code) => done(code)));
    const url = await new Promise<string>((ready, fail) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /READY (http:\/\/\S+)/.exec(output);
        if (match) ready(match[1].replace('localhost', '127.0.0.1'));
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      void exited.then((code) => fail(new Error(`exited with ${code} before it was ready:\n${output}`)));
    });
    return { url, exited, output: () => output, journal: () => readFileSync(journal, 'utf8').trim().split('\n') };
  }

  /** Opens GET /stream; `firstData` resolves on the first bytes, `body` with everything once the response ends. */
  function openStream(url: string) {
    let firstData!: () => void;
    const started = new Promise<void>((done) => (firstData = done));
    const body = new Promise<string>((done, fail) => {
      http
        .get(`${url}/stream`, (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (piece: string) => {
            text += piece;
            firstData();
          });
          response.on('end', () => done(text));
          response.on('error', fail);
        })
        .on('error', fail);
    });
    return { started, body };
  }

  it('finishes an open stream, still answers readiness (503) during the drain, then stops extensions and exits 0', async () => {
    const app = await start({ MOCK_TOKEN_DELAY_MS: '200', DRAIN_TIMEOUT_MS: '10000' });
    const stream = openStream(app.url);
    await stream.started;
    child!.kill('SIGTERM');
    await sleep(200);
    // Today's Nest would close the listener at once; the drain keeps it serving (not ready) meanwhile.
    const ready = await request(app.url).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.extensions).toEqual({ status: 'down', phase: 'shutting down', inFlight: 1 });
    const lines = (await within(stream.body, 10_000, 'the stream')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).delta?.content ?? '').join('')).toBe('one two three four five six');
    expect(JSON.parse(lines.at(-2)!).finishReason).toBe('stop');
    expect(await within(app.exited, 10_000, 'the process')).toBe(0);
    expect(app.journal()).toEqual(['recorder-a:start', 'stream:end', 'recorder-a:stop']);
  });

  it('ends a stalled stream with an error at the drain limit and exits 0 within about the limit', async () => {
    const app = await start({ MOCK_STALL_AFTER_TOKENS: '2', DRAIN_TIMEOUT_MS: '500' });
    const stream = openStream(app.url);
    await stream.started;
    const began = performance.now();
    child!.kill('SIGTERM');
    const body = await within(stream.body, 10_000, 'the stalled stream');
    expect(await within(app.exited, 10_000, 'the process')).toBe(0);
    const elapsed = performance.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(5000);
    expect(body.trim().split('\n').at(-1)).toBe(
      'error: The app is shutting down: this call to extension "mock" was still running when the drain limit (drainTimeoutMs, 500 ms) passed, so it was aborted. Retry it on another instance.',
    );
    expect(app.journal()).toEqual(['recorder-a:start', 'stream:error', 'recorder-a:stop']);
    expect(app.output()).toContain('aborted 1 model call still running after drainTimeoutMs (500 ms)');
  });
});
