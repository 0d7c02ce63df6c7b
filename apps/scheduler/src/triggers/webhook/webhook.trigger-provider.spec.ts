import { LOOPBACK_NETWORKS, networkPolicyOf } from '@scheduleman/domain';
import {
  WebhookReceiver as Receiver,
  webhookFireRequest as fireRequest,
} from '../../testing/webhook-receiver';
import type { HttpClient } from './http-client';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

const clients: [string, () => Promise<HttpClient>][] = [
  [
    'undici',
    () =>
      Promise.resolve(
        new UndiciHttpClient({
          maxSockets: 16,
          keepAliveMs: 10_000,
          networkPolicy: networkPolicyOf(LOOPBACK_NETWORKS),
        }),
      ),
  ],
];

describe.each(clients)(
  'WebhookTriggerProvider over %s',
  (_name, createClient) => {
    const receiver = new Receiver();
    let client: HttpClient;
    let provider: WebhookTriggerProvider;
    const signal = () => AbortSignal.timeout(3000);

    beforeAll(async () => {
      await receiver.start();
      client = await createClient();
      provider = new WebhookTriggerProvider(client);
    });
    afterAll(async () => {
      await client.close();
      await receiver.stop();
    });
    beforeEach(() => {
      receiver.seen.length = 0;
      receiver.handler = (_req, res) => res.writeHead(202).end('accepted');
    });

    it('posts the default body with the contract headers when no body is configured', async () => {
      const outcome = await provider.fire(
        fireRequest({ url: receiver.url('/tasks?x=1') }),
        { signal: signal() },
      );

      expect(outcome).toEqual({ kind: 'delivered', responseStatus: 202 });
      expect(receiver.seen).toHaveLength(1);
      const [seen] = receiver.seen;
      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/tasks?x=1');
      expect(seen.headers['idempotency-key']).toBe(
        '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
      );
      expect(seen.headers['x-scheduleman-execution-id']).toBe(
        '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
      );
      expect(seen.headers['x-scheduleman-schedule-id']).toBe(
        '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f',
      );
      expect(seen.headers['x-scheduleman-scheduled-at']).toBe(
        '2030-01-02T03:04:05.678Z',
      );
      expect(seen.headers['x-scheduleman-attempt']).toBe('2');
      expect(seen.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen.body)).toEqual({
        scheduleId: '5d9c1f0e-2b1a-4c3d-8e7f-6a5b4c3d2e1f',
        executionId: '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
        scheduledAt: '2030-01-02T03:04:05.678Z',
        attempt: 2,
        name: 'nightly report',
      });
    });

    it('sends the configured method, body and headers, but user headers cannot override ours', async () => {
      const trigger = {
        url: receiver.url(),
        method: 'PUT' as const,
        body: { report: 'daily', n: [1, 2] },
        headers: {
          Authorization: 'Bearer t0ken',
          'Idempotency-Key': 'forged',
          'x-scheduleman-attempt': '99',
          'Content-Type': 'text/plain',
        },
      };
      const outcome = await provider.fire(fireRequest(trigger), {
        signal: signal(),
      });

      expect(outcome.kind).toBe('delivered');
      const [seen] = receiver.seen;
      expect(seen.method).toBe('PUT');
      expect(JSON.parse(seen.body)).toEqual({ report: 'daily', n: [1, 2] });
      expect(seen.headers['authorization']).toBe('Bearer t0ken');
      expect(seen.headers['idempotency-key']).toBe(
        '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
      );
      expect(seen.headers['x-scheduleman-attempt']).toBe('2');
      expect(seen.headers['content-type']).toBe('application/json');
    });

    it('sends a GET without a body, even when one is configured', async () => {
      const outcome = await provider.fire(
        fireRequest({
          url: receiver.url(),
          method: 'GET',
          body: { ignored: true },
        }),
        { signal: signal() },
      );

      expect(outcome.kind).toBe('delivered');
      const [seen] = receiver.seen;
      expect(seen.method).toBe('GET');
      expect(seen.body).toBe('');
      expect(seen.headers['content-type']).toBeUndefined();
      expect(seen.headers['idempotency-key']).toBe(
        '0b7e4c1e-6a53-5f3f-9a47-1a2b3c4d5e6f',
      );
    });

    it('sends a DELETE without a body unless one is configured', async () => {
      await provider.fire(
        fireRequest({ url: receiver.url(), method: 'DELETE' }),
        { signal: signal() },
      );
      await provider.fire(
        fireRequest({ url: receiver.url(), method: 'DELETE', body: ['a'] }),
        { signal: signal() },
      );

      expect(receiver.seen.map((s) => [s.method, s.body])).toEqual([
        ['DELETE', ''],
        ['DELETE', '["a"]'],
      ]);
    });

    it.each([
      [200, 'delivered'],
      [204, 'delivered'],
      [400, 'permanent'],
      [404, 'permanent'],
      [301, 'permanent'],
      [408, 'retryable'],
      [425, 'retryable'],
      [429, 'retryable'],
      [500, 'retryable'],
      [503, 'retryable'],
    ])('maps HTTP %i to %s and records the status', async (status, kind) => {
      receiver.handler = (_req, res) =>
        res
          .writeHead(status, { location: receiver.url('/elsewhere') })
          .end('body to drain');

      const outcome = await provider.fire(
        fireRequest({ url: receiver.url() }),
        { signal: signal() },
      );

      expect(outcome.kind).toBe(kind);
      expect(outcome.responseStatus).toBe(status);
      if (outcome.kind !== 'delivered')
        expect(outcome.error).toBe(`HTTP ${status}`);
      // Redirects are not followed: exactly one request reached the receiver.
      expect(receiver.seen).toHaveLength(1);
    });

    it('answers with the final status, not an informational 1xx before it', async () => {
      receiver.handler = (_req, res) => {
        res.writeEarlyHints({ link: '</style.css>; rel=preload' }, () =>
          res.writeHead(503).end('busy'),
        );
      };

      const outcome = await provider.fire(
        fireRequest({ url: receiver.url() }),
        { signal: signal() },
      );

      expect(outcome).toMatchObject({ kind: 'retryable', responseStatus: 503 });
    });

    it('gives up when the signal fires and reports a retryable timeout', async () => {
      receiver.handler = () => undefined; // never answers

      const outcome = await provider.fire(
        fireRequest({ url: receiver.url() }),
        { signal: AbortSignal.timeout(300) },
      );

      expect(outcome.kind).toBe('retryable');
      expect(outcome).toMatchObject({
        error: expect.stringMatching(/^timeout after \d+ ms$/) as string,
      });
      expect(outcome.responseStatus).toBeUndefined();
    });

    it('sends nothing when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();

      const outcome = await provider.fire(
        fireRequest({ url: receiver.url() }),
        { signal: controller.signal },
      );

      expect(outcome).toEqual({
        kind: 'retryable',
        error: 'timeout after 0 ms',
      });
      expect(receiver.seen).toHaveLength(0);
    });

    it('reports a refused connection as retryable ECONNREFUSED', async () => {
      const closed = new Receiver();
      await closed.start();
      const url = closed.url();
      await closed.stop();

      const outcome = await provider.fire(fireRequest({ url }), {
        signal: signal(),
      });

      expect(outcome).toEqual({ kind: 'retryable', error: 'ECONNREFUSED' });
    });

    it('reports a connection reset as retryable', async () => {
      receiver.handler = (req) => req.socket.destroy();

      const outcome = await provider.fire(
        fireRequest({ url: receiver.url() }),
        { signal: signal() },
      );

      expect(outcome.kind).toBe('retryable');
      expect(outcome).toMatchObject({
        error: expect.stringMatching(
          /ECONNRESET|UND_ERR_SOCKET|socket hang up/,
        ) as string,
      });
    });

    it('reports a name that does not resolve as retryable', async () => {
      const outcome = await provider.fire(
        fireRequest({ url: 'http://no-such-host.invalid/hook' }),
        { signal: signal() },
      );

      expect(outcome.kind).toBe('retryable');
      expect(outcome).toMatchObject({
        error: expect.stringMatching(/ENOTFOUND|EAI_AGAIN|timeout/) as string,
      });
    });

    it('fails permanently, without sending, when the stored trigger has no usable url', async () => {
      const noUrl = await provider.fire(
        {
          ...fireRequest({ url: receiver.url() }),
          trigger: { type: 'webhook' },
        },
        { signal: signal() },
      );
      const badScheme = await provider.fire(
        fireRequest({ url: 'ftp://example.com/x' }),
        { signal: signal() },
      );
      const withCredentials = await provider.fire(
        fireRequest({ url: receiver.url().replace('http://', 'http://u:p@') }),
        { signal: signal() },
      );

      expect(withCredentials).toEqual({
        kind: 'permanent',
        error: 'webhook url must not contain credentials',
      });
      expect(noUrl).toEqual({
        kind: 'permanent',
        error: 'invalid webhook trigger: url is missing',
      });
      expect(badScheme).toEqual({
        kind: 'permanent',
        error: 'unsupported webhook url scheme ftp:',
      });
      expect(receiver.seen).toHaveLength(0);
    });

    it('reuses keep-alive connections for sequential calls', async () => {
      receiver.handler = (_req, res) =>
        res.writeHead(500).end('{"error":"busy"}');
      const before = receiver.connections;

      for (let i = 0; i < 5; i++)
        await provider.fire(fireRequest({ url: receiver.url() }), {
          signal: signal(),
        });

      expect(receiver.seen).toHaveLength(5);
      // We settle on the response head, so the next call may start a moment before the
      // previous socket is back in the pool; without keep-alive each call would open one.
      expect(receiver.connections - before).toBeLessThanOrEqual(2);
    });

    it('drains large response bodies so their connections are reused too', async () => {
      receiver.handler = (_req, res) =>
        res.writeHead(200).end('x'.repeat(64 * 1024));
      const before = receiver.connections;

      for (let i = 0; i < 10; i++)
        await provider.fire(fireRequest({ url: receiver.url() }), {
          signal: signal(),
        });

      expect(receiver.seen).toHaveLength(10);
      // The next call may start while the previous body is still draining, so allow a few
      // sockets; without draining every call would need its own.
      expect(receiver.connections - before).toBeLessThanOrEqual(3);
    });
  },
);
