import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type {
  ExecutionListResponse,
  ExecutionResponse,
  ScheduleListResponse,
  ScheduleResponse,
  UpcomingResponse,
} from '@scheduleman/domain';
import { CreateScheduleDto } from './dto/create-schedule.dto';
import { CREATE_SCHEDULE_EXAMPLES, ERROR_EXAMPLE } from './dto/examples';
import {
  ListSchedulesQueryDto,
  PageQueryDto,
  UpcomingQueryDto,
} from './dto/queries.dto';
import {
  ErrorResponseDto,
  ExecutionListResponseDto,
  ExecutionResponseDto,
  ScheduleListResponseDto,
  ScheduleResponseDto,
  UpcomingResponseDto,
} from './dto/responses.dto';
import {
  AtScheduleDoc,
  CronScheduleDoc,
  DelayScheduleDoc,
  WebhookTriggerDoc,
} from './dto/spec-docs.dto';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import { ScheduleIdPipe } from './id.pipe';
import { SchedulesService } from './schedules.service';

const ERROR = { type: ErrorResponseDto };

@ApiTags('schedules')
@ApiExtraModels(
  CronScheduleDoc,
  AtScheduleDoc,
  DelayScheduleDoc,
  WebhookTriggerDoc,
)
@ApiBadRequestResponse({
  ...ERROR,
  description: 'Invalid input; `errors` names each field.',
  example: ERROR_EXAMPLE,
})
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a schedule',
    description: 'Committed before the 201 is sent.',
  })
  @ApiBody({ type: CreateScheduleDto, examples: CREATE_SCHEDULE_EXAMPLES })
  @ApiCreatedResponse({ type: ScheduleResponseDto })
  @ApiPayloadTooLargeResponse(ERROR)
  @ApiUnsupportedMediaTypeResponse(ERROR)
  create(@Body() dto: CreateScheduleDto): Promise<ScheduleResponse> {
    return this.schedules.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List schedules, oldest first (keyset pagination)' })
  @ApiOkResponse({ type: ScheduleListResponseDto })
  list(@Query() query: ListSchedulesQueryDto): Promise<ScheduleListResponse> {
    return this.schedules.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a schedule' })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  get(@Param('id', ScheduleIdPipe) id: string): Promise<ScheduleResponse> {
    return this.schedules.get(id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change a schedule',
    description:
      'Any subset of the create fields. A new `schedule` recomputes nextRunAt from now (a paused schedule stays paused, a completed one becomes active) and cancels pending executions due more than 2 s from now.',
  })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  update(
    @Param('id', ScheduleIdPipe) id: string,
    @Body() dto: UpdateScheduleDto,
  ): Promise<ScheduleResponse> {
    return this.schedules.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a schedule and its history',
    description:
      'After it returns, no occurrence scheduled more than 2 s later fires.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(ERROR)
  delete(@Param('id', ScheduleIdPipe) id: string): Promise<void> {
    return this.schedules.delete(id);
  }

  @Get(':id/upcoming')
  @ApiOperation({ summary: 'The next N occurrence times' })
  @ApiOkResponse({ type: UpcomingResponseDto })
  @ApiNotFoundResponse(ERROR)
  upcoming(
    @Param('id', ScheduleIdPipe) id: string,
    @Query() query: UpcomingQueryDto,
  ): Promise<UpcomingResponse> {
    return this.schedules.upcoming(id, query.count);
  }

  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pause (idempotent)',
    description:
      'Cancels pending executions due more than 2 s from now. 409 for a completed schedule.',
  })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  pause(@Param('id', ScheduleIdPipe) id: string): Promise<ScheduleResponse> {
    return this.schedules.pause(id);
  }

  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Resume (idempotent)',
    description:
      'nextRunAt is recomputed from now. 409 for a completed schedule.',
  })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  resume(@Param('id', ScheduleIdPipe) id: string): Promise<ScheduleResponse> {
    return this.schedules.resume(id);
  }

  @Post(':id/trigger')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Run now',
    description:
      'Creates a pending execution due at once; a scheduler fires it. Works in any status.',
  })
  @ApiAcceptedResponse({ type: ExecutionResponseDto })
  @ApiNotFoundResponse(ERROR)
  trigger(@Param('id', ScheduleIdPipe) id: string): Promise<ExecutionResponse> {
    return this.schedules.runNow(id);
  }

  @Get(':id/executions')
  @ApiOperation({
    summary: 'Execution history, newest scheduled first (keyset pagination)',
  })
  @ApiOkResponse({ type: ExecutionListResponseDto })
  @ApiNotFoundResponse(ERROR)
  executions(
    @Param('id', ScheduleIdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ExecutionListResponse> {
    return this.schedules.listExecutions(id, query);
  }
}
