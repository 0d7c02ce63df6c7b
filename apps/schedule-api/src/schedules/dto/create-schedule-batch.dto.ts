import { ApiProperty } from '@nestjs/swagger';
import {
  type CreateScheduleBatchRequest,
  MAX_BATCH_SCHEDULES,
} from '@scheduleman/domain';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { CreateScheduleDto, type Unparsed } from './create-schedule.dto';

/**
 * Body of POST /schedules/batch. Only the list is checked here; each item is validated
 * by the service with the rules of POST /schedules (CreateScheduleDto and the domain
 * parsers), so that every item's problems are reported, by index.
 */
export class CreateScheduleBatchDto
  implements Unparsed<CreateScheduleBatchRequest, 'schedules'>
{
  @ApiProperty({
    type: [CreateScheduleDto],
    minItems: 1,
    maxItems: MAX_BATCH_SCHEDULES,
    description: `1..${String(MAX_BATCH_SCHEDULES)} bodies of POST /schedules, stored all or none.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_SCHEDULES)
  schedules: unknown[];
}
