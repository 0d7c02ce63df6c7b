import type { NestExpressApplication } from '@nestjs/platform-express';
import { NestFactory } from '@nestjs/core';
import type { PretenderStatsResponse } from '@scheduleman/domain';
import { PretenderClient, waitFor } from '@scheduleman/testkit';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { loadPretenderConfig } from './config/pretender.config';
import { configurePretender } from './configure-pretender';
import { StatsController } from './stats/stats.controller';

/** The real app over real HTTP, as main.ts wires it. */
describe('task-pretender over HTTP', () => {
  let app: NestExpressApplication;
  let base: string;
  let pretender: PretenderClient;

  beforeAll(async () => {
    const config = loadPretenderConfig({ PORT: '1', PRETEND_DELAY_MS: '10' });
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config),
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class and takes them as an object literal
      { bodyParser: false, logger: false },
    );
    configurePretender(app);
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    pretender = new PretenderClient(base);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    expect(
      (await fetch(`${base}/stats/reset`, { method: 'POST' })).status,
    ).toBe(204);
  });

  function webhook(
    path: string,
    key: string,
    init: {
      method?: string;
      scheduledAt?: string;
      body?: string;
      signal?: AbortSignal;
    } = {},
  ) {
    return fetch(`${base}${path}`, {
      method: init.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': key,
        'x-scheduleman-scheduled-at':
          init.scheduledAt ?? new Date().toISOString(),
        'x-scheduleman-attempt': '1',
      },
      body:
        init.method === 'GET' ? undefined : (init.body ?? '{"hello":"world"}'),
      signal: init.signal,
    });
  }

  const stats = () => pretender.stats();

  it('accepts webhooks on any path and method with 202 and counts them per key', async () => {
    expect((await webhook('/tasks', 'k1')).status).toBe(202);
    expect((await webhook('/a/b/c?x=y', 'k2', { method: 'PUT' })).status).toBe(
      202,
    );
    expect((await webhook('/', 'k3', { method: 'GET' })).status).toBe(202);
    expect((await webhook('/tasks', 'k1')).status).toBe(202);

    const s = await stats();
    expect(s).toMatchObject({
      received: 4,
      unique: 3,
      duplicates: 1,
      redelivered: 1,
      accepted: 4,
      rejected: 0,
    });
    expect(s.lateness.count).toBe(3);
  });

  it('measures lateness from X-Scheduleman-Scheduled-At', async () => {
    const scheduledAt = new Date(Date.now() - 60_000).toISOString();
    await webhook('/tasks', 'late', { scheduledAt });

    const key = await pretender.key('late');
    expect(key?.count).toBe(1);
    expect(key?.latenessMs).toBeGreaterThanOrEqual(60_000);
    expect((await stats()).lateness.max).toBe(key?.latenessMs);
  });

  it('keeps the latest webhooks in full for inspection', async () => {
    await webhook('/tasks/inspect', 'inspect-me', { body: '{"n":1}' });

    const items = await pretender.requests('inspect-me');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      method: 'POST',
      path: '/tasks/inspect',
      key: 'inspect-me',
      status: 202,
      body: '{"n":1}',
    });
    expect(items[0].headers).toMatchObject({
      'idempotency-key': 'inspect-me',
      'x-scheduleman-attempt': '1',
    });
  });

  it('fails or answers a chosen status when asked in the query', async () => {
    expect((await webhook('/tasks?fail=1', 'f')).status).toBe(500);
    expect((await webhook('/tasks?status=404', 'g')).status).toBe(404);
    expect((await webhook('/tasks?fail=0', 'f')).status).toBe(202);

    expect(await stats()).toMatchObject({
      received: 3,
      accepted: 1,
      rejected: 2,
      duplicates: 1,
      redelivered: 0,
    });
  });

  it('stalls when asked, so a caller with a shorter timeout gives up', async () => {
    const attempt = webhook('/tasks?stall=5000', 'slow', {
      signal: AbortSignal.timeout(200),
    });

    await expect(attempt).rejects.toThrow();
    expect(await stats()).toMatchObject({ received: 1 });
  });

  it('answers a bad override with 400 naming the parameter', async () => {
    const response = await webhook('/tasks?stall=soon', 'bad');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'stall' });
  });

  it('serves health, metrics and rejects a bad limit with 400', async () => {
    await webhook('/tasks', 'm1');

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /pretender_webhooks_received_total\{outcome="accepted"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /pretender_lateness_seconds_bucket\{le="-10"\} 0\n/,
    );
    expect(metrics).toMatch(
      /pretender_lateness_seconds_bucket\{le="0.25"\} [1-9]/,
    );
    const bad = await fetch(`${base}/stats/keys?limit=0`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('limit');
    expect((await fetch(`${base}/stats/keys/nope`)).status).toBe(404);
  });

  it('reports the result of the work to X-Scheduleman-Result-Url with its token', async () => {
    const reports: { path: string; token: unknown; body: unknown }[] = [];
    const api = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        reports.push({
          path: req.url ?? '',
          token: req.headers['x-scheduleman-result-token'],
          body: JSON.parse(body),
        });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = api.address() as AddressInfo;
      const resultUrl = `http://127.0.0.1:${port}/executions/e-1/result`;
      const res = await fetch(`${base}/tasks?work=20`, {
        method: 'POST',
        headers: {
          'idempotency-key': 'e-1',
          'x-scheduleman-result-url': resultUrl,
          'x-scheduleman-result-token': 'rt1_token',
        },
        body: '{}',
      });
      expect(res.status).toBe(202);
      // Without the headers nothing is reported.
      expect((await webhook('/tasks?work=0', 'e-2')).status).toBe(202);
      await waitFor('the report', () => reports.length === 1, {
        timeoutMs: 5_000,
        intervalMs: 10,
      });
      expect(reports[0]).toMatchObject({
        path: '/executions/e-1/result',
        token: 'rt1_token',
        body: { status: 'succeeded', output: { pretendedMs: 20 } },
      });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /^pretender_results_reported_total\{outcome="succeeded"\} 1$/m,
      );
      expect(reports).toHaveLength(1);
    } finally {
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it('reports pretended work finishing in the background', async () => {
    await webhook('/tasks?work=1', 'w');

    const work = await waitFor(
      'the pretended work to finish',
      async () => {
        const { work } = await stats();
        return work.completed >= 1 && work.inFlight === 0 && work;
      },
      { timeoutMs: 5_000, intervalMs: 20 },
    );
    expect(work).toEqual({ inFlight: 0, completed: 1 });
  });

  it('serves /stats over HTTP exactly as the controller returns it', async () => {
    // Work long enough not to finish between the two reads (10 ms raced them).
    await webhook('/tasks?work=60000', 'shape');

    // The controller and the test kit's client share one type (pretender.contract.ts in
    // libs/domain), so the compiler keeps their shapes equal. What remains to check is
    // the wire: nothing the JSON round trip changes (a Date, an undefined field).
    const served: PretenderStatsResponse = app.get(StatsController).summary();
    expect(await stats()).toEqual(served);
    expect(served).toMatchObject({ received: 1, unique: 1 });
  });
});
