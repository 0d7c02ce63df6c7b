import AxeBuilder from '@axe-core/playwright';
import { LOOPBACK_NETWORKS } from '@scheduleman/domain';
import {
  ApiClient,
  type AppProcess,
  CHROMIUM_PATH,
  Cluster,
  createTestDatabase,
  TEST_ADMIN_API_KEY,
  TEST_AUTH_ENV,
  type TestDatabase,
  workspaceRoot,
} from '@scheduleman/testkit';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

/**
 * Where the screenshots go. docs/ui.md shows the ones in docs/ui/, refreshed with
 * `UI_SCREENSHOTS=docs npx jest -c jest.config.ts apps/schedule-api/src/e2e/ui` (they hold
 * fresh ids and times, so an ordinary run writes them to the temp folder and leaves the
 * tree clean).
 */
export const SCREENSHOTS =
  process.env['UI_SCREENSHOTS'] === 'docs'
    ? join(workspaceRoot(), 'docs', 'ui')
    : join(tmpdir(), 'scheduleman-ui-screenshots');

/** The viewer's zone in every browser test: not the schedules' zones, so both show. */
export const VIEWER_ZONE = 'America/New_York';

export interface UiStackOptions {
  /** Also start one built scheduler on the same database, so schedules fire. */
  scheduler?: boolean;
  /** Extra environment for the API (and the scheduler). */
  env?: Record<string, string>;
}

/**
 * The built UI in a real Chromium, served by the built schedule-api with authentication
 * on, against its own database: what each browser test file starts in `beforeAll` and
 * stops in `afterAll`. Its `client` is the admin's, to set up and to check what the API
 * says against what the page shows.
 */
export class UiStack {
  readonly cluster = new Cluster();
  scheduler: AppProcess | undefined;
  private started:
    | { db: TestDatabase; api: AppProcess; client: ApiClient; browser: Browser }
    | undefined;

  async start(database: string, options: UiStackOptions = {}): Promise<void> {
    const db = await createTestDatabase(database);
    const env = {
      ...TEST_AUTH_ENV,
      WEBHOOK_ALLOWED_NETWORKS: LOOPBACK_NETWORKS,
      DATABASE_URL: db.url,
      ...options.env,
    };
    const [api] = await this.cluster.startReady(['schedule-api', { env }]);
    if (options.scheduler === true)
      [this.scheduler] = await this.cluster.startReady(['scheduler', { env }]);
    const client = new ApiClient(api.url(), { apiKey: TEST_ADMIN_API_KEY });
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: ['--no-sandbox'],
    });
    this.started = { db, api, client, browser };
  }

  async stop(): Promise<void> {
    const started = this.started;
    this.started = undefined;
    await started?.browser.close();
    await started?.client.close();
    await this.cluster.stopAll();
    await started?.db.drop();
  }

  get db(): TestDatabase {
    return this.need().db;
  }

  get api(): AppProcess {
    return this.need().api;
  }

  get client(): ApiClient {
    return this.need().client;
  }

  get browser(): Browser {
    return this.need().browser;
  }

  private need(): NonNullable<UiStack['started']> {
    if (this.started === undefined) throw new Error('UiStack not started');
    return this.started;
  }

  /**
   * A fresh tab in its own context (its own sessionStorage, so not logged in) in the
   * viewer's zone. A context of its own is also what axe-core needs to analyse the page.
   */
  async newPage(): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1200, height: 700 },
      timezoneId: VIEWER_ZONE,
    });
    return context.newPage();
  }

  /** A fresh tab logged in with the admin key, on `route` (`/`, `/new`, `/schedules/<id>`). */
  async loggedInPage(route = '/'): Promise<Page> {
    const page = await this.newPage();
    await page.goto(this.api.url('/ui/'));
    await page.getByLabel('API key').fill(TEST_ADMIN_API_KEY);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Schedules' }).waitFor();
    if (route !== '/') {
      await page.goto(this.api.url(`/ui${route}`));
    }
    return page;
  }
}

/** Saves a PNG of the page as SCREENSHOTS/<name>.png (the docs show list, detail, create). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    fullPage: true,
  });
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now: the serious and critical
 * violations, each as `rule: target` so a failure names what to fix. Empty is the pass.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id} (${String(v.impact)}): ${n.html.slice(0, 120)}`,
      ),
    );
}
