import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AuditEventListResponse } from '@scheduleman/domain';
import { RequireScope } from '../auth/auth.decorators';
import { ErrorResponseDto } from '../schedules/dto/responses.dto';
import { AuditEventsService } from './audit-events.service';
import {
  AuditEventListResponseDto,
  ListAuditEventsQueryDto,
} from './dto/audit-event.dto';

const ERROR = { type: ErrorResponseDto };

/** `/audit-events`: admin only (ADMIN_API_KEY, or a key with the admin scope). */
@ApiTags('audit-events')
@ApiBearerAuth()
@ApiUnauthorizedResponse(ERROR)
@ApiForbiddenResponse({
  ...ERROR,
  description: 'The key lacks the admin scope.',
})
@RequireScope('admin')
@Controller('audit-events')
export class AuditEventsController {
  constructor(private readonly events: AuditEventsService) {}

  @Get()
  @ApiOperation({
    summary: 'List audit events, newest first (admin)',
    description:
      'Every change to schedules, API keys, signing secrets and connections, with who made it. Filter by owner, schedule or action; page with nextCursor.',
  })
  @ApiOkResponse({ type: AuditEventListResponseDto })
  @ApiBadRequestResponse(ERROR)
  list(
    @Query() query: ListAuditEventsQueryDto,
  ): Promise<AuditEventListResponse> {
    return this.events.list(query);
  }
}
