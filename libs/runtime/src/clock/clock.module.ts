import { Global, Module } from '@nestjs/common';
import { SystemClock } from '@scheduleman/domain';

/**
 * Injection token for the `Clock` (libs/domain/src/clock.ts). Inject with
 * `@Inject(CLOCK) clock: Clock`; tests replace it with
 * `.overrideProvider(CLOCK).useValue(new FakeClock())`.
 */
export const CLOCK = Symbol('CLOCK');

/** Provides the host's SystemClock under CLOCK, app-wide. */
@Global()
@Module({
  providers: [{ provide: CLOCK, useClass: SystemClock }],
  exports: [CLOCK],
})
export class ClockModule {}
