import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';

/*
 * These run the built package (npm test builds first) in a child process with no TypeScript loader,
 * as production does.
 */

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

function start(script: string, env: Record<string, string>): Promise<{ url: string; output: () => string; exited: Promise<number | null> }> {
  child = spawn(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((done) => child!.on('exit', (code) => done(code)));
  return new Promise((ready, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(READY|Listening on) (http:\/\/\S+)/.exec(output);
      if (match) ready({ url: match[2].replace('localhost', '127.0.0.1'), output: () => output, exited });
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    exited.then((code) => fail(new Error(`exited with ${code} before it was ready:\n${output}`)));
  });
}

describe('a real app process', () => {
  it('runs every stop() in reverse order on SIGTERM and exits with 0', async () => {
    const journal = join(mkdtempSync(join(tmpdir(), 'gleitzeit-')), 'journal.txt');
    const app = await start(resolve('test/fixtures/sigterm/app.mjs'), { JOURNAL: journal });
    await request(app.url).get('/health/ready').expect(200);
    child!.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toEqual([
      'recorder-a:start',
      'recorder-b:start',
      'yaml-recorder:start',
      'yaml-recorder:stop',
      'recorder-b:stop',
      'recorder-a:stop',
    ]);
    expect(app.output()).toContain('recorder-b fails to stop, recorder-a must still stop');
  });

  it('npm run start:prod runs the entry nest build emits', () => {
    const script = JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'];
    const { entryFile } = JSON.parse(readFileSync('nest-cli.json', 'utf8'));
    expect(script).toBe(`node dist/${entryFile}.js`);
    expect(existsSync(`dist/${entryFile}.js`)).toBe(true);
  });

  it('the shipped app, started as start:prod starts it with no API key, serves OpenAI\'s API on mock and shows openai and claude as not configured', async () => {
    const entry = /^node (\S+)$/.exec(JSON.parse(readFileSync('package.json', 'utf8')).scripts['start:prod'])?.[1];
    expect(entry).toBeDefined();
    const app = await start(resolve(entry!), { PORT: '0', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GLEITZEIT_EXTENSIONS: '' });
    await request(app.url).get('/health/ready').expect(200);
    const health = await request(app.url).get('/health').expect(200);
    expect(health.body.details.openai).toMatchObject({ status: 'degraded', state: 'not configured', set: ['OPENAI_API_KEY'] });
    expect(health.body.details.claude).toMatchObject({ status: 'degraded', state: 'not configured', set: ['ANTHROPIC_API_KEY'] });
    const chat = await request(app.url)
      .post('/v1/chat/completions')
      .send({ model: 'mock', messages: [{ role: 'user', content: 'hello' }] })
      .expect(200);
    expect(chat.body).toMatchObject({ object: 'chat.completion', model: 'mock-chat', choices: [{ message: { role: 'assistant', content: 'hello' }, finish_reason: 'stop' }] });
    expect(app.output()).toContain('openai 2.0.0 [decorator] not configured  set OPENAI_API_KEY');
    child!.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('the app logs one JSON line per model call with GLEITZEIT_LOG_LEVEL=debug and GLEITZEIT_LOG_FORMAT=json, and none by default', async () => {
    const ask = (url: string) => request(url).post('/v1/chat/completions').send({ model: 'mock', messages: [{ role: 'user', content: 'three words here' }] }).expect(200);
    const debug = await start(resolve('dist/src/main.js'), { PORT: '0', GLEITZEIT_EXTENSIONS: 'mock', GLEITZEIT_LOG_LEVEL: 'debug', GLEITZEIT_LOG_FORMAT: 'json' });
    await ask(debug.url);
    await new Promise((done) => setTimeout(done, 100));
    const calls = debug.output().split('\n').filter((line) => line.includes('model_call')).map((line) => JSON.parse(line));
    expect(calls).toEqual([{ level: 'debug', pid: expect.any(Number), timestamp: expect.any(Number), context: 'Extensions', message: { event: 'model_call', operation: 'chat', model: 'mock-chat', extension: 'mock', outcome: 'ok', attempts: 1, latencyMs: expect.any(Number), inputTokens: 3, outputTokens: 3 } }]);
    child!.kill('SIGKILL');
    const quiet = await start(resolve('dist/src/main.js'), { PORT: '0', GLEITZEIT_EXTENSIONS: 'mock', GLEITZEIT_LOG_LEVEL: '', GLEITZEIT_LOG_FORMAT: '' });
    await ask(quiet.url);
    await new Promise((done) => setTimeout(done, 100));
    expect(quiet.output()).not.toContain('model_call');
  });
});
