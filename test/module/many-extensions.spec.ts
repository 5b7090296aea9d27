import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtensionManager, ExtensionsModule, getExtensionToken, InjectExtension } from '../../src/index.js';

/*
 * Past 32 extensions, ExtensionsModule re-exports them through group modules of 32 (Nest compares each
 * re-exported module with every import: in groups, not a million times at 1,000). Handles must still be
 * injectable anywhere, from the first group to the last.
 */

const COUNT = 70;
let dir: string;
let app: INestApplication;

@Injectable()
class UsesExtensions {
  constructor(
    @InjectExtension('ext-0') readonly first: { hello(): string },
    @InjectExtension('ext-69') readonly last: { hello(): string },
  ) {}
}

@Module({ providers: [UsesExtensions] })
class FeatureModule {}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gleitzeit-many-'));
  for (let i = 0; i < COUNT; i++) {
    const folder = join(dir, `ext-${i}`);
    mkdirSync(folder);
    writeFileSync(join(folder, 'extension.yaml'), `name: ext-${i}\nmodels:\n  - name: model-${i}\nservice:\n  class_path: service.Service${i}\n`);
    writeFileSync(join(folder, 'service.mjs'), `export class Service${i} {\n  hello() {\n    return 'hello from ${i}';\n  }\n}\n`);
  }
  const moduleRef = await Test.createTestingModule({ imports: [ExtensionsModule.forRoot({ searchPaths: [dir] }), FeatureModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.init();
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an app with more extensions than one group module holds', () => {
  it('starts every one of them', () => {
    const manager = app.get(ExtensionManager);
    expect(manager.allRecords().filter((r) => r.state === 'started')).toHaveLength(COUNT);
  });

  it('injects handles from the first group and the last into a module of the app', () => {
    const uses = app.get(UsesExtensions);
    expect(uses.first.hello()).toBe('hello from 0');
    expect(uses.last.hello()).toBe('hello from 69');
    expect(uses.last).toBe(app.get(ExtensionManager).getHandle('ext-69'));
  });

  it('gives every handle by its token', () => {
    for (const i of [0, 31, 32, 63, 64, 69]) expect(app.get(getExtensionToken(`ext-${i}`)).hello()).toBe(`hello from ${i}`);
  });
});
