import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  ADMIN_PRINCIPAL,
  ApiKeyCache,
  type CachedApiKey,
  auditEntry,
  type ApiKeyListResponse,
  type ApiKeyResponse,
  type Clock,
  type CreatedApiKeyResponse,
  generateApiKey,
  hashApiKey,
  isApiKeyShaped,
  keyPrincipal,
  NotFoundError,
  type Principal,
  parseIsoInstant,
  parseScopes,
  UnauthenticatedError,
  ValidationError,
} from '@scheduleman/domain';
import { CLOCK } from '@scheduleman/runtime';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createdAtKey, decodeCursor, keysetPage } from '../schedules/cursor';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import { type ApiKeyRow, ApiKeysRepository } from './api-keys.repository';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import type { CreateApiKeyDto, ListApiKeysQueryDto } from './dto/api-key.dto';
import { KeyRevocationListener } from './key-revocation-listener';

/**
 * API keys: creation (the key is returned once and only its hash is stored), listing,
 * revocation, and `authenticate`, which turns a presented key into a Principal on every
 * request. Keys that authenticated are remembered for API_KEY_CACHE_TTL_MS (ApiKeyCache);
 * a revoked key is still refused by the very next request: this process forgets it
 * before the revocation answers, the others on the revocation's NOTIFY
 * (KeyRevocationListener), and the TTL bounds a missed notification (docs/security.md).
 */
@Injectable()
export class ApiKeysService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly adminKeyHash: Buffer | null;
  private readonly cache: ApiKeyCache;
  private readonly listener: KeyRevocationListener | undefined;

  constructor(
    private readonly repo: ApiKeysRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_SETTINGS) settings: AuthSettings,
  ) {
    this.adminKeyHash =
      settings.adminApiKey === null ? null : hashApiKey(settings.adminApiKey);
    this.cache = new ApiKeyCache(settings.keyCacheTtlMs, clock);
    this.listener =
      this.cache.enabled && settings.revocationListenUrl !== null
        ? new KeyRevocationListener(settings.revocationListenUrl, () => {
            this.cache.clear();
          })
        : undefined;
  }

  onApplicationBootstrap(): void {
    this.listener?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  /** The principal of a presented key; UnauthenticatedError when it does not authenticate. */
  async authenticate(key: string): Promise<Principal> {
    const hash = hashApiKey(key);
    if (this.adminKeyHash && timingSafeEqual(hash, this.adminKeyHash))
      return ADMIN_PRINCIPAL;
    // Only generated keys are stored: anything else is unknown without a query.
    if (!isApiKeyShaped(key))
      throw new UnauthenticatedError('the API key is not known');
    const cacheKey = hash.toString('base64');
    const cached = this.cache.lookup(cacheKey);
    if (cached) return this.usable(cached);
    const ticket = this.cache.ticket();
    const found = await this.repo.findByHash(hash);
    if (!found) throw new UnauthenticatedError('the API key is not known');
    if (found.revoked)
      throw new UnauthenticatedError('the API key has been revoked');
    if (found.expired) throw expiredError(found.expires_at);
    const usable: CachedApiKey = {
      id: found.id,
      owner: found.owner,
      scopes: found.scopes,
      expiresAt: found.expires_at,
    };
    this.cache.remember(cacheKey, usable, ticket);
    return keyPrincipal(usable);
  }

  /** A cached key, refused once its expiry has passed (by this process's clock). */
  private usable(key: CachedApiKey): Principal {
    if (
      key.expiresAt !== null &&
      key.expiresAt.getTime() <= this.clock.now().getTime()
    )
      throw expiredError(key.expiresAt);
    return keyPrincipal(key);
  }

  async create(
    principal: Principal,
    dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyResponse> {
    const scopes = parseScopes(dto.scopes);
    const expiresAt =
      dto.expiresAt === undefined || dto.expiresAt === null
        ? null
        : parseIsoInstant(dto.expiresAt, 'expiresAt');
    if (expiresAt && expiresAt.getTime() <= this.clock.now().getTime())
      throw new ValidationError('expiresAt', 'must be in the future');
    const generated = generateApiKey();
    const row = await this.repo.insert(
      {
        id: randomUUID(),
        name: dto.name ?? null,
        owner: dto.owner,
        scopes,
        hash: generated.hash,
        prefix: generated.displayPrefix,
        expiresAt,
      },
      // Never the key, nor its prefix: the log outlives the key.
      auditEntry(principal, 'api_key.created', {
        scopes,
        expiresAt: expiresAt?.toISOString() ?? null,
      }),
    );
    this.logger.log({
      msg: 'API key created',
      keyId: row.id,
      owner: row.owner,
      scopes,
      prefix: row.key_prefix,
    });
    return { ...toApiKeyResponse(row), key: generated.key };
  }

  async list(query: ListApiKeysQueryDto): Promise<ApiKeyListResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    const rows = await this.repo.list({ owner: query.owner, cursor, limit });
    return keysetPage(rows, limit, toApiKeyResponse, createdAtKey);
  }

  async get(id: string): Promise<ApiKeyResponse> {
    const row = await this.repo.find(id);
    if (!row) throw new NotFoundError('API key', id);
    return toApiKeyResponse(row);
  }

  /** Immediate: the next request with the key is a 401. Revoking a revoked key is a no-op. */
  async revoke(principal: Principal, id: string): Promise<ApiKeyResponse> {
    const row = await this.repo.revoke(
      id,
      auditEntry(principal, 'api_key.revoked'),
    );
    if (!row) throw new NotFoundError('API key', id);
    // Before the answer: from the 204 on, no request on this process gets the key in.
    this.cache.forget(id);
    this.logger.log({ msg: 'API key revoked', keyId: id, owner: row.owner });
    return toApiKeyResponse(row);
  }
}

function expiredError(expiresAt: Date | null): UnauthenticatedError {
  return new UnauthenticatedError(
    `the API key expired at ${expiresAt?.toISOString() ?? 'an earlier time'}`,
  );
}

export function toApiKeyResponse(row: ApiKeyRow): ApiKeyResponse {
  return {
    id: row.id,
    owner: row.owner,
    scopes: row.scopes,
    name: row.name,
    prefix: row.key_prefix,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
