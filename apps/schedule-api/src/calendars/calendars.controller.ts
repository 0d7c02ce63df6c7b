import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type {
  CalendarListResponse,
  CalendarResponse,
  Principal,
} from '@scheduleman/domain';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { IdPipe } from '../http/id.pipe';
import { ErrorResponseDto } from '../schedules/dto/responses.dto';
import { CalendarsService } from './calendars.service';
import {
  CalendarListResponseDto,
  CalendarResponseDto,
  CreateCalendarDto,
  ListCalendarsQueryDto,
} from './dto/calendar.dto';

const ERROR = { type: ErrorResponseDto };

/** `/calendars`: reading needs `schedules:read`, creating and deleting `schedules:write`. */
@ApiTags('calendars')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  ...ERROR,
  description: 'No key, or a key that is unknown, revoked or expired.',
})
@ApiForbiddenResponse({
  ...ERROR,
  description: 'The key lacks the scope, or names another owner.',
})
@ApiBadRequestResponse({
  ...ERROR,
  description: 'Invalid input; `errors` names the field.',
})
@Controller('calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @RequireScope('schedules:write')
  @Post()
  @ApiOperation({
    summary: 'Create a calendar: a named list of exclusions',
    description:
      'Schedules of the same owner name it in `calendarIds`; its periods are read in each schedule’s zone.',
  })
  @ApiCreatedResponse({ type: CalendarResponseDto })
  @ApiConflictResponse({
    ...ERROR,
    description: 'The owner already has a calendar of this name.',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateCalendarDto,
  ): Promise<CalendarResponse> {
    return this.calendars.create(principal, dto);
  }

  @RequireScope('schedules:read')
  @Get()
  @ApiOperation({ summary: 'List calendars, oldest first (keyset pagination)' })
  @ApiOkResponse({ type: CalendarListResponseDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListCalendarsQueryDto,
  ): Promise<CalendarListResponse> {
    return this.calendars.list(principal, query);
  }

  @RequireScope('schedules:read')
  @Get(':id')
  @ApiOperation({ summary: 'Get a calendar' })
  @ApiOkResponse({ type: CalendarResponseDto })
  @ApiNotFoundResponse(ERROR)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<CalendarResponse> {
    return this.calendars.get(principal, id);
  }

  @RequireScope('schedules:write')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a calendar',
    description:
      'A calendar that schedules name is a 409 naming them: remove it from their calendarIds first.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse({
    ...ERROR,
    description: 'Schedules name the calendar; the message lists them.',
  })
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    return this.calendars.delete(principal, id);
  }
}
