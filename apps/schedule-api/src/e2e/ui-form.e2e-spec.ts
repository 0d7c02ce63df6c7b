import {
  type PreviewResponse,
  type ScheduleListResponse,
  type ScheduleResponse,
} from '@scheduleman/domain';
import {
  chromiumAbsentReason,
  describeIfAvailable,
  TEST_ADMIN_API_KEY,
} from '@scheduleman/testkit';
import { type Page } from 'playwright-core';
import { screenshot, seriousA11yViolations, UiStack } from './ui-browser';

/**
 * The create and edit form of the built UI in a real Chromium (docs/ui.md, "Create and
 * edit"): the live preview with a DST note, the API's field errors shown beside their
 * inputs, creating cron, at and delay schedules, and editing one, each checked against
 * what the API then says.
 */
describeIfAvailable(
  'chromium',
  chromiumAbsentReason(),
  'the create and edit form in a browser',
  () => {
    const stack = new UiStack();
    let page: Page;
    let created: ScheduleResponse;

    async function adminCall<T>(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<T> {
      const res = await fetch(stack.api.url(path), {
        method,
        headers: {
          authorization: `Bearer ${TEST_ADMIN_API_KEY}`,
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as T;
    }

    const listSchedules = () =>
      adminCall<ScheduleListResponse>('GET', '/schedules?limit=100');

    /** The `datetime` of each occurrence in the preview (the schedule's zone, first of each). */
    async function previewInstants(): Promise<(string | null)[]> {
      const times = await page
        .getByRole('region', { name: 'Preview' })
        .locator('ol.occurrences > li > time')
        .all();
      return Promise.all(times.map((t) => t.getAttribute('datetime')));
    }

    /** The texts an input's aria-describedby names (its message and hint). */
    async function describedText(id: string): Promise<string> {
      const refs =
        (await page.locator(`#${id}`).getAttribute('aria-describedby')) ?? '';
      const texts = await Promise.all(
        refs
          .split(' ')
          .filter((ref) => ref !== '')
          .map((ref) => page.locator(`#${ref}`).textContent()),
      );
      return texts.join(' | ');
    }

    beforeAll(async () => {
      await stack.start('ui_form_e2e');
      page = await stack.loggedInPage('/new');
    }, 120_000);

    afterAll(() => stack.stop());

    it(
      'previews a Berlin cron with its DST note, the instants the API answers',
      stack.cluster.withLogs(async () => {
        await page.getByRole('heading', { name: 'New schedule' }).waitFor();
        // The viewer's zone is the default (the browser runs in New York).
        expect(await page.getByLabel('Time zone').inputValue()).toBe(
          'America/New_York',
        );
        await page.getByLabel('Time zone').fill('Europe/Berlin');
        await page.getByLabel('Cron expression').fill('30 2 28 3 *');
        const region = page.getByRole('region', { name: 'Preview' });
        expect(await region.getAttribute('aria-live')).toBe('polite');
        const gap = region
          .locator('li.has-notes')
          .filter({ hasText: '02:30 does not exist on 2027-03-28' });
        await gap.waitFor();
        expect(await gap.textContent()).toContain(
          '02:30 does not exist on 2027-03-28 in Europe/Berlin (clocks jump from 02:00 to 03:00); fires once at 03:00 +02:00',
        );
        expect(await gap.locator('time').first().textContent()).toContain(
          '28 Mar 2027',
        );

        const answer = await adminCall<PreviewResponse>(
          'POST',
          '/schedules/preview',
          {
            schedule: {
              type: 'cron',
              expression: '30 2 28 3 *',
              timezone: 'Europe/Berlin',
            },
            count: 10,
          },
        );
        expect(answer.items).toHaveLength(10);
        expect(await previewInstants()).toEqual(answer.items.map((i) => i.at));
        // Each occurrence in the schedule's zone, then the viewer's: the same instant.
        const all = await region.locator('time').all();
        expect(all).toHaveLength(20);
      }),
      60_000,
    );

    it(
      'shows a refused URL beside its field and stores nothing, then creates the fixed schedule',
      stack.cluster.withLogs(async () => {
        const before = (await listSchedules()).items.length;
        await page.getByLabel('Name', { exact: true }).fill('berlin-report');
        await page.getByLabel('Owner').fill('team-a');
        await page.getByLabel('URL').fill('ftp://127.0.0.1/x');
        await page.getByRole('button', { name: 'Add header' }).click();
        await page.getByLabel('Header 1 name').fill('X-Tenant');
        await page.getByLabel('Header 1 value').fill('{{owner}}');
        await page.getByRole('button', { name: 'Add header' }).click();
        await page.getByLabel('Header 2 name').fill('Authorization');
        await page.getByLabel('Header 2 value').fill('Bearer s3cret');
        await page.getByRole('button', { name: 'Create schedule' }).click();

        const alert = page.getByRole('alert');
        await alert.filter({ hasText: 'trigger.url' }).waitFor();
        const url = page.getByLabel('URL');
        expect(await url.getAttribute('aria-invalid')).toBe('true');
        expect(await describedText('f-url')).toContain(
          'scheme "ftp" is not allowed; use http or https',
        );
        expect(await page.locator(':focus').getAttribute('id')).toBe('f-url');
        expect((await listSchedules()).items).toHaveLength(before);

        // The top of the form, where the summary and the preview start, in view.
        await page
          .getByRole('heading', { name: 'New schedule' })
          .scrollIntoViewIfNeeded();
        await screenshot(page, 'create');
        expect(await seriousA11yViolations(page)).toEqual([]);

        await url.fill('http://127.0.0.1:9/hook');
        await page.getByRole('button', { name: 'Create schedule' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Schedule created.' })
          .waitFor();
        const id = decodeURIComponent(
          new URL(page.url()).pathname.replace('/ui/schedules/', ''),
        );
        created = await stack.client.getSchedule(id);
        expect(created).toMatchObject({
          name: 'berlin-report',
          owner: 'team-a',
          schedule: {
            type: 'cron',
            expression: '30 2 28 3 *',
            timezone: 'Europe/Berlin',
          },
          trigger: {
            type: 'webhook',
            url: 'http://127.0.0.1:9/hook',
            method: 'POST',
            headers: { 'X-Tenant': '{{owner}}', Authorization: '********' },
          },
          misfirePolicy: 'fire_once',
          maxAttempts: 5,
        });
        expect((await listSchedules()).items).toHaveLength(before + 1);
      }),
      60_000,
    );

    it(
      'edits the name and the expression, sending only those, and the API agrees',
      stack.cluster.withLogs(async () => {
        await page.goto(stack.api.url(`/ui/schedules/${created.id}/edit`));
        const name = page.getByLabel('Name', { exact: true });
        await page.getByRole('heading', { name: 'Edit schedule' }).waitFor();
        await name.waitFor();
        expect(await name.inputValue()).toBe('berlin-report');
        // The stored secret stays masked in the form.
        expect(await page.getByLabel('Header 2 value').inputValue()).toBe(
          '********',
        );
        await name.fill('berlin-report-3am');
        await page.getByLabel('Cron expression').fill('0 3 * * *');
        const patch = page.waitForRequest(
          (r) => r.method() === 'PATCH' && r.url().endsWith(created.id),
        );
        await page.getByRole('button', { name: 'Save changes' }).click();
        const sent = (await patch).postDataJSON() as Record<string, unknown>;
        expect(Object.keys(sent).sort()).toEqual(['name', 'schedule']);
        await page
          .getByRole('status')
          .filter({ hasText: 'Changes saved.' })
          .waitFor();
        const after = await stack.client.getSchedule(created.id);
        expect(after).toMatchObject({
          name: 'berlin-report-3am',
          schedule: { expression: '0 3 * * *', timezone: 'Europe/Berlin' },
          trigger: created.trigger,
        });
      }),
      60_000,
    );

    it(
      'creates an at and a delay schedule',
      stack.cluster.withLogs(async () => {
        const at = new Date(Date.now() + 86_400_000);
        at.setUTCMilliseconds(0);
        await page.goto(stack.api.url('/ui/new'));
        await page.getByLabel('At an instant (once)').check();
        await page
          .getByLabel('Instant (ISO-8601 with offset)')
          .fill(at.toISOString().replace('.000Z', 'Z'));
        await page
          .getByRole('region', { name: 'Preview' })
          .locator(`time[datetime="${at.toISOString()}"]`)
          .first()
          .waitFor();
        await page.getByLabel('Name', { exact: true }).fill('one-shot-at');
        await page.getByLabel('URL').fill('http://127.0.0.1:9/at');
        await page.getByRole('button', { name: 'Create schedule' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Schedule created.' })
          .waitFor();
        const items = (await listSchedules()).items;
        expect(items.find((s) => s.name === 'one-shot-at')?.schedule).toEqual({
          type: 'at',
          at: at.toISOString(),
        });

        await page.goto(stack.api.url('/ui/new'));
        await page.getByLabel('After a delay (once)').check();
        await page.getByLabel('Delay (ISO-8601 duration)').fill('PT5M');
        await page.getByLabel('Name', { exact: true }).fill('one-shot-delay');
        await page.getByLabel('URL').fill('http://127.0.0.1:9/delay');
        const sentAt = Date.now();
        await page.getByRole('button', { name: 'Create schedule' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: 'Schedule created.' })
          .waitFor();
        const delay = (await listSchedules()).items.find(
          (s) => s.name === 'one-shot-delay',
        );
        expect(delay?.schedule).toMatchObject({ type: 'delay', delay: 'PT5M' });
        const fixedAt = Date.parse(
          (delay?.schedule as { at: string } | undefined)?.at ?? '',
        );
        expect(fixedAt - sentAt).toBeGreaterThanOrEqual(300_000 - 1_000);
        expect(fixedAt - sentAt).toBeLessThanOrEqual(300_000 + 60_000);
      }),
      60_000,
    );
  },
);
