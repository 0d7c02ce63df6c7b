import type { Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type Clock, OffsetClock } from '@scheduleman/domain';
import { CLOCK } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../config/scheduler-config.token';
import { ScheduleUpkeepRepository } from '../housekeeping/schedule-upkeep.repository';
import { ClaimsRepository } from './claims.repository';

/**
 * Injection token of this scheduler's database clock: an OffsetClock over the host's
 * CLOCK, calibrated by the claim loop on every round trip. The engine and housekeeping
 * share it, so both read the database's "now".
 */
export const DATABASE_CLOCK = Symbol('DATABASE_CLOCK');

/** The claim statements, leasing as this scheduler, the upkeep statements, and the database clock. */
export const CLAIMS_PROVIDERS: Provider[] = [
  {
    provide: ClaimsRepository,
    inject: [getDataSourceToken(), SCHEDULER_CONFIG],
    useFactory: (dataSource: DataSource, config: SchedulerConfig) =>
      new ClaimsRepository(dataSource, {
        owner: config.schedulerId,
        leaseDurationMs: config.leaseDurationMs,
      }),
  },
  {
    provide: ScheduleUpkeepRepository,
    inject: [getDataSourceToken(), SCHEDULER_CONFIG],
    useFactory: (dataSource: DataSource, config: SchedulerConfig) =>
      new ScheduleUpkeepRepository(dataSource, config.schedulerId),
  },
  {
    provide: DATABASE_CLOCK,
    inject: [CLOCK],
    useFactory: (hostClock: Clock) => new OffsetClock(hostClock),
  },
];
