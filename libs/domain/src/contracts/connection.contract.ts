import type { ConnectionType } from '../connection/connection-type';
import type { Page } from './schedule.contract';

/** Body of `POST /connections` (docs/connections.md). */
export interface CreateConnectionRequest {
  name: string;
  type: ConnectionType;
  /** The broker URL, credentials included; stored sealed and never returned. */
  url: string;
  /** Defaults to the key's owner; a key bound to an owner may name only that one. */
  owner?: string | null;
}

/** A connection as every answer shows it. */
export interface ConnectionResponse {
  id: string;
  name: string;
  type: ConnectionType;
  /** The URL with its password (a NATS token) replaced by `***`. */
  url: string;
  owner: string | null;
  createdAt: string;
}

export type ConnectionListResponse = Page<ConnectionResponse>;
