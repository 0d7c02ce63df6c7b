import {
  bearerToken,
  generateApiKey,
  hashApiKey,
  isApiKeyShaped,
} from './api-key';
import {
  ADMIN_PRINCIPAL,
  canSee,
  ForbiddenError,
  keyPrincipal,
  ownerFilter,
  ownerFor,
  requireScope,
} from './principal';
import { grants, parseScopes } from './scopes';

describe('API keys', () => {
  it('generates recognisable keys that are stored only as a hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^smk_[A-Za-z0-9_-]{43}$/);
    expect(isApiKeyShaped(a.key)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.hash.equals(hashApiKey(a.key))).toBe(true);
    expect(a.hash.toString('hex')).not.toContain(a.key);
    expect(a.displayPrefix).toBe(a.key.slice(0, 12));
  });

  it.each<[string | undefined, string | undefined]>([
    ['Bearer smk_abc', 'smk_abc'],
    ['bearer   smk_abc ', 'smk_abc'],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads the token of %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('scopes', () => {
  it('lets write include read and admin include everything', () => {
    expect(grants(['schedules:write'], 'schedules:read')).toBe(true);
    expect(grants(['schedules:read'], 'schedules:write')).toBe(false);
    expect(grants(['admin'], 'connections:write')).toBe(true);
    expect(grants(['connections:write'], 'schedules:read')).toBe(false);
  });

  it('parses a scope list in a fixed order and names a bad item', () => {
    expect(parseScopes(['schedules:write', 'schedules:read'])).toEqual([
      'schedules:read',
      'schedules:write',
    ]);
    expect(() => parseScopes(['schedules:read', 'root'])).toThrow(
      /scopes\[1\]/,
    );
    expect(() => parseScopes([])).toThrow(/scopes/);
    expect(() => parseScopes(['admin', 'admin'])).toThrow(/repeats/);
  });
});

describe('principals', () => {
  const teamA = keyPrincipal({
    id: 'k1',
    owner: 'team-a',
    scopes: ['schedules:write'],
  });

  it('binds a key to its owner unless it has the admin scope', () => {
    expect(teamA.owner).toBe('team-a');
    const admin = keyPrincipal({ id: 'k2', owner: 'ops', scopes: ['admin'] });
    expect(admin.owner).toBeNull();
    expect(admin.defaultOwner).toBe('ops');
  });

  it('sees only its own rows', () => {
    expect(canSee(teamA, 'team-a')).toBe(true);
    expect(canSee(teamA, 'team-b')).toBe(false);
    expect(canSee(teamA, null)).toBe(false);
    expect(canSee(ADMIN_PRINCIPAL, 'team-b')).toBe(true);
  });

  it('defaults the owner of a new row and refuses any other', () => {
    expect(ownerFor(teamA, undefined)).toBe('team-a');
    expect(ownerFor(teamA, 'team-a')).toBe('team-a');
    expect(() => ownerFor(teamA, 'team-b')).toThrow(ForbiddenError);
    expect(() => ownerFor(teamA, null)).toThrow(/owner "team-a" only/);
    expect(ownerFor(ADMIN_PRINCIPAL, 'team-b')).toBe('team-b');
    expect(ownerFor(ADMIN_PRINCIPAL, undefined)).toBeNull();
  });

  it('forces the owner filter of a bound key', () => {
    expect(ownerFilter(teamA, undefined)).toBe('team-a');
    expect(() => ownerFilter(teamA, 'team-b')).toThrow(ForbiddenError);
    expect(ownerFilter(ADMIN_PRINCIPAL, undefined)).toBeUndefined();
  });

  it('refuses a missing scope with a 403 naming it', () => {
    const reader = keyPrincipal({
      id: 'k3',
      owner: 'a',
      scopes: ['schedules:read'],
    });
    expect(() => requireScope(reader, 'schedules:write')).toThrow(
      /lacks the scope "schedules:write"/,
    );
    expect(() => requireScope(reader, 'schedules:read')).not.toThrow();
  });
});
