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
  ConnectionListResponse,
  ConnectionResponse,
  Principal,
} from '@scheduleman/domain';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { IdPipe } from '../http/id.pipe';
import { ErrorResponseDto } from '../schedules/dto/responses.dto';
import { ConnectionsService } from './connections.service';
import {
  ConnectionListResponseDto,
  ConnectionResponseDto,
  CreateConnectionDto,
  DeleteConnectionQueryDto,
  ListConnectionsQueryDto,
} from './dto/connection.dto';

const ERROR = { type: ErrorResponseDto };

/**
 * `/connections`: every route needs `connections:write`, reading included (a connection
 * names a broker's hosts and user; schedules refer to it by id and need no read access).
 */
@ApiTags('connections')
@ApiBearerAuth()
@ApiUnauthorizedResponse({
  ...ERROR,
  description: 'No key, or a key that is unknown, revoked or expired.',
})
@ApiForbiddenResponse({
  ...ERROR,
  description: 'The key lacks connections:write, or names another owner.',
})
@ApiBadRequestResponse({
  ...ERROR,
  description: 'Invalid input; `errors` names the field.',
})
@RequireScope('connections:write')
@Controller('connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a connection to a message broker',
    description:
      'The URL is checked for its type, encrypted at rest and shown masked. A literal address that is not public is refused unless WEBHOOK_ALLOWED_NETWORKS lists it.',
  })
  @ApiCreatedResponse({ type: ConnectionResponseDto })
  @ApiConflictResponse({
    ...ERROR,
    description: 'The owner already has a connection of this name.',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateConnectionDto,
  ): Promise<ConnectionResponse> {
    return this.connections.create(principal, dto);
  }

  @Get()
  @ApiOperation({
    summary: 'List connections, oldest first (keyset pagination)',
  })
  @ApiOkResponse({ type: ConnectionListResponseDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListConnectionsQueryDto,
  ): Promise<ConnectionListResponse> {
    return this.connections.list(principal, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a connection (its URL masked)' })
  @ApiOkResponse({ type: ConnectionResponseDto })
  @ApiNotFoundResponse(ERROR)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<ConnectionResponse> {
    return this.connections.get(principal, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a connection',
    description:
      'A connection that schedules use is a 409 naming them, unless ?cascade=true, which deletes those schedules with it in one transaction.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(ERROR)
  @ApiConflictResponse({
    ...ERROR,
    description: 'Schedules use the connection; the message names them.',
  })
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
    @Query() query: DeleteConnectionQueryDto,
  ): Promise<void> {
    return this.connections.delete(principal, id, query);
  }
}
