import { parseSecretsKey, SecretBox } from '@scheduleman/domain';
import type { EnvReader } from '../config/env-reader';

/**
 * SECRETS_KEY and SECRETS_KEY_PREVIOUS, as the API and the schedulers read them
 * (docs/security.md, "Secrets at rest"). Without SECRETS_KEY an app refuses to start,
 * unless AUTH_DISABLED=true (local development), where it runs without a box: secrets
 * are then stored as given, and masked in answers all the same.
 */
export function readSecretBox(
  reader: EnvReader,
  authDisabled: boolean,
): SecretBox | null {
  const current = reader.parsed('SECRETS_KEY', parseSecretsKey, null);
  const previous = reader.parsed(
    'SECRETS_KEY_PREVIOUS',
    (raw) =>
      raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map(parseSecretsKey),
    [],
  );
  if (current === null) {
    if (!authDisabled && reader.optionalString('SECRETS_KEY') === undefined)
      reader.addProblem(
        'SECRETS_KEY: is required (the base64 of 32 random bytes: openssl rand -base64 32), unless AUTH_DISABLED=true',
      );
    if (
      previous.length > 0 &&
      reader.optionalString('SECRETS_KEY') === undefined
    )
      reader.addProblem(
        'SECRETS_KEY_PREVIOUS: is set without SECRETS_KEY (give the new key in SECRETS_KEY)',
      );
    return null;
  }
  return new SecretBox(current, previous);
}
