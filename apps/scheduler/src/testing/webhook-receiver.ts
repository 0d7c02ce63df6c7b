import type { FireRequest, WebhookTriggerSpec } from '@scheduleman/domain';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a WebhookReceiver got: `raw` is the body's bytes as received. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  raw: Buffer;
  socket: object;
}

/** A real HTTP server on loopback for webhook tests; each test decides how it answers. */
export class WebhookReceiver {
  readonly seen: Seen[] = [];
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    res.writeHead(202).end('accepted');
  private server!: Server;
  port = 0;
  connections = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          raw: Buffer.concat(chunks),
          socket: req.socket,
        });
        this.handler(req, res);
      });
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A FireRequest for a webhook trigger, with fixed ids and times. */
export function webhookFireRequest(
  trigger: Partial<WebhookTriggerSpec> & { url: string },
  overrides: Partial<FireRequest> = {},
): FireRequest {
  return {
    executionId: '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
    scheduleId: '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f',
    scheduleName: 'nightly report',
    scheduleOwner: null,
    scheduledAt: new Date('2030-01-02T03:04:05.678Z'),
    attempt: 2,
    trigger: { type: 'webhook', method: 'POST', headers: {}, ...trigger },
    ...overrides,
  };
}
