import { type DynamicModule, Module } from '@nestjs/common';
import {
  TRIGGER_DEFINITIONS,
  type TriggerDefinition,
  type TriggerParseContext,
} from '@scheduleman/domain';
import { SchedulesController } from './schedules.controller';
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
   * networks); `definitions` the trigger types accepted.
   */
  static forRoot(
    context: TriggerParseContext,
    definitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
  ): DynamicModule {
    return {
      module: SchedulesModule,
      controllers: [SchedulesController],
      providers: [
        SchedulesService,
        SchedulesRepository,
        { provide: TRIGGER_PARSE_CONTEXT, useValue: context },
        { provide: SCHEDULE_TRIGGER_DEFINITIONS, useValue: definitions },
      ],
    };
  }
}
