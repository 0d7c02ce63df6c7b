import { type DynamicModule, Module } from '@nestjs/common';
import {
  TRIGGER_DEFINITIONS,
  type TriggerDefinition,
  type ScheduleQuotas,
  type TriggerParseContext,
  UNLIMITED_SCHEDULE_QUOTAS,
} from '@scheduleman/domain';
import { CoalescedCreations } from './coalesced-creations';
import { OwnerQuotas, SCHEDULE_QUOTAS } from './owner-quotas';
import { TriggerResealer } from '../secrets/trigger-resealer';
import { AuditEventsRepository } from '../audit/audit-events.repository';
import { ScheduleBatchController } from './schedule-batch.controller';
import { ScheduleBatchService } from './schedule-batch.service';
import { ScheduleHistoryController } from './schedule-history.controller';
import { SchedulesController } from './schedules.controller';
import { ExecutionsController } from '../executions/executions.controller';
import { ExecutionsRepository } from '../executions/executions.repository';
import { ExecutionsService } from '../executions/executions.service';
import { SchedulesRepository } from './schedules.repository';
import {
  SCHEDULE_TRIGGER_DEFINITIONS,
  SchedulesService,
  TRIGGER_PARSE_CONTEXT,
} from './schedules.service';

@Module({})
export class SchedulesModule {
  /**
   * `context` holds what trigger validation needs from the configuration (allowed
   * networks); `definitions` the trigger types accepted; `quotas` the limits per owner
   * (docs/security.md).
   */
  static forRoot(
    context: TriggerParseContext,
    definitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
    quotas: ScheduleQuotas = UNLIMITED_SCHEDULE_QUOTAS,
  ): DynamicModule {
    return {
      module: SchedulesModule,
      controllers: [
        ScheduleBatchController,
        SchedulesController,
        ScheduleHistoryController,
        ExecutionsController,
      ],
      providers: [
        SchedulesService,
        ScheduleBatchService,
        ExecutionsService,
        ExecutionsRepository,
        SchedulesRepository,
        AuditEventsRepository,
        OwnerQuotas,
        CoalescedCreations,
        TriggerResealer,
        { provide: TRIGGER_PARSE_CONTEXT, useValue: context },
        { provide: SCHEDULE_TRIGGER_DEFINITIONS, useValue: definitions },
        { provide: SCHEDULE_QUOTAS, useValue: quotas },
      ],
    };
  }
}
