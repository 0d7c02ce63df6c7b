/** What the guard and the key service need from ApiConfig. */
export interface AuthSettings {
  /** AUTH_DISABLED=true: every request acts as the anonymous admin (local development only). */
  disabled: boolean;
  /** ADMIN_API_KEY, or null when unset. */
  adminApiKey: string | null;
  /** METRICS_REQUIRE_KEY=true: /metrics needs a key with the admin scope. */
  metricsRequireKey: boolean;
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');
