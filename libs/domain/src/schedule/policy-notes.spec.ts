import { flexibleOffsetMs } from './flexible-window';
import { previewOccurrences } from './occurrence-notes';
import { addPolicyNotes } from './policy-notes';
import {
  DEFAULT_SCHEDULE_POLICIES,
  type SchedulePolicies,
} from './schedule-policies';
import type { CronScheduleSpec } from './schedule-spec';

const DAILY: CronScheduleSpec = {
  type: 'cron',
  expression: '30 2 * * *',
  timezone: 'Europe/Berlin',
};
const FROM = new Date('2026-12-23T00:00:00Z');
const ID = '5c7e0a2e-1f0b-4c1e-9a57-1b2c3d4e5f60';

function preview(
  policies: Partial<SchedulePolicies>,
  context: Partial<Parameters<typeof addPolicyNotes>[2]> = {},
  count = 4,
) {
  return addPolicyNotes(
    previewOccurrences(DAILY, FROM, count),
    { ...DEFAULT_SCHEDULE_POLICIES, ...policies },
    { zone: DAILY.timezone, calendars: [], ...context },
  );
}

describe('addPolicyNotes', () => {
  it('adds nothing under the default policies', () => {
    expect(preview({})).toEqual(previewOccurrences(DAILY, FROM, 4));
  });

  it('marks excluded occurrences skipped, naming the exclusion or the calendar', () => {
    const items = preview(
      { exclusions: [{ date: '2026-12-23' }] },
      {
        calendars: [
          {
            id: 'c1',
            name: 'holidays',
            exclusions: [{ from: '2026-12-25', to: '2026-12-26' }],
          },
        ],
      },
    );
    expect(items.map((i) => [i.at, i.skipped ?? null, i.notes])).toEqual([
      [
        '2026-12-23T01:30:00.000Z',
        'exclusion',
        ['excluded by exclusions[0] (2026-12-23): skipped'],
      ],
      ['2026-12-24T01:30:00.000Z', null, []],
      [
        '2026-12-25T01:30:00.000Z',
        'exclusion',
        ["excluded by calendar 'holidays' (2026-12-25 to 2026-12-26): skipped"],
      ],
      [
        '2026-12-26T01:30:00.000Z',
        'exclusion',
        ["excluded by calendar 'holidays' (2026-12-25 to 2026-12-26): skipped"],
      ],
    ]);
  });

  it('shows the instant a flexible window fires at, for a known schedule id', () => {
    const [first] = preview({ flexibleWindow: 'PT5M' }, { scheduleId: ID }, 1);
    const offset = flexibleOffsetMs(
      ID,
      new Date('2026-12-23T01:30:00.000Z'),
      'PT5M',
    );
    const firesAt = new Date(Date.parse('2026-12-23T01:30:00.000Z') + offset);
    expect(first.at).toBe('2026-12-23T01:30:00.000Z');
    expect(first.firesAt).toBe(firesAt.toISOString());
    expect(first.notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^fires at 2026-12-23 02:3\\d(:\\d\\d)? \\+01:00 \\(${firesAt.toISOString().replace(/\./g, '\\.')}\\), .* into its 5 min flexible window$`,
        ),
      ),
    ]);
  });

  it('gives the range of a flexible window without a schedule id', () => {
    const [first] = preview({ flexibleWindow: 'PT5M' }, {}, 1);
    expect(first.firesAt).toBeUndefined();
    expect(first.notes).toEqual([
      "fires at one instant from 2026-12-23 02:30 +01:00 to 2026-12-23 02:35 +01:00, within its 5 min flexible window; the instant is fixed by the schedule's id (send scheduleId to see it)",
    ]);
  });

  it('gives the catch-up deadline of each occurrence', () => {
    const [first] = preview({ catchUpWindow: 'PT10M' }, {}, 1);
    expect(first.notes).toEqual([
      'if not fired by 2026-12-23 02:40 +01:00 (2026-12-23T01:40:00.000Z), it is skipped: catch-up window of 10 min',
    ]);
  });

  it('says what the overlap policy would do', () => {
    expect(preview({ overlapPolicy: 'skip' }, {}, 1)[0]?.notes).toEqual([
      'skipped if the previous execution has not finished by then (overlap policy skip)',
    ]);
    expect(
      preview({ overlapPolicy: 'buffer_one' }, {}, 1)[0]?.notes[0],
    ).toMatch(/overlap policy buffer_one/);
  });

  it('marks occurrences before the end of a pause, and the one skip-next marked', () => {
    const items = preview(
      { pausedUntil: new Date('2026-12-24T12:00:00Z') },
      { skipNextAt: new Date('2026-12-25T01:30:00.000Z') },
    );
    expect(items.map((i) => i.skipped ?? null)).toEqual([
      'paused',
      'paused',
      'skip_next',
      null,
    ]);
    expect(items[0]?.notes).toEqual([
      'paused until 2026-12-24 13:00 +01:00 (2026-12-24T12:00:00.000Z): does not fire',
    ]);
    expect(items[2]?.notes).toEqual(['marked by skip-next: skipped']);
  });

  it('keeps the DST notes of occurrence-notes.ts before its own', () => {
    const spring = addPolicyNotes(
      previewOccurrences(DAILY, new Date('2027-03-28T00:00:00Z'), 1),
      { ...DEFAULT_SCHEDULE_POLICIES, catchUpWindow: 'PT1H' },
      { zone: DAILY.timezone, calendars: [] },
    );
    expect(spring[0]?.notes).toHaveLength(2);
    expect(spring[0]?.notes[0]).toMatch(/does not exist/);
    expect(spring[0]?.notes[1]).toMatch(/catch-up window of 1 h/);
  });
});
