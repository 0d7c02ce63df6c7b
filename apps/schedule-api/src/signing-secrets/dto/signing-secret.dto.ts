import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  CreateSigningSecretRequest,
  CreatedSigningSecretResponse,
  SigningSecretListResponse,
  SigningSecretResponse,
} from '@scheduleman/domain';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_OWNER_LENGTH } from '../../schedules/dto/create-schedule.dto';
import { PageQueryDto } from '../../schedules/dto/queries.dto';

/** Body of POST /signing-secrets. */
export class CreateSigningSecretDto implements CreateSigningSecretRequest {
  @ApiPropertyOptional({
    maxLength: MAX_OWNER_LENGTH,
    example: 'team-a',
    description:
      "The owner whose deliveries the secret signs. Absent: the key's owner; required with the admin key.",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;
}

/** `GET /signing-secrets?limit=&cursor=&owner=`. */
export class ListSigningSecretsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Only secrets of exactly this owner (a key bound to an owner sees only its own).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;
}

export class SigningSecretResponseDto implements SigningSecretResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'team-a' })
  owner: string;

  @ApiProperty({
    example: '3f9a0c27b14e',
    description:
      'First 12 hex digits of SHA-256 of the secret\'s text: `printf %s "$SECRET" | sha256sum | cut -c1-12`.',
  })
  fingerprint: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When it was retired; null while it signs deliveries.',
  })
  retiredAt: string | null;
}

export class CreatedSigningSecretResponseDto
  extends SigningSecretResponseDto
  implements CreatedSigningSecretResponse
{
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwx1yZ2aB3cD4=',
    description:
      'The secret (`whsec_` + base64 of 32 random bytes), for Standard Webhooks receivers. Shown only in this answer; store it now.',
  })
  secret: string;
}

export class SigningSecretListResponseDto implements SigningSecretListResponse {
  @ApiProperty({ type: [SigningSecretResponseDto] })
  items: SigningSecretResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
