import type { NestExpressApplication } from '@nestjs/platform-express';
import { HttpProblem } from '@scheduleman/runtime';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

/** Where the web UI is served (Vite's `base` in apps/schedule-ui/vite.config.mts). */
export const UI_PREFIX = '/ui';

/**
 * The built UI next to the built API: dist/apps/schedule-ui beside dist/apps/schedule-api
 * (`__dirname` of the webpack bundle). From sources (ts-jest) this folder does not exist,
 * and the integration tests pass their own.
 */
export const DEFAULT_UI_DIR = join(__dirname, '..', 'schedule-ui');

type Next = (error?: unknown) => void;
type SendFileResponse = ServerResponse & {
  redirect(status: number, url: string): void;
  sendFile(path: string, options: { headers: Record<string, string> }): void;
};

/**
 * Serves the single-page UI under /ui/ as plain files (Express's static middleware, which
 * Nest's express adapter already carries), before Nest's router, so the auth guard never
 * sees these paths: the page is public, its data comes from the API with the user's key.
 * Any other GET under /ui/ answers index.html (client-side routes such as
 * /ui/schedules/:id survive a reload). Without a build, /ui/ answers a 404 naming the
 * command that builds it; the API works as before.
 */
export function serveUi(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  // Asset names carry a content hash: cache them for good; index.html is never cached.
  app.useStaticAssets(dir, {
    prefix: `${UI_PREFIX}/`,
    index: false,
    immutable: true,
    maxAge: '365d',
  });
  app.use(
    UI_PREFIX,
    (
      req: IncomingMessage & { originalUrl?: string },
      res: SendFileResponse,
      next: Next,
    ) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        next();
        return;
      }
      if (!existsSync(index)) {
        next(
          new HttpProblem(
            404,
            'UI_NOT_BUILT',
            'path',
            `the web UI is not built (no ${index}); run \`npm run build\``,
          ),
        );
        return;
      }
      if (req.originalUrl === UI_PREFIX) {
        res.redirect(301, `${UI_PREFIX}/`);
        return;
      }
      res.sendFile(index, { headers: { 'cache-control': 'no-cache' } });
    },
  );
}
