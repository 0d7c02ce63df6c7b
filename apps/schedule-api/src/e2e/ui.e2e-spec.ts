import { LOOPBACK_NETWORKS, type ScheduleResponse } from '@scheduleman/domain';
import {
  ApiClient,
  type AppProcess,
  CHROMIUM_PATH,
  chromiumAbsentReason,
  Cluster,
  createTestDatabase,
  describeIfAvailable,
  TEST_ADMIN_API_KEY,
  TEST_AUTH_ENV,
  TEST_SECRETS_KEY,
  type TestDatabase,
  workspaceRoot,
} from '@scheduleman/testkit';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Where the screenshots go. docs/ui.md shows the ones in docs/ui/, refreshed with
 * `UI_SCREENSHOTS=docs npm test -- apps/schedule-api/src/e2e/ui` (they hold fresh ids and
 * times, so an ordinary run writes them to the temp folder and leaves the tree clean).
 */
const SCREENSHOTS =
  process.env['UI_SCREENSHOTS'] === 'docs'
    ? join(workspaceRoot(), 'docs', 'ui')
    : join(tmpdir(), 'scheduleman-ui-screenshots');

/**
 * The built UI in a real Chromium, served by the built schedule-api with authentication
 * on, against its own database: what a user does, checked against what the API says.
 */
describeIfAvailable(
  'chromium',
  chromiumAbsentReason(),
  'the web UI in a browser',
  () => {
    const cluster = new Cluster();
    let db: TestDatabase;
    let api: AppProcess;
    let client: ApiClient;
    let browser: Browser;
    let page: Page;
    let schedule: ScheduleResponse;

    beforeAll(async () => {
      db = await createTestDatabase('ui_e2e');
      [api] = await cluster.startReady([
        'schedule-api',
        {
          env: {
            ...TEST_AUTH_ENV,
            WEBHOOK_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
            DATABASE_URL: db.url,
          },
        },
      ]);
      client = new ApiClient(api.url(), { apiKey: TEST_ADMIN_API_KEY });
      schedule = await client.createSchedule({
        name: 'nightly-report',
        owner: 'team-a',
        schedule: {
          type: 'cron',
          expression: '0 30 2 * * *',
          timezone: 'Europe/Paris',
        },
        trigger: { type: 'webhook', url: 'http://127.0.0.1:9/report' },
      });
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: ['--no-sandbox'],
      });
      page = await browser.newPage({
        viewport: { width: 1200, height: 700 },
        timezoneId: 'America/New_York',
      });
    }, 120_000);

    afterAll(async () => {
      await browser.close();
      await client.close();
      await cluster.stopAll();
      await db.drop();
    });

    it(
      'asks for the API key, refuses a wrong one, then lists the schedule',
      cluster.withLogs(async () => {
        await page.goto(api.url('/ui/'));
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
          'cron 0 30 2 * * * (Europe/Paris)',
        );
        await page.screenshot({ path: join(SCREENSHOTS, 'list.png') });
      }),
      60_000,
    );

    it(
      'pauses from the detail page, and the API agrees',
      cluster.withLogs(async () => {
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
        expect((await client.getSchedule(schedule.id)).status).toBe('paused');
        expect(
          await page.getByRole('button', { name: 'Resume' }).isEnabled(),
        ).toBe(true);
        await page.screenshot({
          path: join(SCREENSHOTS, 'detail.png'),
          fullPage: true,
        });
      }),
      60_000,
    );

    it(
      'goes straight to the list when authentication is off',
      cluster.withLogs(async () => {
        const open = await cluster.start('schedule-api', {
          name: 'schedule-api-auth-off',
          env: {
            AUTH_DISABLED: 'true',
            HOST: '127.0.0.1',
            SECRETS_KEY: TEST_SECRETS_KEY,
            DATABASE_URL: db.url,
          },
        });
        await open.waitReady();
        const fresh = await browser.newPage();
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
