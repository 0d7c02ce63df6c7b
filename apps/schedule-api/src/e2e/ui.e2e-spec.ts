import { type ScheduleResponse } from '@scheduleman/domain';
import {
  chromiumAbsentReason,
  describeIfAvailable,
  TEST_ADMIN_API_KEY,
  TEST_SECRETS_KEY,
} from '@scheduleman/testkit';
import { type Page } from 'playwright-core';
import { seriousA11yViolations, UiStack } from './ui-browser';

/**
 * The built UI in a real Chromium, served by the built schedule-api with authentication
 * on, against its own database: logging in, the list, the detail page's Pause, and auth off.
 */
describeIfAvailable(
  'chromium',
  chromiumAbsentReason(),
  'the web UI in a browser',
  () => {
    const stack = new UiStack();
    let page: Page;
    let schedule: ScheduleResponse;

    beforeAll(async () => {
      await stack.start('ui_e2e');
      schedule = await stack.client.createSchedule({
        name: 'nightly-report',
        owner: 'team-a',
        schedule: {
          type: 'cron',
          expression: '0 30 2 * * *',
          timezone: 'Europe/Paris',
        },
        trigger: { type: 'webhook', url: 'http://127.0.0.1:9/report' },
      });
      page = await stack.newPage();
    }, 120_000);

    afterAll(() => stack.stop());

    it(
      'asks for the API key, refuses a wrong one, then lists the schedule',
      stack.cluster.withLogs(async () => {
        await page.goto(stack.api.url('/ui/'));
        const key = page.getByLabel('API key');
        await key.fill('not-a-key-0123456789abcdefghijklmnopqrstuv');
        await page.getByRole('button', { name: 'Log in' }).click();
        await page
          .getByRole('alert')
          .filter({ hasText: 'not accepted' })
          .waitFor();

        await key.fill(TEST_ADMIN_API_KEY);
        await page.getByRole('button', { name: 'Log in' }).click();
        const row = page.getByRole('row', { name: /nightly-report/ });
        await row.waitFor();
        const headers = await page
          .getByRole('table')
          .locator('thead th')
          .allTextContents();
        const column = headers.indexOf('Next Execution');
        expect(column).toBeGreaterThan(0);
        const cell = row.locator('th, td').nth(column);
        // The schedule's zone first, then the viewer's (New York): both the same instant.
        const times = await cell.locator('time').all();
        const instants = await Promise.all(
          times.map((t) => t.getAttribute('datetime')),
        );
        expect(instants).toEqual([schedule.nextRunAt, schedule.nextRunAt]);
        expect(await row.textContent()).toContain(
          'At 02:30, every day (Europe/Paris)0 30 2 * * *',
        );
        expect(await seriousA11yViolations(page)).toEqual([]);
      }),
      60_000,
    );

    it(
      'pauses from the detail page, and the API agrees',
      stack.cluster.withLogs(async () => {
        await page.getByRole('link', { name: 'nightly-report' }).click();
        await page.getByRole('heading', { name: 'nightly-report' }).waitFor();
        expect(new URL(page.url()).pathname).toBe(
          `/ui/schedules/${schedule.id}`,
        );
        await page.getByRole('list').locator('time').first().waitFor();
        expect(
          await page.getByRole('list').locator('li').count(),
        ).toBeGreaterThanOrEqual(10);
        await page.getByRole('button', { name: 'Pause' }).click();
        await page.getByRole('status').filter({ hasText: 'Paused.' }).waitFor();
        expect(await page.getByTestId('status').textContent()).toBe('paused');
        expect((await stack.client.getSchedule(schedule.id)).status).toBe(
          'paused',
        );
        expect(
          await page.getByRole('button', { name: 'Resume' }).isEnabled(),
        ).toBe(true);
        expect(await seriousA11yViolations(page)).toEqual([]);
      }),
      60_000,
    );

    it(
      'goes straight to the list when authentication is off',
      stack.cluster.withLogs(async () => {
        const open = await stack.cluster.start('schedule-api', {
          name: 'schedule-api-auth-off',
          env: {
            AUTH_DISABLED: 'true',
            HOST: '127.0.0.1',
            SECRETS_KEY: TEST_SECRETS_KEY,
            DATABASE_URL: stack.db.url,
          },
        });
        await open.waitReady();
        const fresh = await stack.newPage();
        await fresh.goto(open.url('/ui/'));
        await fresh.getByRole('row', { name: /nightly-report/ }).waitFor();
        expect(await fresh.getByLabel('API key').count()).toBe(0);
        expect(
          await fresh.getByRole('button', { name: 'Log out' }).count(),
        ).toBe(0);
        await fresh.close();
      }),
      60_000,
    );
  },
);
