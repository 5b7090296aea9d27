import type { INestApplication, LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { resolve } from 'node:path';
import { ExtensionManager, ExtensionsModule, ModelRouter, type ExtensionsModuleOptions } from '../../src/index.js';
import { Journal, JournalModule } from '../fixtures/journal.js';

export const appFixture = (name: string) => resolve('test/fixtures/apps', name);

/** Collects every log line so tests can assert on them (and on the absence of secrets). */
export class LogCollector implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) {
    this.lines.push(`log: ${String(message)}`);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.lines.push(`error: ${String(message)} ${rest.map(String).join(' ')}`);
  }
  warn(message: unknown) {
    this.lines.push(`warn: ${String(message)}`);
  }
  debug(message: unknown) {
    this.lines.push(`debug: ${String(message)}`);
  }
  verbose(message: unknown) {
    this.lines.push(`verbose: ${String(message)}`);
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface BootedApp {
  app: INestApplication;
  manager: ExtensionManager;
  router: ModelRouter;
  journal: Journal;
  logs: LogCollector;
}

/** Boots a real Nest app with the journal module and ExtensionsModule.forRoot(options). */
export async function bootApp(options: ExtensionsModuleOptions, imports: ModuleMetadata['imports'] = [], logs = new LogCollector()): Promise<BootedApp> {
  // setLogger: what the extensions log while the module compiles (discovery problems) is collected too.
  const moduleRef = await Test.createTestingModule({ imports: [JournalModule, ...imports, ExtensionsModule.forRoot({ introspectionPath: '', ...options })] })
    .setLogger(logs)
    .compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  await app.init();
  return { app, manager: app.get(ExtensionManager), router: app.get(ModelRouter), journal: app.get(Journal), logs };
}

/** Like bootApp, but returns the error the boot failed with. */
export async function bootFailure(options: ExtensionsModuleOptions, logs = new LogCollector()): Promise<{ error: Error; journal: Journal; logs: LogCollector }> {
  const moduleRef = await Test.createTestingModule({ imports: [JournalModule, ExtensionsModule.forRoot(options)] }).setLogger(logs).compile();
  const app = moduleRef.createNestApplication({ logger: logs });
  const journal = app.get(Journal);
  try {
    await app.init();
  } catch (error) {
    return { error: error as Error, journal, logs };
  }
  await app.close();
  throw new Error('expected the boot to fail');
}
