import type { ExtensionDefinition } from '../definition/definition.interface.js';
import type { DiscoveryResult } from '../discovery/discovery.interface.js';
import type { ExtensionError } from '../errors/index.js';
import { duplicateNameError } from '../errors/messages.js';
import { ownValue } from '../utils/own.js';
import type { ExtensionRecord } from './manager.interface.js';

/**
 * The manager's records, in discovery order, with what is derived from the dependency graph (who
 * depends on whom, which extensions are connected) and a version that changes with every transition.
 */
export class ExtensionRegistry {
  private readonly records = new Map<string, ExtensionRecord>();
  private readonly knownProblems: ExtensionError[] = [];
  private readonly problemMessages = new Set<string>();
  private components?: Map<string, string[]>;
  private list: ExtensionRecord[] = [];
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  /** Marks a change routing and health must see. */
  touch(): void {
    this.changes++;
  }

  get(name: string): ExtensionRecord | undefined {
    return this.records.get(name);
  }

  names(): string[] {
    return [...this.records.keys()];
  }

  all(): readonly ExtensionRecord[] {
    return this.list;
  }

  definitions(): ReadonlyMap<string, ExtensionDefinition> {
    return new Map(this.list.map((r) => [r.definition.name, r.definition]));
  }

  add(record: ExtensionRecord): void {
    record.order = this.records.size;
    this.records.set(record.definition.name, record);
    this.list = [...this.records.values()];
    this.components = undefined;
    this.touch();
  }

  /**
   * Adds what discovery found; the same name from another file is a duplicate problem, the same file
   * again is the same extension. Returns the names, and the problems not seen before.
   */
  register(result: DiscoveryResult, handleOf: (name: string) => unknown): { names: string[]; problems: ExtensionError[] } {
    const names: string[] = [];
    const problems = [...result.problems];
    for (const definition of result.definitions) {
      const existing = this.records.get(definition.name);
      if (existing && existing.definition.source !== definition.source) {
        problems.push(duplicateNameError(definition.name, existing.definition.source, definition.source));
        continue;
      }
      const name = definition.name;
      if (!existing) this.add({ definition, state: 'discovered', secrets: [], setupDone: false, timings: { import: ownValue(result.importMs, name) }, order: 0, handle: handleOf(name) });
      names.push(name);
    }
    return { names, problems: this.addProblems(problems) };
  }

  /** Keeps each problem once (a second scan of a path finds the same ones); returns the new ones. */
  addProblems(problems: ExtensionError[]): ExtensionError[] {
    const fresh = problems.filter((p) => !this.problemMessages.has(p.message));
    for (const problem of fresh) this.problemMessages.add(problem.message);
    this.knownProblems.push(...fresh);
    return fresh;
  }

  problems(): ExtensionError[] {
    return [...this.knownProblems];
  }

  /** Extensions that name `name` in their dependencies. */
  dependentsOf(name: string): string[] {
    return this.list.filter((r) => r.definition.dependsOn.includes(name)).map((r) => r.definition.name);
  }

  /** Every extension connected to `name` through dependencies, either way (including itself). */
  component(name: string): string[] {
    this.components ??= this.buildComponents();
    return this.components.get(name) ?? [name];
  }

  private buildComponents(): Map<string, string[]> {
    const neighbours = new Map<string, Set<string>>();
    const link = (a: string, b: string) => {
      if (!neighbours.has(a)) neighbours.set(a, new Set());
      neighbours.get(a)!.add(b);
    };
    for (const { definition } of this.list) {
      link(definition.name, definition.name);
      for (const dependency of definition.dependsOn) {
        link(definition.name, dependency);
        link(dependency, definition.name);
      }
    }
    const result = new Map<string, string[]>();
    for (const start of neighbours.keys()) {
      if (result.has(start)) continue;
      const members: string[] = [];
      const queue = [start];
      const seen = new Set(queue);
      while (queue.length) {
        const current = queue.pop()!;
        members.push(current);
        for (const next of neighbours.get(current) ?? []) if (!seen.has(next)) seen.add(next), queue.push(next);
      }
      for (const member of members) result.set(member, members);
    }
    return result;
  }
}
