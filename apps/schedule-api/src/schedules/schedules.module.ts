import { type DynamicModule, Module } from '@nestjs/common';
import {
  type ScheduleQuotas,
  type TriggerParseContext,
  UNLIMITED_SCHEDULE_QUOTAS,
} from '@scheduleman/domain';
import { OwnerQuotas, SCHEDULE_QUOTAS } from './owner-quotas';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService, TRIGGER_PARSE_CONTEXT } from './schedules.service';

@Module({})
export class SchedulesModule {
  /**
   * `context` holds what trigger validation needs from the configuration (allowed
   * networks); `quotas` the limits per owner (docs/security.md).
   */
  static forRoot(
    context: TriggerParseContext,
    quotas: ScheduleQuotas = UNLIMITED_SCHEDULE_QUOTAS,
  ): DynamicModule {
    return {
      module: SchedulesModule,
      controllers: [SchedulesController],
      providers: [
        SchedulesService,
        SchedulesRepository,
        OwnerQuotas,
        { provide: TRIGGER_PARSE_CONTEXT, useValue: context },
        { provide: SCHEDULE_QUOTAS, useValue: quotas },
      ],
    };
  }
}
