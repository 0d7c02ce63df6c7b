import { ValidationError } from '../errors';

/**
 * What a key may do (docs/security.md). `schedules:read` is every GET of schedules and
 * their history; `schedules:write` every other schedule route, and it includes reading;
 * `connections:write` manages connections (and includes reading them); `admin` is every
 * route for every owner, including /api-keys and /audit-events.
 */
export const SCOPES = [
  'schedules:read',
  'schedules:write',
  'connections:write',
  'admin',
] as const;

export type Scope = (typeof SCOPES)[number];

/** A scope that another one includes: holding the key on the left grants those on the right. */
const INCLUDES: Record<Scope, readonly Scope[]> = {
  'schedules:read': [],
  'schedules:write': ['schedules:read'],
  'connections:write': [],
  admin: SCOPES,
};

export function isScope(value: unknown): value is Scope {
  return (SCOPES as readonly unknown[]).includes(value);
}

/** True when `held` includes `needed`, directly or through INCLUDES. */
export function grants(held: Iterable<Scope>, needed: Scope): boolean {
  for (const scope of held) {
    if (scope === needed || INCLUDES[scope].includes(needed)) return true;
  }
  return false;
}

/**
 * The `scopes` of a new key: a non-empty list of known scopes, without repeats,
 * returned in SCOPES order. `field` names the input in the error.
 */
export function parseScopes(value: unknown, field = 'scopes'): Scope[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new ValidationError(
      field,
      `must be a non-empty array of: ${SCOPES.join(', ')}`,
    );
  const seen = new Set<Scope>();
  for (const [index, item] of (value as unknown[]).entries()) {
    if (!isScope(item))
      throw new ValidationError(
        `${field}[${index}]`,
        `must be one of: ${SCOPES.join(', ')}`,
      );
    if (seen.has(item))
      throw new ValidationError(`${field}[${index}]`, `repeats "${item}"`);
    seen.add(item);
  }
  return SCOPES.filter((scope) => seen.has(scope));
}
