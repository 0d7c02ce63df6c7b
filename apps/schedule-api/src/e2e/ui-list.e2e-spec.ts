import type { ScheduleListResponse } from '@scheduleman/domain';
import {
  chromiumAbsentReason,
  describeIfAvailable,
  TEST_ADMIN_API_KEY,
  workspaceRoot,
} from '@scheduleman/testkit';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Page } from 'playwright-core';
import { INSERT_BULK_SCHEDULES } from '../query-plans/bulk-schedules.sql';
import { screenshot, seriousA11yViolations, UiStack } from './ui-browser';

/** Schedules stored for the list: the figure docs/ui.md quotes. */
const SCHEDULES = 10_000;
/** Created through the API, to measure that path; the rest in one SQL insert. */
const VIA_API = 300;
const OWNERS = 50;
/** Bulk rows are numbered 1 (oldest) … n: row 45 is on page 3 of the default order. */
const PAGED_NEEDLE = 'needle on page three';
const SEARCHED_NEEDLE = 'needle deep in the list';

/**
 * The schedule list in a real Chromium over 10 000 stored schedules: time to a usable
 * list, the bundle size, finding a schedule beyond the first page (paging and search),
 * Next Execution against the API row by row, filters, axe, and the screenshot.
 */
describeIfAvailable(
  'chromium',
  chromiumAbsentReason(),
  'the schedule list in a browser, 10,000 schedules',
  () => {
    const stack = new UiStack();
    let page: Page;

    beforeAll(async () => {
      await stack.start('ui_list_e2e');
      // The API path, measured: concurrent creates of VIA_API schedules.
      const viaApi = await stack.client.createMany(
        Array.from({ length: VIA_API }, (_, i) => i),
        (i) => ({
          name: `api schedule ${String(i)}`,
          owner: `owner-${String(i % OWNERS)}`,
          schedule: {
            type: 'cron',
            expression: `${String(i % 60)} 30 2 * * *`,
            timezone: 'Europe/Berlin',
          },
          trigger: { type: 'webhook', url: 'http://127.0.0.1:9/list' },
        }),
      );
      expect(viaApi.failures).toEqual([]);
      const sql = await stack.db.dataSource();
      const bulk = SCHEDULES - VIA_API;
      const started = performance.now();
      await sql.query(INSERT_BULK_SCHEDULES, [1, bulk, OWNERS, 7, bulk]);
      const sqlMs = performance.now() - started;
      console.log(
        `ui-list e2e: ${String(VIA_API)} API creates at ${viaApi.perSecond.toFixed(0)}/s ` +
          `(10,000 would take ~${(SCHEDULES / viaApi.perSecond).toFixed(0)} s); ` +
          `${String(bulk)} rows in one SQL insert in ${sqlMs.toFixed(0)} ms`,
      );
      await sql.query(
        `update schedules set name = $1 where name = 'bulk schedule 45'`,
        [PAGED_NEEDLE],
      );
      await sql.query(
        `update schedules set name = $1 where name = 'bulk schedule 7777'`,
        [SEARCHED_NEEDLE],
      );
      // A history for the needle on page three: four runs, one of them 12 s late.
      await sql.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, fired_at, attempts)
select gen_random_uuid(), s.id, t, t, case when i = 2 then 'failed' else 'succeeded' end,
  t + case when i = 3 then interval '12 seconds' else i * interval '20 milliseconds' end, 1
from schedules s, generate_series(1, 4) as i,
lateral (select date_trunc('hour', now()) - i * interval '1 hour' as t) as x
where s.name = $1`,
        [PAGED_NEEDLE],
      );
      await sql.query('analyze schedules');
      await sql.destroy();
      page = await stack.newPage();
    }, 300_000);

    afterAll(() => stack.stop());

    async function apiList(query: string): Promise<ScheduleListResponse> {
      const res = await fetch(stack.api.url(`/schedules?${query}`), {
        headers: { authorization: `Bearer ${TEST_ADMIN_API_KEY}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as ScheduleListResponse;
    }

    const rows = () => page.locator('tbody tr');
    const rowNames = () =>
      page.locator('tbody th[scope=row]').allTextContents();

    /** Waits until the table shows exactly these names (the list re-reads on change). */
    async function waitForRowNames(names: string[]): Promise<void> {
      const want = JSON.stringify(JSON.stringify(names));
      await page.waitForFunction(
        `JSON.stringify([...document.querySelectorAll('tbody th[scope=row]')].map((th) => th.textContent)) === ${want}`,
        undefined,
        { timeout: 15_000 },
      );
    }

    async function nextExecutionColumn(): Promise<number> {
      const headers = await page.locator('thead th').allTextContents();
      const column = headers.indexOf('Next Execution');
      expect(column).toBeGreaterThan(0);
      return column;
    }

    /** Every visible row's Next Execution datetimes equal the API's nextRunAt, row by row. */
    async function expectNextExecutionsMatch(query: string): Promise<number> {
      const expected = (await apiList(`limit=20&${query}`)).items;
      await waitForRowNames(expected.map((s) => s.name ?? s.id));
      const column = await nextExecutionColumn();
      const count = await rows().count();
      expect(count).toBe(expected.length);
      for (let i = 0; i < count; i++) {
        const cell = rows().nth(i).locator('th, td').nth(column);
        const times = await cell.locator('time').all();
        const instants = await Promise.all(
          times.map((t) => t.getAttribute('datetime')),
        );
        const want = expected[i]?.nextRunAt ?? null;
        expect({ row: i, instants }).toEqual({
          row: i,
          instants: want === null ? [] : [want, want],
        });
      }
      return count;
    }

    it(
      'shows a usable list of 10,000 schedules, and says how fast and how big',
      stack.cluster.withLogs(async () => {
        // The key stored, as after a login: the measure starts at navigation.
        await page.context().addInitScript({
          content: `sessionStorage.setItem('scheduleman.apiKey', ${JSON.stringify(TEST_ADMIN_API_KEY)})`,
        });
        const started = performance.now();
        await page.goto(stack.api.url('/ui/'));
        await page.locator('tbody th[scope=row] a').first().waitFor();
        const usableMs = performance.now() - started;
        const assets = join(workspaceRoot(), 'dist/apps/schedule-ui/assets');
        const size = (ext: string) => {
          const files = readdirSync(assets).filter((f) => f.endsWith(ext));
          const bytes = files.map((f) => readFileSync(join(assets, f)));
          return {
            bytes: bytes.reduce((n, b) => n + b.length, 0),
            gzip: bytes.reduce((n, b) => n + gzipSync(b).length, 0),
          };
        };
        const js = size('.js');
        const css = size('.css');
        console.log(
          `ui-list e2e: time to a usable list with 10,000 schedules: ${usableMs.toFixed(0)} ms; ` +
            `bundle: JS ${String(js.bytes)} B (gzip ${String(js.gzip)} B), ` +
            `CSS ${String(css.bytes)} B (gzip ${String(css.gzip)} B)`,
        );
        expect(js.bytes).toBeGreaterThan(0);
        expect(await rows().count()).toBe(20);
        await expectNextExecutionsMatch('');
      }),
      120_000,
    );

    it(
      'finds a schedule beyond the first page by paging, and by the search box',
      stack.cluster.withLogs(async () => {
        const needle = page.getByRole('row', {
          name: new RegExp(PAGED_NEEDLE),
        });
        let clicks = 0;
        while ((await needle.count()) === 0) {
          expect(clicks).toBeLessThan(5);
          const before = (await rowNames())[0];
          await page.getByRole('button', { name: 'Next' }).click();
          await page.waitForFunction(
            `document.querySelector('tbody th[scope=row]')?.textContent !== ${JSON.stringify(before)}`,
          );
          clicks++;
        }
        expect(clicks).toBe(2);
        expect(await page.locator('caption').textContent()).toContain('Page 3');
        // Its last runs: four marks with words, and the 12 s one flagged.
        const strip = needle.getByRole('list', { name: /Last runs/ });
        expect(await strip.getByRole('listitem').allTextContents()).toEqual([
          expect.stringMatching(/succeeded, 0\.02 s late$/),
          expect.stringMatching(/failed, 0\.04 s late$/),
          expect.stringMatching(/succeeded, 12\.0 s late \(over 10 s\)$/),
          expect.stringMatching(/succeeded, 0\.08 s late$/),
        ]);
        expect(await needle.locator('.late').count()).toBe(0);
        await screenshot(page, 'list');
        expect(await seriousA11yViolations(page)).toEqual([]);

        await page.getByLabel('Search by name').fill('deep in the');
        await waitForRowNames([SEARCHED_NEEDLE]);
        expect(new URL(page.url()).search).toBe('?q=deep+in+the');
        expect(await page.locator('caption').textContent()).toContain('Page 1');
        await page.reload();
        await waitForRowNames([SEARCHED_NEEDLE]);
        expect(await page.getByLabel('Search by name').inputValue()).toBe(
          'deep in the',
        );
      }),
      120_000,
    );

    it(
      'shows the API’s nextRunAt on every row, also sorted by next execution',
      stack.cluster.withLogs(async () => {
        await page.goto(stack.api.url('/ui/?sort=nextRunAt'));
        expect(await page.getByLabel('Sort by').inputValue()).toBe('nextRunAt');
        expect(await expectNextExecutionsMatch('sort=nextRunAt')).toBe(20);
        const first = await apiList('limit=20&sort=nextRunAt');
        await page.getByRole('button', { name: 'Next' }).click();
        await expectNextExecutionsMatch(
          `sort=nextRunAt&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
        );
      }),
      120_000,
    );

    it(
      'filters by status and owner, as the API does',
      stack.cluster.withLogs(async () => {
        await page.goto(stack.api.url('/ui/'));
        await page.getByLabel('Status').selectOption('paused');
        await page.getByLabel('Owner').fill('owner-42');
        const expected = await apiList('limit=20&status=paused&owner=owner-42');
        expect(expected.items.length).toBeGreaterThan(0);
        await waitForRowNames(expected.items.map((s) => s.name ?? s.id));
        expect(new URL(page.url()).search).toBe(
          '?status=paused&owner=owner-42',
        );
        const statuses = await rows().locator('.status').allTextContents();
        expect(new Set(statuses)).toEqual(new Set(['paused']));
        await expectNextExecutionsMatch('status=paused&owner=owner-42');
        // owner-42 has no completed schedule: the table says so.
        await page.getByLabel('Status').selectOption('completed');
        const completed = await apiList(
          'limit=20&status=completed&owner=owner-42',
        );
        expect(completed.items).toEqual([]);
        await waitForRowNames([]);
        await page.getByText('No schedules.').waitFor();
        expect(await seriousA11yViolations(page)).toEqual([]);
      }),
      120_000,
    );
  },
);
