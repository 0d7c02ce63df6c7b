import { FakeClock } from '@scheduleman/domain/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { PretenderConfig } from '../config/pretender.config';
import { ReceptionMetrics } from './reception.metrics';
import {
  decideBehaviour,
  InvalidOverrideError,
  WebhookReceiver,
} from './webhook-receiver';

const config: PretenderConfig = {
  port: 3100,
  logLevel: 'info',
  pretendDelayMs: 100,
  failureRate: 0,
  stallRate: 0,
  stallMs: 5000,
  responseStatus: 202,
  maxTrackedKeys: 10,
  maxLatenessSamples: 10,
  recentRequests: 10,
  reportResults: true,
  resultFailureRate: 0,
  resultReportAttempts: 3,
};

describe('decideBehaviour', () => {
  it('accepts quickly by default', () => {
    expect(decideBehaviour(config, undefined, () => 0)).toEqual({
      status: 202,
      stallMs: 0,
      workMs: 100,
    });
  });

  it('fails and stalls the configured shares of webhooks', () => {
    const flaky = { ...config, failureRate: 0.3, stallRate: 0.5 };

    expect(decideBehaviour(flaky, undefined, () => 0.2)).toEqual({
      status: 500,
      stallMs: 5000,
      workMs: 100,
    });
    expect(decideBehaviour(flaky, undefined, () => 0.6)).toEqual({
      status: 202,
      stallMs: 0,
      workMs: 100,
    });
  });

  it('lets the query string override per request', () => {
    expect(
      decideBehaviour(config, new URLSearchParams('fail=1'), () => 0.99),
    ).toMatchObject({ status: 500 });
    expect(
      decideBehaviour(
        config,
        new URLSearchParams('status=404&stall=4000&work=7'),
        () => 0,
      ),
    ).toEqual({ status: 404, stallMs: 4000, workMs: 7 });
    expect(
      decideBehaviour(
        { ...config, failureRate: 1 },
        new URLSearchParams('fail=0'),
        () => 0,
      ),
    ).toMatchObject({ status: 202 });
  });

  it('names the query parameter that is invalid', () => {
    expect(() =>
      decideBehaviour(config, new URLSearchParams('stall=soon'), () => 0),
    ).toThrow(InvalidOverrideError);
    expect(() =>
      decideBehaviour(config, new URLSearchParams('status=42'), () => 0),
    ).toThrow(/^status: /);
    expect(() =>
      decideBehaviour(config, new URLSearchParams('fail='), () => 0),
    ).toThrow(/^fail: /);
  });
});

describe('WebhookReceiver', () => {
  let server: Server;
  let base: string;
  /** What the injected random returns next. */
  let draw = 0;

  beforeAll(async () => {
    const receiver = new WebhookReceiver(
      { ...config, failureRate: 0.5 },
      new FakeClock(),
      new ReceptionMetrics(new Registry()),
      () => draw,
    );
    server = createServer((req, res) => {
      receiver.middleware(req, res, () => {
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('draws the configured failure share from the injected random', async () => {
    const post = () => fetch(`${base}/tasks`, { method: 'POST', body: '{}' });
    draw = 0.4;
    expect((await post()).status).toBe(500);
    draw = 0.6;
    expect((await post()).status).toBe(202);
  });

  it('passes the paths Nest serves on to the next handler', async () => {
    expect((await fetch(`${base}/stats`)).status).toBe(404);
    expect((await fetch(`${base}/health/live`)).status).toBe(404);
  });
});
