import { beforeEach, describe, expect, it } from '@jest/globals';
import { ExtensionManager, ModelNotFound, ProviderError, UnsupportedOperationError, type ChatChunk } from '../../src/index.js';
import type { Talker } from '../fixtures/apps/calls/providers.js';
import { appFixture } from '../support/boot.js';

const say = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }], ...extra });
const tool = { type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object' } } };

describe('ModelRouter.chat, chatStream and embed', () => {
  let manager: ExtensionManager;
  let talker: Talker;
  beforeEach(async () => {
    manager = new ExtensionManager();
    await manager.discoverExtensions([appFixture('calls')]);
    for (const name of ['talker', 'mute']) await manager.loadExtension(name);
    talker = manager.getInstance<Talker>('talker')!;
  });

  it('routes by every lookup kind and sends the provider its own model name', async () => {
    for (const model of ['talker-large', 'talker', 'talker:talker', 'talker/talker-large']) {
      const answer = await manager.modelRouter.chat(say(model));
      expect(answer).toMatchObject({ extension: 'talker', model: 'talker-large', finishReason: 'stop', message: { content: 'heard: hi' } });
    }
    expect(talker.requests.map((r) => r.model)).toEqual(['talker-large', 'talker-large', 'talker-large', 'talker-large']);
  });

  it('needs function_calling for tools and vision for image parts', async () => {
    await expect(manager.modelRouter.chat(say('talker-eyes', { tools: [tool] }))).rejects.toThrow(ModelNotFound);
    await expect(manager.modelRouter.chat(say('talker-large', { tools: [tool] }))).resolves.toMatchObject({ extension: 'talker' });
    const image = { model: 'talker-large', messages: [{ role: 'user' as const, content: [{ type: 'image_url' as const, imageUrl: { url: 'data:image/png;base64,AA==' } }] }] };
    const error = await manager.modelRouter.chat(image).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelNotFound);
    expect((error as Error).message).toContain('with capabilities [vision]');
    await expect(manager.modelRouter.chat({ ...image, model: 'talker-eyes' })).resolves.toMatchObject({ message: { content: 'heard: parts' } });
  });

  it('says so when the extension does not implement the call', async () => {
    const error = await manager.modelRouter.chat(say('mute-model')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedOperationError);
    expect(error).toMatchObject({ code: 'EXT_ERR_UNSUPPORTED', extensionName: 'mute', operation: 'chat' });
    await expect(manager.modelRouter.embed({ model: 'mute-model', input: 'x' })).rejects.toMatchObject({ code: 'EXT_ERR_UNSUPPORTED', operation: 'embed' });
  });

  it('turns what a provider throws into a ProviderError naming the extension, secrets masked', async () => {
    const error = await manager.modelRouter.chat(say('talker', { user: 'fail' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toBe('Extension "talker" failed: upstream refused key ***');
  });

  it("aborts the provider's call with the caller's signal", async () => {
    const controller = new AbortController();
    const pending = manager.modelRouter.chat(say('talker', { user: 'hang' }), { signal: controller.signal });
    controller.abort(new Error('client left'));
    await expect(pending).rejects.toThrow('client left');
    expect(talker.aborted).toEqual(['chat']);
  });

  it('streams chunks, and aborts the provider when the consumer stops early', async () => {
    const chunks: ChatChunk[] = [];
    for await (const chunk of manager.modelRouter.chatStream(say('talker'))) chunks.push(chunk);
    expect(chunks.map((c) => c.delta.content ?? c.finishReason)).toEqual(['one ', 'two ', 'three ', 'stop']);
    expect(talker.aborted).toEqual([]);
    for await (const chunk of manager.modelRouter.chatStream(say('talker'))) if (chunk.delta.content === 'one ') break;
    expect(talker.aborted).toEqual(['chatStream']);
  });

  it('embeds with a model that has the embeddings capability, and refuses a chat model', async () => {
    await expect(manager.modelRouter.embed({ model: 'talker-embed', input: ['ab', 'cde'] })).resolves.toEqual({
      model: 'talker-embed',
      extension: 'talker',
      data: [{ index: 0, embedding: [2, 0] }, { index: 1, embedding: [3, 1] }],
    });
    await expect(manager.modelRouter.embed({ model: 'talker-large', input: 'x' })).rejects.toThrow(ModelNotFound);
  });

  it('gives the event loop a turn now and then, even when a provider streams without waiting', async () => {
    await manager.loadExtension('firehose');
    let turned = false;
    setImmediate(() => (turned = true));
    let chunks = 0;
    let turnedWhileStreaming = false;
    for await (const chunk of manager.modelRouter.chatStream(say('firehose-model'))) {
      chunks++;
      if (turned && !chunk.finishReason) turnedWhileStreaming = true;
    }
    expect(chunks).toBeGreaterThan(5000);
    expect(turnedWhileStreaming).toBe(true);
  });
});
