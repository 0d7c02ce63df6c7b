import { ConflictError, MAX_ACTIVE_SIGNING_SECRETS } from '@scheduleman/domain';

/** POST /signing-secrets for an owner that already holds the most active secrets: 409 naming `owner`. */
export class SigningSecretLimitError extends ConflictError {
  readonly field = 'owner';

  constructor(owner: string) {
    super(
      `owner "${owner}" already has ${String(MAX_ACTIVE_SIGNING_SECRETS)} active signing secrets; retire one (DELETE /signing-secrets/:id) first`,
    );
  }
}
