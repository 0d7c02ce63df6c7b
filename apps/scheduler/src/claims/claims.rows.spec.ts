import type { PlannedExecutionRow } from '@scheduleman/domain/persistence';
import {
  type ClaimedRow,
  claimFromClaimRow,
  claimFromPlannedRow,
  isLeasedPlannedRow,
} from './claims.rows';

const planned: PlannedExecutionRow = {
  id: 'e1',
  schedule_id: 's1',
  scheduled_at: new Date('2031-03-01T12:00:00.000Z'),
  due_at: new Date('2031-03-01T12:00:00.000Z'),
  status: 'pending',
  attempts: 0,
  max_attempts: 3,
  lease_version: 1,
  lease_expires_at: new Date('2031-03-01T12:00:30.000Z'),
  reason: null,
  occurrence_count: 1,
};

describe('isLeasedPlannedRow', () => {
  it('keeps a pending row born leased to the planner', () => {
    expect(isLeasedPlannedRow(planned)).toBe(true);
  });

  it("drops a 'skipped' row, which is born final and without a lease", () => {
    expect(
      isLeasedPlannedRow({
        ...planned,
        status: 'skipped',
        lease_version: 0,
        lease_expires_at: null,
      }),
    ).toBe(false);
  });
});

describe('claims from rows', () => {
  const trigger = { type: 'webhook', url: 'http://x' };

  it("carries the schedule's owner and metadata from a planned row", () => {
    const claim = claimFromPlannedRow(
      { ...planned, lease_expires_at: new Date('2031-03-01T12:00:30.000Z') },
      {
        name: 'n',
        owner: 'team-a',
        metadata: { tenant: 'acme' },
        trigger,
      },
    );

    expect(claim).toMatchObject({
      scheduleName: 'n',
      scheduleOwner: 'team-a',
      scheduleMetadata: { tenant: 'acme' },
    });
  });

  it("carries the schedule's owner and metadata, or null, from a claimed row", () => {
    const row: ClaimedRow = {
      ...planned,
      lease_expires_at: new Date('2031-03-01T12:00:30.000Z'),
      fired_at: null,
      previous_owner: null,
      schedule_name: null,
      schedule_owner: 'team-b',
      schedule_metadata: { count: 3 },
      trigger,
      db_now: new Date('2031-03-01T12:00:00.000Z'),
    };

    expect(claimFromClaimRow(row).scheduleOwner).toBe('team-b');
    expect(claimFromClaimRow(row).scheduleMetadata).toEqual({ count: 3 });
    expect(
      claimFromClaimRow({ ...row, schedule_metadata: null }).scheduleMetadata,
    ).toBeNull();
    expect(
      claimFromClaimRow({ ...row, schedule_owner: null }).scheduleOwner,
    ).toBeNull();
  });
});
