import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every delivery carries the token in (docs/triggers.md). */
export const RESULT_TOKEN_HEADER = 'X-Scheduleman-Result-Token';
/** The header with the URL to report to, when PUBLIC_API_URL is configured. */
export const RESULT_URL_HEADER = 'X-Scheduleman-Result-Url';
/** The field of the default body that carries the token. */
export const RESULT_TOKEN_FIELD = 'resultToken';

const TOKEN_PREFIX = 'rt1_';
/** Separates the token key from every other use of SECRETS_KEY. */
const KEY_LABEL = 'scheduleman result token v1';

/**
 * The per-execution token a target presents to report its result
 * (`POST /executions/:executionId/result`): `rt1_` + base64url of
 * HMAC-SHA256(K, executionId), where K = HMAC-SHA256(SECRETS_KEY, KEY_LABEL). Nothing is
 * stored: the scheduler derives it when it fires and the API when it checks, from the
 * same SECRETS_KEY. Tokens made under SECRETS_KEY_PREVIOUS keep verifying during a
 * rotation. A token opens one execution's report and nothing else; knowing one says
 * nothing about any other execution.
 */
export class ResultTokens {
  private readonly keys: readonly Buffer[];

  /** `secretsKeys`: the raw SECRETS_KEY bytes first, then SECRETS_KEY_PREVIOUS. */
  constructor(secretsKeys: readonly Buffer[]) {
    if (secretsKeys.length === 0)
      throw new RangeError('ResultTokens needs at least one key');
    this.keys = secretsKeys.map((key) =>
      createHmac('sha256', key).update(KEY_LABEL, 'utf8').digest(),
    );
  }

  tokenFor(executionId: string): string {
    return tokenOf(this.keys[0], executionId);
  }

  /** Constant time in the token's content; any malformed value is simply false. */
  verify(executionId: string, token: string): boolean {
    const given = Buffer.from(token, 'utf8');
    let ok = false;
    for (const key of this.keys) {
      const expected = Buffer.from(tokenOf(key, executionId), 'utf8');
      // Lengths are public (every token has the same); compare all keys regardless.
      if (given.length === expected.length && timingSafeEqual(given, expected))
        ok = true;
    }
    return ok;
  }
}

function tokenOf(key: Buffer, executionId: string): string {
  return (
    TOKEN_PREFIX +
    createHmac('sha256', key)
      .update(executionId.toLowerCase(), 'utf8')
      .digest('base64url')
  );
}
