import type { PretenderConfig } from '../config/pretender.config';
import { decideBehaviour, InvalidOverrideError } from './webhook-receiver';

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
