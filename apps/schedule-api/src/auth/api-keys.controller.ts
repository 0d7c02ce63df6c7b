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
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreatedApiKeyResponse,
  Principal,
} from '@scheduleman/domain';
import { IdPipe } from '../http/id.pipe';
import { ErrorResponseDto } from '../schedules/dto/responses.dto';
import { ApiKeysService } from './api-keys.service';
import { CurrentPrincipal, RequireScope } from './auth.decorators';
import {
  ApiKeyListResponseDto,
  ApiKeyResponseDto,
  CreateApiKeyDto,
  CreatedApiKeyResponseDto,
  ListApiKeysQueryDto,
} from './dto/api-key.dto';

/** `/api-keys`: admin only (ADMIN_API_KEY, or a key with the admin scope). */
@ApiTags('api-keys')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key (admin)',
    description:
      'The answer holds the key; it is shown only here and stored only as a hash.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyResponse> {
    return this.keys.create(principal, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys, oldest first, without the keys' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  list(@Query() query: ListApiKeysQueryDto): Promise<ApiKeyListResponse> {
    return this.keys.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key, without the key' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  get(@Param('id', IdPipe) id: string): Promise<ApiKeyResponse> {
    return this.keys.get(id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'At once: the next request with the key is a 401, on every API process. Idempotent.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    await this.keys.revoke(principal, id);
  }
}
