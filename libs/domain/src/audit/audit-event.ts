import {
  ADMIN_KEY_ID,
  ANONYMOUS_KEY_ID,
  type Principal,
} from '../auth/principal';
import type { Page } from '../contracts/schedule.contract';

/**
 * The audit log (docs/security.md, "Audit log"): one event per change a caller made
 * through the API. A request that changes nothing (a refusal, pausing a paused
 * schedule, revoking a revoked key) records nothing.
 */
export const AUDIT_ACTIONS = [
  'schedule.created',
  'schedule.updated',
  'schedule.paused',
  'schedule.resumed',
  'schedule.deleted',
  /** POST /schedules/:id/trigger (run now). */
  'schedule.triggered',
  /** POST /schedules/:id/skip-next. */
  'schedule.skip_next',
  'api_key.created',
  'api_key.revoked',
  'signing_secret.created',
  'signing_secret.retired',
  'connection.created',
  'connection.deleted',
  'calendar.created',
  'calendar.deleted',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_RESOURCE_TYPES = [
  'schedule',
  'api_key',
  'signing_secret',
  'connection',
  'calendar',
] as const;

export type AuditResourceType = (typeof AUDIT_RESOURCE_TYPES)[number];

/**
 * Small facts about a change: names of fields, types, counts, ids. Never a value a
 * caller could want secret (header values, signing secrets, keys, connection URLs):
 * the log is read by every admin and kept forever.
 */
export type AuditDetails = Record<
  string,
  string | number | boolean | null | readonly string[]
>;

/** An event as `GET /audit-events` answers it. */
export interface AuditEvent {
  id: string;
  /** When the change's transaction started (ISO 8601, UTC). */
  at: string;
  action: AuditAction;
  /** The API key that made the change; null for ADMIN_API_KEY or with AUTH_DISABLED. */
  actorKeyId: string | null;
  /** That key's owner; null for ADMIN_API_KEY or with AUTH_DISABLED. */
  actorOwner: string | null;
  /** The owner of the changed row (after the change); null for an owner-less row. */
  owner: string | null;
  resourceType: AuditResourceType;
  resourceId: string;
  /** The schedule of a `schedule.*` event, else null. */
  scheduleId: string | null;
  details: AuditDetails;
}

export type AuditEventListResponse = Page<AuditEvent>;

/** Who made a change, as stored: the key and its owner, both null for the admin key. */
export interface AuditActor {
  actorKeyId: string | null;
  actorOwner: string | null;
}

/**
 * What the API knows of an event before its write runs. The owner and the id of the
 * row come from the statement that writes it (the row it inserted, updated or deleted),
 * so an event always names what was really changed.
 */
export interface AuditEntry extends AuditActor {
  action: AuditAction;
  resourceType: AuditResourceType;
  details: AuditDetails;
}

/**
 * The actor of a principal. ADMIN_API_KEY and AUTH_DISABLED have no key row: their key
 * id and owner are null. A key with the `admin` scope is still a key: its id and its
 * owner (defaultOwner) are recorded, though it acts for every owner.
 */
export function auditActorOf(principal: Principal): AuditActor {
  const keyless =
    principal.keyId === ADMIN_KEY_ID || principal.keyId === ANONYMOUS_KEY_ID;
  return {
    actorKeyId: keyless ? null : principal.keyId,
    actorOwner: keyless ? null : principal.defaultOwner,
  };
}

/** `schedule.created` → `schedule`: the action names the kind of row it changed. */
export function auditResourceTypeOf(action: AuditAction): AuditResourceType {
  const type = action.slice(0, action.indexOf('.'));
  if (!(AUDIT_RESOURCE_TYPES as readonly string[]).includes(type))
    throw new Error(`unreachable: no resource type for ${action}`);
  return type as AuditResourceType;
}

export function auditEntry(
  principal: Principal,
  action: AuditAction,
  details: AuditDetails = {},
): AuditEntry {
  return {
    ...auditActorOf(principal),
    action,
    resourceType: auditResourceTypeOf(action),
    details,
  };
}

/**
 * The fields an edit names, sorted: the details of `schedule.updated`. Only the names:
 * a value may be secret (a trigger's header) or large (metadata).
 */
export function changedFields(body: object): string[] {
  return Object.entries(body)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key)
    .sort();
}
