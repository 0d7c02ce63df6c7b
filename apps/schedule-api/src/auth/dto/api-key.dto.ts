import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type ApiKeyListResponse,
  type ApiKeyResponse,
  type CreateApiKeyRequest,
  type CreatedApiKeyResponse,
  type Scope,
  SCOPES,
} from '@scheduleman/domain';
import {
  IsDefined,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import {
  MAX_NAME_LENGTH,
  MAX_OWNER_LENGTH,
} from '../../schedules/dto/create-schedule.dto';
import { PageQueryDto } from '../../schedules/dto/queries.dto';

/** Body of POST /api-keys. `scopes` and `expiresAt` are checked by the service (parseScopes, parseIsoInstant). */
export class CreateApiKeyDto implements Omit<CreateApiKeyRequest, 'scopes'> {
  @ApiProperty({
    maxLength: MAX_OWNER_LENGTH,
    example: 'team-a',
    description:
      'The owner the key acts for: it sees and creates only rows of this owner (unless it has the admin scope).',
  })
  @IsDefined({ message: 'owner is required' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_OWNER_LENGTH)
  owner: string;

  @ApiProperty({
    type: [String],
    enum: SCOPES,
    example: ['schedules:read', 'schedules:write'],
  })
  @IsDefined({ message: 'scopes is required' })
  scopes: unknown;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_NAME_LENGTH,
    example: 'ci deploys',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_NAME_LENGTH)
  name?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    format: 'date-time',
    example: '2027-06-30T00:00:00Z',
    description: 'When the key stops working; absent: never.',
  })
  @IsOptional()
  @IsString()
  expiresAt?: string | null;
}

/** `GET /api-keys?limit=&cursor=&owner=`. */
export class ListApiKeysQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only keys of exactly this owner.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;
}

export class ApiKeyResponseDto implements ApiKeyResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  owner: string;

  @ApiProperty({ type: [String], enum: SCOPES })
  scopes: Scope[];

  @ApiProperty({ nullable: true, type: String })
  name: string | null;

  @ApiProperty({
    example: 'smk_Xy3kQ9aB',
    description: 'The first characters of the key, to tell keys apart.',
  })
  prefix: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt: string | null;
}

export class CreatedApiKeyResponseDto
  extends ApiKeyResponseDto
  implements CreatedApiKeyResponse
{
  @ApiProperty({
    example: 'smk_Xy3kQ9aBcdEfGhIjKlMnOpQrStUvWxYz0123456789-_A',
    description: 'The key. Shown only in this answer; store it now.',
  })
  key: string;
}

export class ApiKeyListResponseDto implements ApiKeyListResponse {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  items: ApiKeyResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
