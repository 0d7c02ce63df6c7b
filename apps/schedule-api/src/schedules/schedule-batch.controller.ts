import { Body, Controller, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import {
  MAX_BATCH_SCHEDULES,
  type Principal,
  type ScheduleBatchResponse,
} from '@scheduleman/domain';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { BATCH_BODY_LIMIT_FACTOR } from '../http/json-http';
import { CreateScheduleBatchDto } from './dto/create-schedule-batch.dto';
import {
  ErrorResponseDto,
  ScheduleBatchResponseDto,
} from './dto/responses.dto';
import { ScheduleBatchService } from './schedule-batch.service';

const ERROR = { type: ErrorResponseDto };

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('schedules')
export class ScheduleBatchController {
  constructor(private readonly batch: ScheduleBatchService) {}

  @RequireScope('schedules:write')
  @Post('batch')
  @ApiOperation({
    summary: 'Create many schedules, all or none',
    description: `\`schedules\`: 1..${String(MAX_BATCH_SCHEDULES)} bodies of POST /schedules, each validated as POST /schedules validates its body, each counted against its owner's quotas. All are stored in one transaction, or none: any refused item makes the answer a refusal listing every refused item's problems, each with its \`index\` and its field as a path of this body (\`schedules[3].schedule.expression\`). The body may be up to ${String(BATCH_BODY_LIMIT_FACTOR)} × REQUEST_BODY_LIMIT_BYTES. Answers 201 with the stored schedules in the order sent.`,
  })
  @ApiBody({ type: CreateScheduleBatchDto })
  @ApiCreatedResponse({ type: ScheduleBatchResponseDto })
  @ApiBadRequestResponse({
    ...ERROR,
    description:
      'VALIDATION_FAILED: `schedules` is missing, empty or has more than 1000 items, or items are invalid (each problem with its `index`). Nothing is written.',
  })
  @ApiUnauthorizedResponse({
    ...ERROR,
    description: 'No key, or a key that is unknown, revoked or expired.',
  })
  @ApiForbiddenResponse({
    ...ERROR,
    description:
      "The key lacks schedules:write, or items name another owner than the key's (`schedules[i].owner`, with `index`). Nothing is written.",
  })
  @ApiConflictResponse({
    ...ERROR,
    description:
      'QUOTA_EXCEEDED: the items would take an owner over QUOTA_MAX_SCHEDULES_PER_OWNER or QUOTA_MAX_FIRES_PER_MINUTE_PER_OWNER (field `owner`), or items fire more often than QUOTA_MIN_CRON_INTERVAL (`schedules[i].schedule.expression`, with `index`). Nothing is written.',
  })
  @ApiTooManyRequestsResponse({
    ...ERROR,
    description:
      'RATE_LIMITED: the key is over RATE_LIMIT_PER_SECOND; a batch counts as one request.',
  })
  @ApiPayloadTooLargeResponse(ERROR)
  @ApiUnsupportedMediaTypeResponse(ERROR)
  create(
    @CurrentPrincipal() principal: Principal,
    // Typed `unknown` so the global ValidationPipe leaves it alone: the service checks
    // it and its 1,000 items by CreateScheduleBatchDto's rules without copying them.
    @Body() body: unknown,
  ): Promise<ScheduleBatchResponse> {
    return this.batch.create(principal, body);
  }
}
