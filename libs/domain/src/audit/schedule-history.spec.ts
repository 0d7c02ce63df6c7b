import { historyEntryOf, noteDetails } from './schedule-history';

const base = {
  at: '2031-01-01T00:00:00.000Z',
  actorKeyId: 'k1',
  actorOwner: 'team-a',
};

describe('historyEntryOf', () => {
  it('carries the note of a pause and names the actor', () => {
    expect(
      historyEntryOf({
        ...base,
        action: 'schedule.paused',
        details: { note: 'maintenance window' },
      }),
    ).toEqual({
      at: base.at,
      action: 'paused',
      actor: { keyId: 'k1', owner: 'team-a' },
      note: 'maintenance window',
    });
  });

  it('lists the fields of an edit as its changes, and no note', () => {
    expect(
      historyEntryOf({
        ...base,
        action: 'schedule.updated',
        details: { fields: ['name', 'schedule'] },
      }),
    ).toEqual({
      at: base.at,
      action: 'updated',
      actor: { keyId: 'k1', owner: 'team-a' },
      note: null,
      changes: ['name', 'schedule'],
    });
  });

  it('names the scheduler that resumed a schedule whose pausedUntil ended', () => {
    expect(
      historyEntryOf({
        ...base,
        actorKeyId: null,
        actorOwner: null,
        action: 'schedule.resumed',
        details: {
          by: 'scheduler',
          schedulerId: 'scheduler-2',
          status: 'active',
          note: 'pause ended (pausedUntil 2030-01-01T00:00:00.000Z)',
        },
      }),
    ).toEqual({
      at: base.at,
      action: 'resumed',
      actor: { keyId: null, owner: null, scheduler: 'scheduler-2' },
      note: 'pause ended (pausedUntil 2030-01-01T00:00:00.000Z)',
    });
  });

  it('leaves out events that are not part of a schedule history', () => {
    expect(
      historyEntryOf({ ...base, action: 'schedule.deleted', details: {} }),
    ).toBeNull();
    expect(
      historyEntryOf({ ...base, action: 'api_key.created', details: {} }),
    ).toBeNull();
  });
});

describe('noteDetails', () => {
  it('records a note only when one was given', () => {
    expect(noteDetails(undefined)).toEqual({});
    expect(noteDetails('')).toEqual({});
    expect(noteDetails('why')).toEqual({ note: 'why' });
  });
});
