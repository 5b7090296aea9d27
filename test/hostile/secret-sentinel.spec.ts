import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createExtensionSummaryReport, type ExtensionManager } from '../../src/index.js';
import { appFixture, bootApp, LogCollector } from '../support/boot.js';

/** Every secret shape: a string, list elements, an object's values, a number. */
const CONFIG = {
  apiKey: 'sk-SENTINEL-string-1234',
  backupKeys: ['sk-SENTINEL-list-a', 'sk-SENTINEL-list-b'],
  headers: { authorization: 'Bearer sk-SENTINEL-object' },
  pin: 987654321,
};
const LEAKED = /SENTINEL|987654321/;

/** Everything an error carries that could reach a log or an answer. */
function errorText(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 4) return String(error);
  return [error.message, error.stack, JSON.stringify(error), errorText(error.cause, depth + 1)].join('\n');
}

async function everyChannel(manager: ExtensionManager, http: () => request.Agent | ReturnType<typeof request>): Promise<string> {
  const texts: string[] = [];
  for (const path of ['/health', '/health/ready', '/health/live', '/extensions', '/extensions/sentinel', '/models']) {
    texts.push((await (http() as ReturnType<typeof request>).get(path)).text);
  }
  texts.push(await createExtensionSummaryReport(manager));
  texts.push(JSON.stringify(manager.getSummary()), JSON.stringify(await manager.getExtensionInfo('sentinel')), JSON.stringify(manager.listAvailable()));
  texts.push(...manager.getDiscoveryProblems().map(errorText));
  if (manager.isLoaded('sentinel')) {
    const { instance } = manager.modelRouter.route('sentinel-model');
    texts.push(errorText(await (instance as { call(): Promise<never> }).call().catch((e: unknown) => e)));
    // Read through the router: an error thrown while a stream is read is scrubbed as well.
    const stream = async () => {
      for await (const _ of manager.modelRouter.chatStream({ model: 'sentinel-model', messages: [{ role: 'user', content: 'x' }] }));
    };
    texts.push(errorText(await stream().catch((e: unknown) => e)));
  }
  texts.push(errorText(await manager.stopAllExtensions().catch((e: unknown) => e)));
  return texts.join('\n');
}

describe('a sentinel secret in every shape appears in no channel', () => {
  it.each(['', 'load', 'setup', 'start', 'stop', 'health', 'call', 'stream'])('when the extension leaks it in %s', async (leakIn) => {
    const logs = new LogCollector();
    const booted = await bootApp(
      { searchPaths: [appFixture('sentinel')], onBootFailure: 'continue', extensionConfigs: { sentinel: { ...CONFIG, leakIn } } },
      [],
      logs,
    );
    try {
      const seen = await everyChannel(booted.manager, () => request(booted.app.getHttpServer()));
      const error = booted.manager.allRecords()[0].error;
      const all = [seen, logs.text, errorText(error)].join('\n');
      // The channels were really exercised: the masked form shows where the secret was.
      if (leakIn && leakIn !== 'call' && leakIn !== 'stop') expect(all).toContain('***');
      expect(all.match(LEAKED)?.[0]).toBeUndefined();
    } finally {
      await booted.app.close();
    }
    expect(logs.text.match(LEAKED)?.[0]).toBeUndefined();
  });
});
