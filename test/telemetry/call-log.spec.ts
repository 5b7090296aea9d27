import { describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ExtensionsModule, ModelRouter, SHIPPED_EXTENSIONS } from '../../src/index.js';
import { ask } from '../support/mock.js';

/*
 * Issue 14: one structured line per routed call at debug level (extension, model, attempts, outcome,
 * latency, tokens), JSON when the app's logger is JSON; nothing at the default levels.
 */

/** What the app's logger writes to stdout while `work` runs. */
async function stdoutOf(work: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}

/** Boots an app with `logger`, makes one good and one failing call, closes it: everything it wrote to stdout. */
function callWith(logger: ConsoleLogger): Promise<string[]> {
  return stdoutOf(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ExtensionsModule.forRoot({ searchPaths: [SHIPPED_EXTENSIONS], extensions: ['mock'], healthPath: false, introspectionPath: false })] })
      .setLogger(logger)
      .compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.init();
    try {
      await app.get(ModelRouter).chat(ask('four words right here'));
      await app.get(ModelRouter).chat(ask('x', { model: 'no-such-model' })).catch(() => undefined);
    } finally {
      await app.close();
      Logger.overrideLogger(['fatal', 'error', 'warn', 'log']);
    }
  });
}

describe('the per-call debug line', () => {
  it('is one JSON object per call when the logger is JSON and debug is on', async () => {
    const lines = await callWith(new ConsoleLogger({ json: true, logLevels: ['log', 'warn', 'error', 'debug'] }));
    const calls = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message?.event === 'model_call');
    expect(calls.map((entry) => [entry.level, entry.context])).toEqual([
      ['debug', 'Extensions'],
      ['debug', 'Extensions'],
    ]);
    expect(calls[0].message).toEqual({ event: 'model_call', operation: 'chat', model: 'mock-chat', extension: 'mock', outcome: 'ok', attempts: 1, latencyMs: expect.any(Number), inputTokens: 4, outputTokens: 4 });
    expect(calls[1].message).toMatchObject({ event: 'model_call', model: '_UNKNOWN', outcome: 'EXT_ERR_MODEL_NOT_FOUND', attempts: 0 });
  });

  it('is not printed at the default levels', async () => {
    const lines = await callWith(new ConsoleLogger({ json: true, logLevels: ['log', 'warn', 'error'] }));
    expect(lines.filter((line) => line.includes('model_call'))).toEqual([]);
  });
});
