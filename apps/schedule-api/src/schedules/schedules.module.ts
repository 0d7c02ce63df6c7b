import { type DynamicModule, Module } from '@nestjs/common';
import type { TriggerParseContext } from '@scheduleman/domain';
import { TriggerResealer } from '../secrets/trigger-resealer';
import { SchedulesController } from './schedules.controller';
import { SchedulesRepository } from './schedules.repository';
import { SchedulesService, TRIGGER_PARSE_CONTEXT } from './schedules.service';

@Module({})
export class SchedulesModule {
  /** `context` holds what trigger validation needs from the configuration (allowed networks). */
  static forRoot(context: TriggerParseContext): DynamicModule {
    return {
      module: SchedulesModule,
      controllers: [SchedulesController],
      providers: [
        SchedulesService,
        SchedulesRepository,
        TriggerResealer,
        { provide: TRIGGER_PARSE_CONTEXT, useValue: context },
      ],
    };
  }
}
