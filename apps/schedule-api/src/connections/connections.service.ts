import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  auditEntry,
  ConflictError,
  connectionUrlContext,
  type ConnectionListResponse,
  type ConnectionResponse,
  type NetworkPolicy,
  NotFoundError,
  ownerFilter,
  ownerFor,
  parseConnectionInput,
  type Principal,
  type SecretBox,
} from '@scheduleman/domain';
import { SECRET_BOX } from '@scheduleman/runtime';
import { randomUUID } from 'node:crypto';
import { createdAtKey, decodeCursor, keysetPage } from '../schedules/cursor';
import {
  type SchedulesUsing,
  usedBySchedulesMessage,
} from '../schedules/schedules-using';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import {
  type ConnectionRow,
  ConnectionsRepository,
} from './connections.repository';
import type {
  CreateConnectionDto,
  DeleteConnectionQueryDto,
  ListConnectionsQueryDto,
} from './dto/connection.dto';

/** Nest token of the NetworkPolicy connection URLs are checked against (WEBHOOK_ALLOWED_NETWORKS). */
export const CONNECTION_NETWORK_POLICY = Symbol('CONNECTION_NETWORK_POLICY');

/** A valid request refused because of what exists: `field` names the cause. */
export class ConnectionConflictError extends ConflictError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `/connections` (docs/connections.md). The URL is checked, sealed with the SecretBox
 * (`connection:<id>:url`, so a sealed URL opens for its own row only) and masked once,
 * at create; nothing reads the sealed URL back here, and neither the URL nor its masked
 * form is logged. Owner scoping as for schedules: another owner's connection is a 404.
 */
@Injectable()
export class ConnectionsService {
  private readonly logger = new Logger(ConnectionsService.name);

  constructor(
    private readonly repo: ConnectionsRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox | null,
    @Inject(CONNECTION_NETWORK_POLICY) private readonly policy: NetworkPolicy,
  ) {}

  async create(
    principal: Principal,
    dto: CreateConnectionDto,
  ): Promise<ConnectionResponse> {
    const owner = ownerFor(principal, dto.owner);
    const input = parseConnectionInput(dto, this.policy);
    const id = randomUUID();
    const row = await this.repo.insert(
      {
        id,
        owner,
        name: input.name,
        type: input.type,
        // Without SECRETS_KEY (AUTH_DISABLED only) the URL is stored as given.
        urlSealed: this.box
          ? this.box.seal(input.url.url, connectionUrlContext(id))
          : input.url.url,
        urlMasked: input.url.masked,
      },
      // Never the URL, not even masked: it names hosts and users.
      auditEntry(principal, 'connection.created', {
        name: input.name,
        type: input.type,
      }),
    );
    if (!row)
      throw new ConnectionConflictError(
        'name',
        `a connection named ${JSON.stringify(input.name)} already exists for this owner`,
      );
    this.logger.log({
      msg: 'connection created',
      connectionId: row.id,
      type: row.type,
      owner: row.owner,
    });
    return toConnectionResponse(row);
  }

  async get(principal: Principal, id: string): Promise<ConnectionResponse> {
    const row = await this.repo.find(id, principal.owner);
    if (!row) throw new NotFoundError('connection', id);
    return toConnectionResponse(row);
  }

  /** Oldest first; a key bound to an owner lists that owner's connections only. */
  async list(
    principal: Principal,
    query: ListConnectionsQueryDto,
  ): Promise<ConnectionListResponse> {
    const owner = ownerFilter(principal, query.owner);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    const rows = await this.repo.list({ owner, cursor, limit });
    return keysetPage(rows, limit, toConnectionResponse, createdAtKey);
  }

  /**
   * Refused with 409 naming `id` while schedules use the connection (the message lists
   * the first MAX_LISTED_SCHEDULES ids and the count), unless `cascade`: then those
   * schedules are deleted with it, in the same transaction.
   */
  async delete(
    principal: Principal,
    id: string,
    query: DeleteConnectionQueryDto,
  ): Promise<void> {
    const cascade = query.cascade === 'true';
    const deletedSchedules = await this.repo.transaction(async (tx) => {
      if (!(await this.repo.lockForDelete(tx, id, principal.owner)))
        throw new NotFoundError('connection', id);
      const users = await this.repo.schedulesUsing(tx, id);
      if (users.total > 0 && !cascade)
        throw new ConnectionConflictError('id', inUseMessage(users));
      const deleted =
        users.total > 0
          ? await this.repo.deleteSchedulesUsing(
              tx,
              id,
              auditEntry(principal, 'schedule.deleted', {
                cause: 'connection.deleted',
                connectionId: id,
              }),
            )
          : 0;
      await this.repo.delete(
        tx,
        id,
        auditEntry(principal, 'connection.deleted', {
          cascade,
          deletedSchedules: deleted,
        }),
      );
      return deleted;
    });
    this.logger.log({
      msg: 'connection deleted',
      connectionId: id,
      deletedSchedules,
    });
  }
}

function inUseMessage(users: SchedulesUsing): string {
  return usedBySchedulesMessage(
    'connection',
    users,
    'delete or change them first, or DELETE with ?cascade=true to delete them with the connection',
  );
}

export function toConnectionResponse(row: ConnectionRow): ConnectionResponse {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    url: row.url_masked,
    owner: row.owner,
    createdAt: row.created_at.toISOString(),
  };
}
