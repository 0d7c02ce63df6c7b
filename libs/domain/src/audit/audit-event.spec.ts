import {
  ADMIN_PRINCIPAL,
  ANONYMOUS_PRINCIPAL,
  keyPrincipal,
} from '../auth/principal';
import {
  AUDIT_ACTIONS,
  AUDIT_RESOURCE_TYPES,
  auditActorOf,
  auditEntry,
  auditResourceTypeOf,
  changedFields,
} from './audit-event';

const KEY_ID = '6f1c1a52-9d5e-4a8e-b6a4-0d6c1f2e3a4b';

describe('audit events', () => {
  it('records a key and its owner as the actor of an owner-bound key', () => {
    const principal = keyPrincipal({
      id: KEY_ID,
      owner: 'team-a',
      scopes: ['schedules:write'],
    });
    expect(auditActorOf(principal)).toEqual({
      actorKeyId: KEY_ID,
      actorOwner: 'team-a',
    });
  });

  it('records the key and its owner for a key with the admin scope, which acts for every owner', () => {
    const principal = keyPrincipal({
      id: KEY_ID,
      owner: 'ops',
      scopes: ['admin'],
    });
    expect(principal.owner).toBeNull();
    expect(auditActorOf(principal)).toEqual({
      actorKeyId: KEY_ID,
      actorOwner: 'ops',
    });
  });

  it('records no key and no owner for ADMIN_API_KEY and for AUTH_DISABLED', () => {
    expect(auditActorOf(ADMIN_PRINCIPAL)).toEqual({
      actorKeyId: null,
      actorOwner: null,
    });
    expect(auditActorOf(ANONYMOUS_PRINCIPAL)).toEqual({
      actorKeyId: null,
      actorOwner: null,
    });
  });

  it('derives the resource type from every action', () => {
    const types = AUDIT_ACTIONS.map(auditResourceTypeOf);
    expect(new Set(types)).toEqual(new Set(AUDIT_RESOURCE_TYPES));
    expect(auditResourceTypeOf('schedule.triggered')).toBe('schedule');
    expect(auditResourceTypeOf('api_key.revoked')).toBe('api_key');
    expect(auditResourceTypeOf('signing_secret.created')).toBe(
      'signing_secret',
    );
    expect(auditResourceTypeOf('connection.deleted')).toBe('connection');
  });

  it('builds an entry from the principal, the action and its details', () => {
    expect(
      auditEntry(ADMIN_PRINCIPAL, 'connection.created', { type: 'amqp' }),
    ).toEqual({
      actorKeyId: null,
      actorOwner: null,
      action: 'connection.created',
      resourceType: 'connection',
      details: { type: 'amqp' },
    });
    expect(auditEntry(ADMIN_PRINCIPAL, 'schedule.paused').details).toEqual({});
  });

  it('names the fields of an edit, sorted, without their values', () => {
    const fields = changedFields({
      trigger: { headers: { authorization: 'Bearer s3cret' } },
      name: 'renamed',
      metadata: null,
      owner: undefined,
    });
    expect(fields).toEqual(['metadata', 'name', 'trigger']);
    expect(JSON.stringify(fields)).not.toContain('s3cret');
  });
});
