import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ApiConfig } from './config/api.config';
import { useJsonHttp } from './http/json-http';
import { DEFAULT_UI_DIR, serveUi } from './http/ui-static';

/**
 * What the module alone cannot set up: JSON body parsing with the configured limit and
 * Swagger (`/docs`, `/docs-json`), the web UI (`/ui/`, from `uiDir`, default the built one
 * beside the built API). main.ts and the integration tests (src/int/) both call this, on
 * an app created with `{ bodyParser: false }`.
 */
export function configureApp(
  app: NestExpressApplication,
  config: Pick<ApiConfig, 'requestBodyLimitBytes'>,
  uiDir = DEFAULT_UI_DIR,
): void {
  useJsonHttp(app, { bodyLimitBytes: config.requestBodyLimitBytes });
  serveUi(app, uiDir);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('scheduleman schedule API')
      .setDescription(
        'Register schedules (cron, at, delay) that trigger webhooks. Every error has the shape ' +
          '`{ statusCode, error, code, message, errors: [{ field, message }] }`. See docs/api.md.',
      )
      .setVersion('1')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key (`smk_…`, from POST /api-keys) or ADMIN_API_KEY. See docs/security.md.',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
  });
}
