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
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
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
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type {
  Principal,
  ExecutionListResponse,
  ExecutionResponse,
  PreviewResponse,
  ScheduleListResponse,
  ScheduleResponse,
  UpcomingResponse,
} from '@scheduleman/domain';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
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
import { BROKER_TRIGGER_DOCS } from './dto/broker-trigger-docs.dto';
import { UpdateScheduleDto } from './dto/update-schedule.dto';
import { PauseScheduleDto } from './dto/pause-schedule.dto';
import { PreviewResponseDto, PreviewScheduleDto } from './dto/preview.dto';
import { ScheduleNoteDto } from './dto/note.dto';
import { compileBodyCheck } from '../http/dto-precheck';
import { IdPipe } from '../http/id.pipe';
import { SchedulesService } from './schedules.service';

const ERROR = { type: ErrorResponseDto };
const CREATE_BODY = compileBodyCheck(CreateScheduleDto);

const QUOTA_EXCEEDED = {
  ...ERROR,
  description:
    'QUOTA_EXCEEDED: the owner would go over QUOTA_MAX_SCHEDULES_PER_OWNER or QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER (field `owner`), or the cron fires more often than QUOTA_MIN_CRON_INTERVAL (field `schedule.expression`). Nothing is written.',
};

@ApiTags('schedules')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  ...ERROR,
  description: 'No key, or a key that is unknown, revoked or expired.',
})
@ApiForbiddenResponse({
  ...ERROR,
  description: 'The key lacks the scope, or names another owner.',
})
@ApiTooManyRequestsResponse({
  ...ERROR,
  description:
    'RATE_LIMITED: the key is over RATE_LIMIT_PER_SECOND (bursts of RATE_LIMIT_BURST); retry after `Retry-After` seconds.',
})
@ApiExtraModels(
  CronScheduleDoc,
  AtScheduleDoc,
  DelayScheduleDoc,
  WebhookTriggerDoc,
  ...BROKER_TRIGGER_DOCS,
)
@ApiBadRequestResponse({
  ...ERROR,
  description: 'Invalid input; `errors` names each field.',
  example: ERROR_EXAMPLE,
})
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @RequireScope('schedules:write')
  @Post()
  @ApiOperation({
    summary: 'Create a schedule',
    description: 'Committed before the 201 is sent.',
  })
  @ApiBody({ type: CreateScheduleDto, examples: CREATE_SCHEDULE_EXAMPLES })
  @ApiCreatedResponse({ type: ScheduleResponseDto })
  @ApiConflictResponse(QUOTA_EXCEEDED)
  @ApiPayloadTooLargeResponse(ERROR)
  @ApiUnsupportedMediaTypeResponse(ERROR)
  async create(
    @CurrentPrincipal() principal: Principal,
    // Typed `unknown` so the global ValidationPipe leaves it alone: CREATE_BODY checks
    // it, with the pipe's answer to a bad one.
    @Body() body: unknown,
  ): Promise<ScheduleResponse> {
    return this.schedules.create(principal, await CREATE_BODY(body));
  }

  @RequireScope('schedules:read')
  @Post('preview')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'The next occurrences of a schedule spec, with notes',
    description:
      'Nothing is stored. The occurrences come from the code the scheduler fires with; `notes` explain DST gaps and overlaps, days some months lack, and what the time policies sent beside `schedule` (exclusions, calendarIds, flexibleWindow, catchUpWindow, overlapPolicy, pausedUntil) do to each; `skipped` marks those that will not fire. Validation is that of create (fields `schedule.*` and the policies), plus `count` (1..100), `from` (ISO instant with offset) and `scheduleId`.',
  })
  @ApiBody({ type: PreviewScheduleDto })
  @ApiOkResponse({ type: PreviewResponseDto })
  @ApiPayloadTooLargeResponse(ERROR)
  @ApiUnsupportedMediaTypeResponse(ERROR)
  preview(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: PreviewScheduleDto,
  ): Promise<PreviewResponse> {
    return this.schedules.preview(principal, dto);
  }

  @RequireScope('schedules:read')
  @Get()
  @ApiOperation({ summary: 'List schedules, oldest first (keyset pagination)' })
  @ApiOkResponse({ type: ScheduleListResponseDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSchedulesQueryDto,
  ): Promise<ScheduleListResponse> {
    return this.schedules.list(principal, query);
  }

  @RequireScope('schedules:read')
  @Get(':id')
  @ApiOperation({ summary: 'Get a schedule' })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<ScheduleResponse> {
    return this.schedules.get(principal, id);
  }

  @RequireScope('schedules:write')
  @Patch(':id')
  @ApiOperation({
    summary: 'Change a schedule',
    description:
      'Any subset of the create fields. A new `schedule` recomputes nextRunAt from now (a paused schedule stays paused, a completed one becomes active) and cancels pending executions due more than 2 s from now.',
  })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(QUOTA_EXCEEDED)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() dto: UpdateScheduleDto,
  ): Promise<ScheduleResponse> {
    return this.schedules.update(principal, id, dto);
  }

  @RequireScope('schedules:write')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a schedule and its history',
    description:
      'After it returns, no occurrence scheduled more than 2 s later fires.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(ERROR)
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    return this.schedules.delete(principal, id);
  }

  @RequireScope('schedules:read')
  @Get(':id/upcoming')
  @ApiOperation({ summary: 'The next N occurrence times' })
  @ApiOkResponse({ type: UpcomingResponseDto })
  @ApiNotFoundResponse(ERROR)
  upcoming(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: UpcomingQueryDto,
  ): Promise<UpcomingResponse> {
    return this.schedules.upcoming(principal, id, query.count);
  }

  @RequireScope('schedules:write')
  @Post(':id/pause')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Pause (idempotent)',
    description:
      'Cancels pending executions due more than 2 s from now. 409 for a completed schedule. The body is optional: `{ "note": "…" }` (at most 500 characters) is kept in the schedule history; `{ "until": "<ISO>" }` sets pausedUntil. Pausing a paused schedule records nothing (with `until`, it moves the end).',
  })
  @ApiBody({ type: PauseScheduleDto, required: false })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  pause(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() dto: PauseScheduleDto,
  ): Promise<ScheduleResponse> {
    return this.schedules.pause(principal, id, dto);
  }

  @RequireScope('schedules:write')
  @Post(':id/skip-next')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Skip the next occurrence (idempotent)',
    description:
      'Marks the next occurrence (`skipNextAt`, its scheduled time): it is recorded as skipped with reason `skip_next` instead of firing. For a paused schedule with pausedUntil, the first occurrence after the pause. 409 naming `status` for a completed schedule or one paused without an end.',
  })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  skipNext(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<ScheduleResponse> {
    return this.schedules.skipNext(principal, id);
  }

  @RequireScope('schedules:write')
  @Post(':id/resume')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Resume (idempotent)',
    description:
      'nextRunAt is recomputed from now. 409 CONFLICT for a completed schedule, 409 QUOTA_EXCEEDED when its rate would take the owner over QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER. An optional body `{ "note": "…" }` as on pause.',
  })
  @ApiBody({ type: ScheduleNoteDto, required: false })
  @ApiOkResponse({ type: ScheduleResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  resume(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Body() dto: ScheduleNoteDto,
  ): Promise<ScheduleResponse> {
    return this.schedules.resume(principal, id, dto.note);
  }

  @RequireScope('schedules:write')
  @Post(':id/trigger')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Run now',
    description:
      'Creates a pending execution due at once; a scheduler fires it. Works in any status.',
  })
  @ApiAcceptedResponse({ type: ExecutionResponseDto })
  @ApiNotFoundResponse(ERROR)
  trigger(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<ExecutionResponse> {
    return this.schedules.runNow(principal, id);
  }

  @RequireScope('schedules:read')
  @Get(':id/executions')
  @ApiOperation({
    summary: 'Execution history, newest scheduled first (keyset pagination)',
  })
  @ApiOkResponse({ type: ExecutionListResponseDto })
  @ApiNotFoundResponse(ERROR)
  executions(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<ExecutionListResponse> {
    return this.schedules.listExecutions(principal, id, query);
  }
}
