import type { NestExpressApplication } from '@nestjs/platform-express';
import { WebhookReceiver } from './reception/webhook-receiver';

/**
 * Mounts the webhook receiver ahead of everything Nest registers at init (middleware,
 * router), and keeps client connections open long enough that a scheduler's keep-alive
 * pool never races the server's idle timeout (which would surface as ECONNRESET and a
 * needless retry). Used by main.ts and by the tests.
 */
export function configurePretender(app: NestExpressApplication): void {
  app.use(app.get(WebhookReceiver).middleware);
  const server = app.getHttpServer() as {
    keepAliveTimeout: number;
    headersTimeout: number;
  };
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}
