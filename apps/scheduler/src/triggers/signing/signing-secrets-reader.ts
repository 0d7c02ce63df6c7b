import type { LoggerService } from '@nestjs/common';
import {
  errorMessage,
  isSealed,
  MAX_ACTIVE_SIGNING_SECRETS,
  parseSigningSecret,
  type SecretBox,
  type SigningSecret,
  signingSecretSealContext,
} from '@scheduleman/domain';
import {
  type ActiveSigningSecretRow,
  SELECT_ACTIVE_SIGNING_SECRETS,
} from '@scheduleman/domain/persistence';
import type { OwnerSigningSecrets } from './signing-secret-source';

/** What the reader runs its statement on (a TypeORM DataSource, or a pg Pool in tests). */
export interface SigningSecretsQueryable {
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/**
 * Reads one owner's active signing secrets (SELECT_ACTIVE_SIGNING_SECRETS) and opens
 * each with the SecretBox, under the context it was sealed with. A secret that does not
 * open (sealed with a key that is neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS, altered,
 * copied from another row) is logged and counted, never signed with. A plain `whsec_…`
 * value (stored by an API running without SECRETS_KEY) is used as it is.
 *
 * Messages never hold a secret: SecretsKeyError and InvalidSigningSecretError do not
 * echo their input.
 */
export class SigningSecretsReader {
  constructor(
    private readonly db: SigningSecretsQueryable,
    private readonly box: SecretBox | null,
    private readonly logger?: LoggerService,
  ) {}

  async read(owner: string): Promise<OwnerSigningSecrets> {
    let rows: ActiveSigningSecretRow[];
    try {
      rows = (await this.db.query(SELECT_ACTIVE_SIGNING_SECRETS, [
        owner,
        MAX_ACTIVE_SIGNING_SECRETS,
      ])) as ActiveSigningSecretRow[];
    } catch (error) {
      this.logger?.warn({
        msg: 'signing secrets could not be read',
        owner,
        reason: errorMessage(error),
      });
      // For the execution's error, which the owner reads: no database internals.
      throw new Error(
        'the signing secrets could not be read from the database',
      );
    }
    const secrets: SigningSecret[] = [];
    let unusable = 0;
    for (const row of rows) {
      try {
        secrets.push(parseSigningSecret(this.open(row)));
      } catch (error) {
        unusable += 1;
        this.logger?.error({
          msg: 'a signing secret cannot be used; deliveries are signed without it',
          owner,
          signingSecretId: row.id,
          reason: errorMessage(error),
        });
      }
    }
    return { secrets, unusable };
  }

  private open(row: ActiveSigningSecretRow): string {
    if (!isSealed(row.secret)) return row.secret;
    if (!this.box)
      throw new Error(
        'it is sealed, and this scheduler has no SECRETS_KEY to open it',
      );
    return this.box.open(row.secret, signingSecretSealContext(row.id));
  }
}
