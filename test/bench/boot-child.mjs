// One boot in a fresh process: `node --expose-gc boot-child.mjs <extensions|plain> <dir>`.
// extensions: ExtensionsModule.forRoot over <dir>/extensions (discovery, manifests, config DTOs, lifecycle).
// plain: the same classes, imported statically by <dir>/plain-entry.mjs, each in a plain @Module.
// Prints `BENCH {"bootMs", "createToInitMs", "rss"}`: process start (performance's time origin) to
// app.init() resolved; from the app's own first step (after Node and Nest are loaded) to init; RSS after GC.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import '@nestjs/platform-express';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST } from './common.mjs';
import { DEFAULT_CONFIG } from './generate.mjs';

const [kind, dir] = process.argv.slice(2);

async function extensionsApp() {
  const { ExtensionsModule } = await import(DIST);
  const extensions = await ExtensionsModule.forRoot({ searchPaths: [join(dir, 'extensions')] });
  class AppModule {}
  Module({ imports: [extensions] })(AppModule);
  return AppModule;
}

async function plainApp() {
  const { classes } = await import(pathToFileURL(join(dir, 'plain-entry.mjs')).href);
  const modules = classes.map((cls) => {
    class PlainModule {}
    Object.defineProperty(PlainModule, 'name', { value: `${cls.name}Module` });
    Module({ providers: [{ provide: cls, useFactory: () => new cls({ ...DEFAULT_CONFIG }) }], exports: [cls] })(PlainModule);
    return PlainModule;
  });
  class AppModule {}
  Module({ imports: modules })(AppModule);
  return AppModule;
}

/** How many extensions (or plain providers) the app holds: the caller checks it is all of them. */
async function served(app) {
  if (kind !== 'extensions') return (await import(pathToFileURL(join(dir, 'plain-entry.mjs')).href)).classes.filter((cls) => app.get(cls)).length;
  const { ExtensionManager } = await import(DIST);
  return app.get(ExtensionManager).allRecords().filter((r) => r.state === 'started').length;
}

const began = performance.now();
const AppModule = kind === 'extensions' ? await extensionsApp() : await plainApp();
const app = await NestFactory.create(AppModule, { logger: false });
await app.init();
const bootMs = performance.now();
const createToInitMs = bootMs - began;
globalThis.gc?.();
globalThis.gc?.();
const { rss } = process.memoryUsage();
console.log(`BENCH ${JSON.stringify({ bootMs, createToInitMs, rss, served: await served(app) })}`);
process.exit(0);
