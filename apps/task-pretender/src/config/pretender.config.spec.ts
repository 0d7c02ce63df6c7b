import { ConfigError } from '@scheduleman/runtime';
import { loadPretenderConfig } from './pretender.config';

describe('loadPretenderConfig', () => {
  it('has working defaults', () => {
    expect(loadPretenderConfig({})).toMatchObject({
      port: 3100,
      pretendDelayMs: 100,
      failureRate: 0,
      stallRate: 0,
      stallMs: 5000,
      responseStatus: 202,
    });
  });

  it('reads every variable', () => {
    const config = loadPretenderConfig({
      PORT: '3200',
      PRETEND_DELAY_MS: '2s',
      FAILURE_RATE: '0.25',
      STALL_RATE: '0.1',
      STALL_MS: '4000',
      LOG_LEVEL: 'debug',
    });

    expect(config).toMatchObject({
      port: 3200,
      pretendDelayMs: 2000,
      failureRate: 0.25,
      stallRate: 0.1,
      stallMs: 4000,
      logLevel: 'debug',
    });
  });

  it('names every bad variable', () => {
    let problems: readonly string[] = [];
    try {
      loadPretenderConfig({
        FAILURE_RATE: '2',
        STALL_RATE: 'often',
        PORT: '0',
      });
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }

    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'FAILURE_RATE',
      'PORT',
      'STALL_RATE',
    ]);
  });
});
