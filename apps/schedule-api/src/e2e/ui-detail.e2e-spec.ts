import {
  type ExecutionResponse,
  type ScheduleResponse,
} from '@scheduleman/domain';
import {
  chromiumAbsentReason,
  describeIfAvailable,
  waitFor,
} from '@scheduleman/testkit';
import { createServer, type Server } from 'node:http';
import { type Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, UiStack } from './ui-browser';

/** A webhook receiver on 127.0.0.1 that answers 200 to everything and counts the calls. */
async function startReceiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${String(port)}/hook` };
}

function lateness(e: ExecutionResponse): number {
  if (e.firedAt === null) throw new Error(`${e.id} has not fired`);
  return new Date(e.firedAt).getTime() - new Date(e.scheduledAt).getTime();
}

/**
 * The detail page of the built UI against the built schedule-api and one built scheduler
 * on their own database: a schedule that fired every second for a few seconds shows its
 * history (status, attempts, scheduler, the API's lateness) and a chart with one point per
 * fired execution; Pause, Resume, Run now and Delete from the page, checked against the
 * API; the DST note beside the 28 Mar 2027 occurrence of a Berlin cron.
 */
describeIfAvailable(
  'chromium',
  chromiumAbsentReason(),
  'the schedule detail page in a browser',
  () => {
    const stack = new UiStack();
    let receiver: { server: Server; url: string };
    let page: Page;
    let schedule: ScheduleResponse;

    beforeAll(async () => {
      receiver = await startReceiver();
      await stack.start('ui_detail_e2e', { scheduler: true });
    }, 120_000);

    afterAll(async () => {
      await stack.stop();
      await new Promise((resolve) => receiver.server.close(resolve));
    });

    it(
      'shows the fired history with the API’s status, attempts, scheduler and lateness, and charts it',
      stack.cluster.withLogs(async () => {
        schedule = await stack.client.createSchedule({
          name: 'every-second',
          owner: 'team-a',
          schedule: { type: 'cron', expression: '* * * * * *' },
          trigger: { type: 'webhook', url: receiver.url },
        });
        await waitFor(
          'five succeeded executions',
          async () =>
            (await stack.client.executions(schedule.id)).filter(
              (e) => e.status === 'succeeded',
            ).length >= 5,
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        const executions = await stack.client.pauseAndSettle(schedule.id);
        const fired = executions.filter((e) => e.firedAt !== null);
        expect(fired.length).toBeGreaterThanOrEqual(5);
        expect(executions.length).toBeLessThanOrEqual(25); // one page
        for (const e of fired) {
          expect(e.status).toBe('succeeded');
          expect(e.responseStatus).toBe(200);
        }

        page = await stack.loggedInPage(`/schedules/${schedule.id}`);
        await page.getByRole('heading', { name: 'every-second' }).waitFor();
        const table = page.getByRole('table', { name: 'Executions' });
        const rows = table.locator('tbody tr[data-execution-id]');
        await waitFor(
          'every execution in the table',
          async () => (await rows.count()) === executions.length,
        );
        const headers = await table.locator('thead th').allTextContents();
        const column = (name: string) => {
          const index = headers.indexOf(name);
          expect(index).toBeGreaterThanOrEqual(0);
          return index;
        };
        const byId = new Map(executions.map((e) => [e.id, e]));
        for (const row of await rows.all()) {
          const id = await row.getAttribute('data-execution-id');
          const e = byId.get(id ?? '');
          if (e === undefined)
            throw new Error(`row of unknown execution ${id}`);
          const cells = row.locator('th, td');
          const cell = (name: string) => cells.nth(column(name));
          // The row heading is the scheduled time.
          expect(await row.locator('th time').getAttribute('datetime')).toBe(
            e.scheduledAt,
          );
          expect(await cell('Status').textContent()).toContain(e.status);
          expect(await cell('Attempts').textContent()).toBe(
            `${String(e.attempts)} / ${String(e.maxAttempts)}`,
          );
          expect(await cell('Scheduler').textContent()).toBe(
            e.schedulerId ?? '',
          );
          expect(
            await cell('Due').locator('time').getAttribute('datetime'),
          ).toBe(e.dueAt);
          if (e.firedAt === null) continue;
          expect(
            await cell('Fired').locator('time').getAttribute('datetime'),
          ).toBe(e.firedAt);
          expect(
            Number(
              await cell('Lateness').locator('data').getAttribute('value'),
            ),
          ).toBe(lateness(e));
          expect(await cell('Response / error').textContent()).toBe('HTTP 200');
        }

        const chart = page.getByRole('img', { name: /^Lateness chart/ });
        const points = chart.locator('[data-lateness-ms]');
        expect(await points.count()).toBe(fired.length);
        const plotted = (
          await Promise.all(
            (await points.all()).map(async (p) =>
              Number(await p.getAttribute('data-lateness-ms')),
            ),
          )
        ).sort((a, b) => a - b);
        expect(plotted).toEqual(fired.map(lateness).sort((a, b) => a - b));
        const label = (await chart.getAttribute('aria-label')) ?? '';
        expect(label).toContain(`${String(fired.length)} runs: p50 `);
        const summary = label.replace('Lateness chart, ', '');
        expect(await page.locator('figure figcaption').textContent()).toContain(
          summary,
        );
        const outside = fired.filter((e) => Math.abs(lateness(e)) > 10_000);
        expect(summary).toContain(`; ${String(outside.length)} outside ±10 s`);
        expect(await chart.locator('.outside').count()).toBe(outside.length);

        await screenshot(page, 'detail');
        expect(await seriousA11yViolations(page)).toEqual([]);
      }),
      90_000,
    );

    it(
      'resumes, pauses and runs now from the page, and the API agrees each time',
      stack.cluster.withLogs(async () => {
        const status = page.getByTestId('status');
        await page.getByRole('button', { name: 'Resume' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Resumed.' })
          .waitFor();
        expect(await status.textContent()).toBe('active');
        expect((await stack.client.getSchedule(schedule.id)).status).toBe(
          'active',
        );

        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('status').filter({ hasText: 'Paused.' }).waitFor();
        expect(await status.textContent()).toBe('paused');
        expect((await stack.client.getSchedule(schedule.id)).status).toBe(
          'paused',
        );
        // What was due within 2 s of the pause fires; then nothing is pending.
        await waitFor('no pending execution after the pause', async () =>
          (await stack.client.executions(schedule.id)).every(
            (e) => e.status !== 'pending',
          ),
        );

        const before = new Set(
          (await stack.client.executions(schedule.id)).map((e) => e.id),
        );
        await page.getByRole('button', { name: 'Run now' }).click();
        const notice = page
          .getByRole('status')
          .filter({ hasText: 'Run requested' });
        await notice.waitFor();
        const runId = /execution (\S+) is due now/.exec(
          (await notice.textContent()) ?? '',
        )?.[1];
        expect(runId).toBeDefined();
        expect(before.has(runId ?? '')).toBe(false);
        const run = await waitFor(
          'the run-now execution to succeed',
          async () =>
            (await stack.client.executions(schedule.id)).find(
              (e) => e.id === runId && e.status === 'succeeded',
            ),
        );
        const row = page.locator(`tr[data-execution-id="${run.id}"]`);
        await row.waitFor();
        await waitFor(
          'the page to show the run as succeeded',
          async () =>
            (await row.locator('td').nth(1).textContent())?.includes(
              'succeeded',
            ) ?? false,
          { timeoutMs: 15_000, intervalMs: 200 },
        );
        expect(await status.textContent()).toBe('paused');
      }),
      90_000,
    );

    it(
      'deletes only after confirmation in a dialog; Escape cancels',
      stack.cluster.withLogs(async () => {
        const open = page.getByRole('button', { name: 'Delete', exact: true });
        await open.click();
        const dialog = page.getByRole('dialog', {
          name: 'Delete every-second?',
        });
        await dialog.waitFor();
        expect(await dialog.locator(':focus').textContent()).toBe('Cancel');
        expect(await seriousA11yViolations(page)).toEqual([]);

        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
        expect((await stack.client.getSchedule(schedule.id)).id).toBe(
          schedule.id,
        );

        await open.click();
        await dialog.getByRole('button', { name: 'Delete schedule' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Deleted every-second.' })
          .waitFor();
        expect(new URL(page.url()).pathname).toBe('/ui/');
        await page.getByRole('heading', { name: 'Schedules' }).waitFor();
        await expect(stack.client.getSchedule(schedule.id)).rejects.toThrow(
          /answered 404/,
        );
      }),
      60_000,
    );

    it(
      'says why an action is refused: 403 for a read-only key, 409 for a completed schedule',
      stack.cluster.withLogs(async () => {
        const oneShot = await stack.client.createSchedule({
          name: 'one-shot',
          owner: 'team-a',
          schedule: { type: 'delay', delay: 'PT1S' },
          trigger: { type: 'webhook', url: receiver.url },
        });
        await waitFor(
          'the one-shot to complete',
          async () =>
            (await stack.client.getSchedule(oneShot.id)).status === 'completed',
          { timeoutMs: 20_000, intervalMs: 200 },
        );
        const reader = await stack.client.createApiKey({
          owner: 'team-a',
          scopes: ['schedules:read'],
        });
        const readOnly = await stack.newPage();
        await readOnly.goto(stack.api.url('/ui/'));
        await readOnly.getByLabel('API key').fill(reader.key);
        await readOnly.getByRole('button', { name: 'Log in' }).click();
        await readOnly.getByRole('heading', { name: 'Schedules' }).waitFor();
        await readOnly.goto(stack.api.url(`/ui/schedules/${oneShot.id}`));
        await readOnly.getByRole('heading', { name: 'one-shot' }).waitFor();
        await readOnly.getByRole('button', { name: 'Run now' }).click();
        const forbidden = readOnly.getByRole('alert');
        await forbidden.waitFor();
        expect(await forbidden.textContent()).toMatch(
          /^Run now is not allowed with this API key \(it needs schedules:write\): 403 FORBIDDEN/,
        );
        expect(await stack.client.executions(oneShot.id)).toHaveLength(1);
        await readOnly.close();

        await page.goto(stack.api.url(`/ui/schedules/${oneShot.id}`));
        await page.getByRole('heading', { name: 'one-shot' }).waitFor();
        expect(await page.getByTestId('status').textContent()).toBe(
          'completed',
        );
        await page.getByRole('button', { name: 'Resume' }).click();
        const conflict = page.getByRole('alert');
        await conflict.waitFor();
        expect(await conflict.textContent()).toMatch(
          /^Resume refused: 409 .*completed/,
        );
        expect((await stack.client.getSchedule(oneShot.id)).status).toBe(
          'completed',
        );
      }),
      60_000,
    );

    it(
      'explains the DST gap beside the 28 Mar 2027 occurrence of a Berlin cron',
      stack.cluster.withLogs(async () => {
        const berlin = await stack.client.createSchedule({
          name: 'berlin-gap',
          schedule: {
            type: 'cron',
            expression: '30 2 28 3 *',
            timezone: 'Europe/Berlin',
          },
          trigger: { type: 'webhook', url: receiver.url },
        });
        await page.goto(stack.api.url(`/ui/schedules/${berlin.id}`));
        const list = page.getByRole('list', { name: 'Upcoming' });
        const items = list.locator('li');
        await items.first().locator('time').first().waitFor();
        expect(await items.count()).toBe(10);
        const first = items.first();
        // 02:30 does not exist that night: it fires at 03:00 CEST, 01:00 UTC.
        expect(
          await first.locator('time').first().getAttribute('datetime'),
        ).toBe('2027-03-28T01:00:00.000Z');
        expect(berlin.nextRunAt).toBe('2027-03-28T01:00:00.000Z');
        const note = await first.locator('.note').textContent();
        expect(note).toContain(
          '02:30 does not exist on 2027-03-28 in Europe/Berlin',
        );
        expect(note).toContain('fires once at 03:00');
        expect(await page.getByTestId('spec').textContent()).toContain(
          '02:30 does not exist on 2027-03-28',
        );
        expect(await seriousA11yViolations(page)).toEqual([]);
      }),
      60_000,
    );
  },
);
