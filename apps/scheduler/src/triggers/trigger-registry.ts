import { Inject, Injectable } from '@nestjs/common';
import type { TriggerProvider } from '@scheduleman/domain';
import { TRIGGER_PROVIDERS } from './trigger-providers.token';

/**
 * Finds the provider for a stored trigger's `type`. An unknown type is not an error
 * here: `get` returns undefined and the claim loop records a permanent failure for that
 * execution, so one bad row never stops the loop (db-scheduler's "unresolved tasks").
 */
@Injectable()
export class TriggerRegistry {
  private readonly byType = new Map<string, TriggerProvider>();

  constructor(
    @Inject(TRIGGER_PROVIDERS) providers: readonly TriggerProvider[],
  ) {
    for (const provider of providers) {
      // Two providers claiming one type is a wiring mistake: fail at boot, not at fire time.
      if (this.byType.has(provider.type)) {
        throw new Error(
          `Two trigger providers registered for type '${provider.type}'`,
        );
      }
      this.byType.set(provider.type, provider);
    }
  }

  get(type: string): TriggerProvider | undefined {
    return this.byType.get(type);
  }

  /** The registered types, e.g. for the start-up log. */
  types(): string[] {
    return [...this.byType.keys()];
  }
}
