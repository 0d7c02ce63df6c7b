import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AUDIT_ACTIONS,
  AUDIT_RESOURCE_TYPES,
  type AuditAction,
  type AuditDetails,
  type AuditEvent,
  type AuditEventListResponse,
  type AuditResourceType,
} from '@scheduleman/domain';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { MAX_OWNER_LENGTH } from '../../schedules/dto/create-schedule.dto';
import { PageQueryDto } from '../../schedules/dto/queries.dto';

/** `GET /audit-events?owner=&scheduleId=&action=&limit=&cursor=`. */
export class ListAuditEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only events on rows of exactly this owner.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only events of this schedule (it may be deleted since).',
  })
  @IsOptional()
  @IsUUID('all')
  scheduleId?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;
}

export class AuditEventDto implements AuditEvent {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ enum: AUDIT_ACTIONS })
  action: AuditAction;

  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The API key that made the change; null for ADMIN_API_KEY.',
  })
  actorKeyId: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "That key's owner; null for ADMIN_API_KEY.",
  })
  actorOwner: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The owner of the changed row, after the change.',
  })
  owner: string | null;

  @ApiProperty({ enum: AUDIT_RESOURCE_TYPES })
  resourceType: AuditResourceType;

  @ApiProperty({ format: 'uuid' })
  resourceId: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  scheduleId: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { fields: ['name', 'trigger'] },
    description:
      'Small facts about the change (field names, types, counts); never a secret, a header value or a URL.',
  })
  details: AuditDetails;
}

export class AuditEventListResponseDto implements AuditEventListResponse {
  @ApiProperty({ type: [AuditEventDto] })
  items: AuditEvent[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
