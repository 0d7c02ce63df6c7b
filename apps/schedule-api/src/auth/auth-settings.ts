/** What the guard and the key service need from ApiConfig. */
export interface AuthSettings {
  /** AUTH_DISABLED=true: every request acts as the anonymous admin (local development only). */
  disabled: boolean;
  /** ADMIN_API_KEY, or null when unset. */
  adminApiKey: string | null;
  /** METRICS_REQUIRE_KEY=true: /metrics needs a key with the admin scope. */
  metricsRequireKey: boolean;
  /** API_KEY_CACHE_TTL_MS: how long an authenticated key is remembered (ApiKeyCache); 0 = no cache. */
  keyCacheTtlMs: number;
  /**
   * Where the key revocations are LISTENed to (DATABASE_URL), or null for no listener
   * (DATABASE_FEATURES=portable, or no cache): then the TTL alone bounds a revocation made
   * on another process.
   */
  revocationListenUrl: string | null;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
