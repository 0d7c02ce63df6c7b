import type { Scope } from '../auth/scopes';
import type { Page } from './schedule.contract';

/** Body of `POST /api-keys` (admin). */
export interface CreateApiKeyRequest {
  owner: string;
  scopes: Scope[];
  name?: string | null;
  /** ISO-8601 instant with an offset; absent or null: the key never expires. */
  expiresAt?: string | null;
}

/** A key as `GET /api-keys` lists it: never the key itself. */
export interface ApiKeyResponse {
  id: string;
  owner: string;
  scopes: Scope[];
  name: string | null;
  /** The first characters of the key (`smk_…`), to tell keys apart. */
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  /** When it was revoked (DELETE /api-keys/:id); null while usable. */
  revokedAt: string | null;
}

/** The answer of `POST /api-keys`: the only time `key` is ever shown. */
export interface CreatedApiKeyResponse extends ApiKeyResponse {
  key: string;
}

export type ApiKeyListResponse = Page<ApiKeyResponse>;
