import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONNECTION_TYPES,
  type ConnectionListResponse,
  type ConnectionResponse,
  type ConnectionType,
  type CreateConnectionRequest,
  MAX_CONNECTION_NAME_LENGTH,
  MAX_CONNECTION_URL_LENGTH,
} from '@scheduleman/domain';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { MAX_OWNER_LENGTH } from '../../schedules/dto/create-schedule.dto';
import { PageQueryDto } from '../../schedules/dto/queries.dto';

/**
 * Body of POST /connections. Types and presence are checked here; the name's and the
 * URL's rules (per type) by parseConnectionInput in the service.
 */
export class CreateConnectionDto implements CreateConnectionRequest {
  @ApiProperty({
    maxLength: MAX_CONNECTION_NAME_LENGTH,
    example: 'orders-rabbit',
  })
  @IsDefined({ message: 'name is required' })
  @IsString()
  @MaxLength(MAX_CONNECTION_NAME_LENGTH)
  name: string;

  @ApiProperty({ enum: CONNECTION_TYPES, example: 'amqp' })
  @IsDefined({ message: 'type is required' })
  @IsIn(CONNECTION_TYPES)
  type: ConnectionType;

  @ApiProperty({
    maxLength: MAX_CONNECTION_URL_LENGTH,
    example: 'amqp://app:s3cret@rabbit.example.com:5672/orders',
    description:
      'amqp:// amqps:// · nats:// tls:// · redis:// rediss:// · mqtt:// mqtts:// · kafka://host:port[,host:port…][?tls=true&sasl=plain|scram-sha-256|scram-sha-512]. Credentials in the user-info; encrypted at rest, masked in every answer.',
  })
  @IsDefined({ message: 'url is required' })
  @IsString()
  url: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: MAX_OWNER_LENGTH,
    example: 'team-billing',
    description:
      "Defaults to the key's owner; only that owner's schedules can use the connection.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string | null;
}

/** `GET /connections?limit=&cursor=&owner=`. */
export class ListConnectionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only connections of exactly this owner.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_OWNER_LENGTH)
  owner?: string;
}

/** `DELETE /connections/:id?cascade=true`. */
export class DeleteConnectionQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      'true: also delete the schedules that use the connection (and their history), in the same transaction. Without it, a connection in use is a 409.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  cascade?: 'true' | 'false';
}

export class ConnectionResponseDto implements ConnectionResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: CONNECTION_TYPES })
  type: ConnectionType;

  @ApiProperty({
    example: 'amqp://app:***@rabbit.example.com:5672/orders',
    description: 'The URL with its password (a NATS token) replaced by ***.',
  })
  url: string;

  @ApiProperty({ nullable: true, type: String })
  owner: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class ConnectionListResponseDto implements ConnectionListResponse {
  @ApiProperty({ type: [ConnectionResponseDto] })
  items: ConnectionResponse[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}
