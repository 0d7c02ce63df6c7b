import type { PlannedExecutionRow } from '@scheduleman/domain/persistence';
import { isLeasedPlannedRow } from './claims.rows';

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
