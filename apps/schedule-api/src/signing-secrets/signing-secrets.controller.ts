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
  CreatedSigningSecretResponse,
  Principal,
  SigningSecretListResponse,
  SigningSecretResponse,
} from '@scheduleman/domain';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import { IdPipe } from '../http/id.pipe';
import { ErrorResponseDto } from '../schedules/dto/responses.dto';
import {
  CreateSigningSecretDto,
  CreatedSigningSecretResponseDto,
  ListSigningSecretsQueryDto,
  SigningSecretListResponseDto,
  SigningSecretResponseDto,
} from './dto/signing-secret.dto';
import { SigningSecretsService } from './signing-secrets.service';

const ERROR = { type: ErrorResponseDto };

/**
 * `/signing-secrets`: the secrets that sign an owner's deliveries (Standard Webhooks).
 * The scopes of the schedules: who may create an owner's deliveries may manage what
 * signs them (`schedules:write`), who may read its schedules may list them
 * (`schedules:read`; a list never holds a secret).
 */
@ApiTags('signing-secrets')
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
  description: 'Invalid input; `errors` names each field.',
})
@Controller('signing-secrets')
export class SigningSecretsController {
  constructor(private readonly secrets: SigningSecretsService) {}

  @RequireScope('schedules:write')
  @Post()
  @ApiOperation({
    summary: 'Create a signing secret for an owner',
    description:
      "The answer holds the secret; it is shown only here. The owner's deliveries are signed with it (and its other active secrets) within 5 s.",
  })
  @ApiCreatedResponse({ type: CreatedSigningSecretResponseDto })
  @ApiConflictResponse({
    ...ERROR,
    description: 'The owner already has 10 active secrets.',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateSigningSecretDto,
  ): Promise<CreatedSigningSecretResponse> {
    return this.secrets.create(principal, dto);
  }

  @RequireScope('schedules:read')
  @Get()
  @ApiOperation({
    summary: 'List signing secrets, oldest first, without the secrets',
  })
  @ApiOkResponse({ type: SigningSecretListResponseDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListSigningSecretsQueryDto,
  ): Promise<SigningSecretListResponse> {
    return this.secrets.list(principal, query);
  }

  @RequireScope('schedules:read')
  @Get(':id')
  @ApiOperation({ summary: 'Get a signing secret, without the secret' })
  @ApiOkResponse({ type: SigningSecretResponseDto })
  @ApiNotFoundResponse(ERROR)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<SigningSecretResponse> {
    return this.secrets.get(principal, id);
  }

  @RequireScope('schedules:write')
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Retire a signing secret',
    description:
      'Deliveries whose attempt starts more than 5 s later no longer carry its signature. Idempotent.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse(ERROR)
  async retire(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    await this.secrets.retire(principal, id);
  }
}
