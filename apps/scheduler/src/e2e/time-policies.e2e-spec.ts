import {
  type CreateScheduleRequest,
  type ExecutionResponse,
  flexibleOffsetMs,
  type ScheduleResponse,
  type ScheduleSpecInput,
  type SkipReason,
} from '@scheduleman/domain';
import { waitFor } from '@scheduleman/testkit';
import {
  ALL_WEEK,
  latestGap,
  SUNDAY_0230,
} from '../testing/time-policy-fixtures';
import { databaseNow, EVERY_SECOND, useStack, webhookSchedule } from './stack';

/**
 * The time policies end to end, through the built apps: schedules created through the
 * API with each policy, fired (or not) by a separate scheduler process, and every
 * occurrence not fired returned by GET /schedules/:id/executions as `skipped` with the
 * policy's reason; the scheduler's skipped-occurrences counter equals the rows; a
 * flexible window's execution is due (and fired) at its instant in the window with its
 * own scheduledAt. Misfires are made by moving next_run_at into the past in SQL.
 */
describe('time policies end to end', () => {
  const stack = useStack('e2e_time_policies', ['policies-s1']);
  const { cluster } = stack;

  it(
    'returns each skip reason from the API, counts them as the rows say, and fires a flexible window at its dueAt',
    cluster.withLogs(async () => {
      const now = await databaseNow(stack.sql);
      const hook = (query?: string) =>
        stack.pretender.hookUrl('/tasks/policies', query);
      const create = (
        name: string,
        schedule: ScheduleSpecInput,
        extra: Partial<CreateScheduleRequest> = {},
        query?: string,
      ): Promise<ScheduleResponse> =>
        stack.api.createSchedule(
          webhookSchedule(name, schedule, hook(query), extra),
        );

      const calendar = await stack.api.createCalendar({
        name: 'always',
        exclusions: ALL_WEEK,
      });
      const excludedOwn = await create('excluded-own', EVERY_SECOND, {
        exclusions: ALL_WEEK,
      });
      const excludedByCalendar = await create(
        'excluded-calendar',
        EVERY_SECOND,
        {
          calendarIds: [calendar.id],
        },
      );
      // A target that works for 10 minutes: its report does not come during the test.
      const overlap = await create(
        'overlap-skip',
        EVERY_SECOND,
        { overlapPolicy: 'skip' },
        'work=600000',
      );
      const skipNext = await create('skip-next', {
        type: 'cron',
        expression: '*/2 * * * * *',
      });
      const marked = await stack.api.skipNext(skipNext.id);
      expect(marked.skipNextAt).not.toBeNull();
      const flexibleAt = new Date(now.getTime() + 3_000).toISOString();
      const flexible = await create(
        'flexible',
        { type: 'at', at: flexibleAt },
        { flexibleWindow: 'PT3S' },
      );
      // Misfires: an hour-late one-shot with a 10-minute catch-up window, and a Sunday
      // cron from the latest DST gap on, under dstGapPolicy skip and misfirePolicy skip.
      const catchUp = await create(
        'catch-up',
        { type: 'at', at: new Date(now.getTime() + 60_000).toISOString() },
        { catchUpWindow: 'PT10M' },
      );
      const gap = latestGap(new Date(now.getTime() - 60_000));
      const dst = await create(
        'dst',
        { type: 'cron', expression: SUNDAY_0230, timezone: gap.zone },
        { dstGapPolicy: 'skip', misfirePolicy: 'skip' },
      );
      expect(dst).toMatchObject({
        dstGapPolicy: 'skip',
        dstOverlapPolicy: 'first',
      });
      const hourAgo = new Date(now.getTime() - 3_600_000);
      await stack.sql.query(
        `update schedules set next_run_at = $2,
           schedule = jsonb_set(schedule, '{at}', to_jsonb($3::text))
         where id = $1`,
        [catchUp.id, hourAgo, hourAgo.toISOString()],
      );
      await stack.sql.query(
        `update schedules set next_run_at = $2 where id = $1`,
        [dst.id, gap.at],
      );

      const skippedWith = async (id: string, reason: SkipReason) =>
        (await stack.api.executions(id)).filter(
          (e) => e.status === 'skipped' && e.reason === reason,
        );
      const wait = { timeoutMs: 30_000, intervalMs: 250 };
      await Promise.all([
        waitFor(
          'exclusion rows (own)',
          async () =>
            (await skippedWith(excludedOwn.id, 'exclusion')).length >= 2,
          wait,
        ),
        waitFor(
          'exclusion rows (calendar)',
          async () =>
            (await skippedWith(excludedByCalendar.id, 'exclusion')).length >= 2,
          wait,
        ),
        waitFor(
          'overlap_policy rows',
          async () =>
            (await skippedWith(overlap.id, 'overlap_policy')).length >= 2,
          wait,
        ),
        waitFor(
          'a skip_next row',
          async () =>
            (await skippedWith(skipNext.id, 'skip_next')).length === 1,
          wait,
        ),
        waitFor(
          'a catch_up_window row',
          async () =>
            (await skippedWith(catchUp.id, 'catch_up_window')).length === 1,
          wait,
        ),
        waitFor(
          'a dst_policy row',
          async () => (await skippedWith(dst.id, 'dst_policy')).length === 1,
          wait,
        ),
        waitFor(
          'the flexible occurrence delivered',
          async () =>
            (await stack.api.executions(flexible.id)).some(
              (e) => e.status === 'succeeded',
            ),
          wait,
        ),
      ]);
      // Stop the crons so that rows and counters stand still.
      for (const s of [excludedOwn, excludedByCalendar, overlap, skipNext, dst])
        await stack.api.pauseAndSettle(s.id);

      const executions = new Map<string, ExecutionResponse[]>();
      for (const s of [
        excludedOwn,
        excludedByCalendar,
        overlap,
        skipNext,
        flexible,
        catchUp,
        dst,
      ])
        executions.set(s.name ?? s.id, await stack.api.executions(s.id));
      const of = (name: string) => executions.get(name) ?? [];

      // Nothing excluded fired; under overlap skip one delivery, the rest skipped.
      for (const name of ['excluded-own', 'excluded-calendar'])
        expect(
          of(name).every(
            (e) => e.status === 'skipped' && e.reason === 'exclusion',
          ),
        ).toBe(true);
      const fired = of('overlap-skip').filter((e) => e.status !== 'skipped');
      expect(fired).toHaveLength(1);
      expect(
        of('overlap-skip')
          .filter((e) => e.status === 'skipped')
          .every((e) => e.reason === 'overlap_policy'),
      ).toBe(true);
      // The marked occurrence is the skipped one, and the mark is gone.
      expect(
        of('skip-next').filter((e) => e.status === 'skipped'),
      ).toMatchObject([
        { scheduledAt: marked.skipNextAt, reason: 'skip_next' },
      ]);
      expect((await stack.api.getSchedule(skipNext.id)).skipNextAt).toBeNull();
      expect(of('catch-up')).toMatchObject([
        { status: 'skipped', reason: 'catch_up_window', firedAt: null },
      ]);
      // Newest first: the later Sundays were misfires (skip), the gap one the DST policy's.
      const dstRows = of('dst');
      expect(dstRows.at(-1)).toMatchObject({
        scheduledAt: gap.at.toISOString(),
        status: 'skipped',
        reason: 'dst_policy',
      });
      expect(
        dstRows.slice(0, -1).every((e) => e.reason === 'misfire_policy'),
      ).toBe(true);

      // Flexible window: due (and fired) at t + offset, scheduledAt stays t.
      const [flex] = of('flexible');
      const offset = flexibleOffsetMs(
        flexible.id,
        new Date(flexibleAt),
        'PT3S',
      );
      expect(flex.scheduledAt).toBe(flexibleAt);
      expect(flex.dueAt).toBe(
        new Date(Date.parse(flexibleAt) + offset).toISOString(),
      );
      expect(Date.parse(flex.firedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(flex.dueAt ?? ''),
      );

      // The counter equals the rows, per reason.
      const rows = new Map<string, number>();
      for (const list of executions.values())
        for (const e of list)
          if (e.status === 'skipped' && e.reason)
            rows.set(e.reason, (rows.get(e.reason) ?? 0) + e.occurrences);
      const text = await (
        await fetch(stack.schedulers[0].url('/metrics'))
      ).text();
      const counted = new Map<string, number>();
      for (const match of text.matchAll(
        /^scheduleman_occurrences_skipped_total\{reason="([a-z_]+)"\} (\d+)$/gm,
      ))
        counted.set(match[1], Number(match[2]));
      expect(counted).toEqual(rows);
    }),
    120_000,
  );
});
