import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  auditEntry,
  type CreatedSigningSecretResponse,
  fingerprintSigningSecret,
  generateSigningSecret,
  MAX_ACTIVE_SIGNING_SECRETS,
  NotFoundError,
  ownerFilter,
  ownerFor,
  type Principal,
  type SecretBox,
  signingSecretSealContext,
  type SigningSecretListResponse,
  type SigningSecretResponse,
  ValidationError,
} from '@scheduleman/domain';
import { SECRET_BOX } from '@scheduleman/runtime';
import { randomUUID } from 'node:crypto';
import { createdAtKey, decodeCursor, keysetPage } from '../schedules/cursor';
import { DEFAULT_PAGE_LIMIT } from '../schedules/dto/queries.dto';
import { SigningSecretLimitError } from './signing-secret-limit.error';
import type {
  CreateSigningSecretDto,
  ListSigningSecretsQueryDto,
} from './dto/signing-secret.dto';
import {
  type SigningSecretRow,
  SigningSecretsRepository,
} from './signing-secrets.repository';

/**
 * Per-owner signing secrets (docs/security.md, "Signed deliveries and rotating signing
 * secrets"): the schedulers sign an owner's deliveries with every active one. A secret
 * is generated here, returned once, and stored sealed with SECRETS_KEY under the context
 * `signing-secret:<id>`, so a sealed value copied to another row does not open. Without
 * SECRETS_KEY (AUTH_DISABLED, local development only) it is stored as generated.
 */
@Injectable()
export class SigningSecretsService {
  private readonly logger = new Logger(SigningSecretsService.name);

  constructor(
    private readonly repo: SigningSecretsRepository,
    @Inject(SECRET_BOX) private readonly box: SecretBox | null,
  ) {}

  async create(
    principal: Principal,
    dto: CreateSigningSecretDto,
  ): Promise<CreatedSigningSecretResponse> {
    const owner = ownerFor(principal, dto.owner);
    if (owner === null)
      throw new ValidationError(
        'owner',
        'is required: this API key acts for every owner, so name the owner whose deliveries the secret signs',
      );
    const id = randomUUID();
    const secret = generateSigningSecret();
    const row = await this.repo.insert(
      {
        id,
        owner,
        sealed: this.box
          ? this.box.seal(secret, signingSecretSealContext(id))
          : secret,
        fingerprint: fingerprintSigningSecret(secret),
      },
      MAX_ACTIVE_SIGNING_SECRETS,
      // The fingerprint tells secrets apart; the secret itself is never recorded.
      auditEntry(principal, 'signing_secret.created', {
        fingerprint: fingerprintSigningSecret(secret),
      }),
    );
    if (!row) throw new SigningSecretLimitError(owner);
    this.logger.log({
      msg: 'signing secret created',
      signingSecretId: row.id,
      owner,
      fingerprint: row.fingerprint,
      keyId: principal.keyId,
      sealed: this.box !== null,
    });
    return { ...toSigningSecretResponse(row), secret };
  }

  /** A key bound to an owner lists that owner's secrets only; retired ones included. */
  async list(
    principal: Principal,
    query: ListSigningSecretsQueryDto,
  ): Promise<SigningSecretListResponse> {
    const owner = ownerFilter(principal, query.owner);
    const limit = query.limit ?? DEFAULT_PAGE_LIMIT;
    const cursor = query.cursor ? decodeCursor(query.cursor, true) : undefined;
    const rows = await this.repo.list({ owner, cursor, limit });
    return keysetPage(rows, limit, toSigningSecretResponse, createdAtKey);
  }

  async get(principal: Principal, id: string): Promise<SigningSecretResponse> {
    const row = await this.repo.find(id, principal.owner);
    if (!row) throw new NotFoundError('signing secret', id);
    return toSigningSecretResponse(row);
  }

  /**
   * Retires the secret: deliveries stop carrying its signature within the schedulers'
   * cache time. Retiring a retired secret is a no-op.
   */
  async retire(principal: Principal, id: string): Promise<void> {
    const row = await this.repo.retire(
      id,
      principal.owner,
      auditEntry(principal, 'signing_secret.retired'),
    );
    if (!row) throw new NotFoundError('signing secret', id);
    this.logger.log({
      msg: 'signing secret retired',
      signingSecretId: id,
      owner: row.owner,
      fingerprint: row.fingerprint,
      keyId: principal.keyId,
    });
  }
}

export function toSigningSecretResponse(
  row: SigningSecretRow,
): SigningSecretResponse {
  return {
    id: row.id,
    owner: row.owner,
    fingerprint: row.fingerprint,
    createdAt: row.created_at.toISOString(),
    retiredAt: row.retired_at?.toISOString() ?? null,
  };
}
