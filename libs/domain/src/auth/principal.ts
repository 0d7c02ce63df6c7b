import { DomainError } from '../errors';
import { grants, type Scope, SCOPES } from './scopes';

/**
 * Who is calling: the key that authenticated the request, the owner it acts for, and
 * what it may do. Built by the API's guard, read by every use case; never from a body.
 */
export interface Principal {
  /** The API key's id; `admin` for ADMIN_API_KEY, `anonymous` when AUTH_DISABLED=true. */
  keyId: string;
  /**
   * The owner whose rows this caller sees, or null for every owner (ADMIN_API_KEY, a key
   * with the `admin` scope, or authentication disabled).
   */
  owner: string | null;
  /** The owner a new row gets when the body names none: the key's owner, or null. */
  defaultOwner: string | null;
  scopes: readonly Scope[];
}

/** Which keys the `keyId` of a principal can be besides a key's uuid. */
export const ADMIN_KEY_ID = 'admin';
export const ANONYMOUS_KEY_ID = 'anonymous';

/** The installation's admin key (ADMIN_API_KEY): every owner, every route. */
export const ADMIN_PRINCIPAL: Principal = {
  keyId: ADMIN_KEY_ID,
  owner: null,
  defaultOwner: null,
  scopes: SCOPES,
};

/** With AUTH_DISABLED=true every request acts as this: everything, for every owner. */
export const ANONYMOUS_PRINCIPAL: Principal = {
  ...ADMIN_PRINCIPAL,
  keyId: ANONYMOUS_KEY_ID,
};

/** The principal of a stored key. A key with the `admin` scope sees every owner. */
export function keyPrincipal(key: {
  id: string;
  owner: string;
  scopes: readonly Scope[];
}): Principal {
  return {
    keyId: key.id,
    owner: key.scopes.includes('admin') ? null : key.owner,
    defaultOwner: key.owner,
    scopes: key.scopes,
  };
}

/** No credentials, or credentials that do not authenticate: HTTP 401 (code UNAUTHENTICATED). */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** Authenticated, but not allowed: HTTP 403 (code FORBIDDEN). `field` names what was refused. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function requireScope(principal: Principal, needed: Scope): void {
  if (!grants(principal.scopes, needed))
    throw new ForbiddenError(
      'authorization',
      `this API key lacks the scope "${needed}"`,
    );
}

/** True when the caller may see a row of `owner` (another owner's row is a 404 to it). */
export function canSee(principal: Principal, owner: string | null): boolean {
  return principal.owner === null || principal.owner === owner;
}

/**
 * The owner a created or edited row gets. `requested` is the body's `owner`: undefined
 * when absent (the caller's default applies on create, nothing changes on edit).
 * A key bound to an owner may only name that owner, or omit it: anything else, null
 * included, is a 403 naming `field`.
 */
export function ownerFor(
  principal: Principal,
  requested: string | null | undefined,
  field = 'owner',
): string | null {
  if (requested === undefined) return principal.defaultOwner;
  if (principal.owner !== null && requested !== principal.owner)
    throw new ForbiddenError(
      field,
      `this API key acts for owner "${principal.owner}" only`,
    );
  return requested;
}

/**
 * The owner filter of a list: the caller's own owner when bound to one (a filter naming
 * another owner is a 403 naming `field`), else the filter as given (undefined = all).
 */
export function ownerFilter(
  principal: Principal,
  requested: string | undefined,
  field = 'owner',
): string | undefined {
  if (principal.owner === null) return requested;
  if (requested !== undefined && requested !== principal.owner)
    throw new ForbiddenError(
      field,
      `this API key acts for owner "${principal.owner}" only`,
    );
  return principal.owner;
}
