import { Logger } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';

/** The reason a down extension gives, on one line and short: what its check said, or its state. */
function reasonOf(data: Record<string, unknown>): string {
  const said = [data.message, data.error].find((v): v is string => typeof v === 'string' && v !== '');
  const reason = said ?? (data.healthy === false ? 'healthCheck() answered healthy: false' : `state ${String(data.state)}`);
  const line = reason.split('\n')[0];
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Logs health on change, not per probe: one warning when an extension goes down (with its reason),
 * one line when it is up again, nothing while it stays as it was. Probes come every few seconds, and
 * Terminus's own log (the whole answer as JSON, per failing probe) is off. `degraded` (failed at boot
 * under `continue`, open breakers) is not "down": the boot tree and the breakers log those already.
 */
export class HealthChangeLog {
  private readonly logger = new Logger('Extensions');
  /** Extensions last seen down; bounded by the extensions the app has. */
  private readonly down = new Set<string>();

  note(name: string, result: HealthIndicatorResult): void {
    const data = (result[name] ?? {}) as Record<string, unknown>;
    const isDown = data.status === 'down';
    if (isDown === this.down.has(name)) return;
    if (isDown) {
      this.down.add(name);
      this.logger.warn(`Health: extension "${name}" is down: ${reasonOf(data)}`);
    } else {
      this.down.delete(name);
      this.logger.log(`Health: extension "${name}" is up again`);
    }
  }
}
