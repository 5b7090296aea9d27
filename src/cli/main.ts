#!/usr/bin/env node
import 'reflect-metadata';
import { relative } from 'node:path';
import { Command, Option } from 'commander';
import { processEnv } from '../configuration/resolve-config.js';
import { explainModel, explainText } from './explain.js';
import { inspect, secretsInEnvironment, scrub, allProblems, type Inspection } from './inspect.js';
import { extensionJson, listText, validateFails, validateText } from './report.js';
import { scaffold, STYLES, type Style } from './scaffold.js';
import { enableTypeScript } from './typescript.js';

/*
 * gleitzeit: check, list and explain extensions as ExtensionsModule.forRoot would find them here, and
 * scaffold new ones. Exit code 0 when all is well, 1 when there is a problem (or a command failed).
 */

const DEFAULT_PATHS = ['extensions'];

/** Prints, with every secret value of this environment replaced by ***. */
function emit(inspection: Inspection | undefined, text: string): void {
  process.stdout.write(`${inspection ? scrub(text, secretsInEnvironment(inspection)) : text}\n`);
}

async function inspectPaths(paths: string[]): Promise<Inspection> {
  return inspect(paths.length ? paths : DEFAULT_PATHS, enableTypeScript());
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

const program = new Command('gleitzeit')
  .description('Check, list, explain and scaffold gleitzeit-extensions extensions, as ExtensionsModule.forRoot finds them.')
  .showHelpAfterError();

program
  .command('validate')
  .description('discover extensions like forRoot and report every problem: manifests, decorators, packages, extension dependencies, config in this environment')
  .argument('[paths...]', 'search paths', DEFAULT_PATHS)
  .option('--json', 'print the result as JSON (for CI)')
  .action(async (paths: string[], options: { json?: boolean }) => {
    const inspection = await inspectPaths(paths);
    const failed = validateFails(inspection);
    const result = {
      ok: !failed,
      searchPaths: inspection.searchPaths,
      typescript: inspection.typescript,
      extensions: inspection.extensions.map((entry) => extensionJson(entry, processEnv)),
      problems: allProblems(inspection),
      warnings: inspection.warnings,
    };
    emit(inspection, options.json ? json(result) : validateText(inspection));
    process.exitCode = failed ? 1 : 0;
  });

program
  .command('list')
  .description('a table of extensions: style, version, models, capabilities, config fields (values never shown), ready to load here')
  .argument('[paths...]', 'search paths', DEFAULT_PATHS)
  .option('--json', 'print the list as JSON')
  .action(async (paths: string[], options: { json?: boolean }) => {
    const inspection = await inspectPaths(paths);
    const list = inspection.extensions.map((entry) => extensionJson(entry, processEnv));
    emit(inspection, options.json ? json({ searchPaths: inspection.searchPaths, extensions: list, problems: inspection.problems }) : listText(inspection, processEnv));
  });

program
  .command('new')
  .description('scaffold a provider extension (chat, chatStream, a health check, config from environment variables) and its test')
  .argument('<name>', 'extension name: lowercase letters, digits, - and _')
  .addOption(new Option('--style <style>', 'decorators in TypeScript, or extension.yaml with a service').choices(STYLES).default('decorator'))
  .option('--dir <folder>', 'the search path to put it in', 'extensions')
  .action((name: string, options: { style: Style; dir: string }) => {
    const { folder, files } = scaffold(name, options.style, options.dir);
    const shown = (path: string) => relative(process.cwd(), path);
    emit(undefined, [
      `Created ${shown(folder)} (${options.style}):`,
      ...files.map((file) => `  ${shown(file)}`),
      '',
      'Next:',
      `  npx gleitzeit validate ${options.dir}       check it as your app will load it`,
      `  NODE_OPTIONS=--experimental-vm-modules npx jest ${shown(files[files.length - 1])}   run its test (jest with ts-jest, ESM)`,
      `  ExtensionsModule.forRoot({ searchPaths: ['${options.dir}'] })   boot it (a built app searches the compiled folder)`,
    ].join('\n'));
  });

program
  .command('explain')
  .description("the router's explanation for a model over the discovered extensions: every candidate and why it was chosen or rejected")
  .argument('<model>', 'a model name, alias, extension:model, or a name a pattern matches')
  .argument('[paths...]', 'search paths', DEFAULT_PATHS)
  .option('-c, --capability <name>', 'a capability the request needs (vision, function_calling, ...); repeat for more', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option('--json', 'print the explanation as JSON')
  .action(async (model: string, paths: string[], options: { capability?: string[]; json?: boolean }) => {
    const inspection = await inspectPaths(paths);
    const result = explainModel(inspection, model, options.capability ?? []);
    emit(inspection, options.json ? json(result) : explainText(result));
    process.exitCode = result.explanation.chosen ? 0 : 1;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`gleitzeit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
