import { Injectable } from '@nestjs/common';

/** What a readiness probe reports; `details` appear in the `/health` body under its name. */
export interface ReadinessResult {
  ready: boolean;
  details?: Record<string, unknown>;
}

export type ReadinessProbe = () => ReadinessResult | Promise<ReadinessResult>;

/**
 * Readiness checks that an app adds beside the built-in database check, e.g. the
 * scheduler's "claim loop ran recently":
 *
 *   constructor(readiness: ReadinessRegistry) {
 *     readiness.register('claimLoop', () => ({ ready: loop.isHealthy(), details: { lastRunAt } }));
 *   }
 *
 * A probe that throws counts as not ready; it never turns `/health` into a 500.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(name: string, probe: ReadinessProbe): void {
    if (name === 'database' || this.probes.has(name))
      throw new Error(`readiness probe "${name}" is already registered`);
    this.probes.set(name, probe);
  }

  entries(): [string, ReadinessProbe][] {
    return [...this.probes.entries()];
  }
}
