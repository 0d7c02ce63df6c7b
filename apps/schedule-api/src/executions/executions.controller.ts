import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type {
  AttemptListResponse,
  ExecutionDetailResponse,
  ExecutionResponse,
  Principal,
} from '@scheduleman/domain';
import { ResultTokenRoute } from '@scheduleman/runtime';
import {
  type AuthenticatedRequest,
  CurrentPrincipal,
  RequireScope,
} from '../auth/auth.decorators';
import { IdPipe } from '../http/id.pipe';
import { PageQueryDto } from '../schedules/dto/queries.dto';
import {
  ErrorResponseDto,
  ExecutionResponseDto,
} from '../schedules/dto/responses.dto';
import {
  AttemptListResponseDto,
  ExecutionDetailResponseDto,
  ResultReportDto,
} from './dto/execution-detail.dto';
import { ExecutionsService } from './executions.service';

const ERROR = { type: ErrorResponseDto };

/** An execution's detail and attempts, and result reports (docs/api.md). */
@ApiTags('executions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ ...ERROR, description: 'No valid key.' })
@ApiForbiddenResponse({
  ...ERROR,
  description: 'The key lacks the scope, or the result token is not valid.',
})
@Controller()
export class ExecutionsController {
  constructor(private readonly executions: ExecutionsService) {}

  @RequireScope('schedules:read')
  @Get('schedules/:id/executions/:executionId')
  @ApiOperation({
    summary: 'One execution, with its result and its first attempts',
    description:
      '`attempts` is the first page of attempts, oldest first (20); `attemptCount` the number made.',
  })
  @ApiOkResponse({ type: ExecutionDetailResponseDto })
  @ApiNotFoundResponse(ERROR)
  detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('executionId', IdPipe) executionId: string,
  ): Promise<ExecutionDetailResponse> {
    return this.executions.detail(principal, id, executionId);
  }

  @RequireScope('schedules:read')
  @Get('schedules/:id/executions/:executionId/attempts')
  @ApiOperation({ summary: 'Attempts of an execution, oldest first (paged)' })
  @ApiOkResponse({ type: AttemptListResponseDto })
  @ApiNotFoundResponse(ERROR)
  attempts(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Param('executionId', IdPipe) executionId: string,
    @Query() query: PageQueryDto,
  ): Promise<AttemptListResponse> {
    return this.executions.attempts(principal, id, executionId, query);
  }

  @ResultTokenRoute()
  @RequireScope('schedules:write')
  @Post('executions/:executionId/result')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Report how the work of an execution ended',
    description:
      "Authorised by the execution's result token (header X-Scheduleman-Result-Token, sent with every delivery) or by an API key of the owner with schedules:write. The first report wins; the same report again answers 200 with it; a different one is a 409.",
  })
  @ApiHeader({ name: 'X-Scheduleman-Result-Token', required: false })
  @ApiBody({ type: ResultReportDto })
  @ApiOkResponse({ type: ExecutionResponseDto })
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse(ERROR)
  report(
    @Req() request: AuthenticatedRequest,
    @Headers('x-scheduleman-result-token') token: string | undefined,
    @Param('executionId', IdPipe) executionId: string,
    @Body() body: ResultReportDto,
  ): Promise<ExecutionResponse> {
    return this.executions.report(
      { token, principal: request.principal },
      executionId,
      body,
    );
  }
}
