import type { LoggerService } from '@nestjs/common';
import { FailureLog } from './failure-log';

function recordingLogger(): LoggerService & {
  lines: { level: string; message: unknown; context: unknown }[];
} {
  const lines: { level: string; message: unknown; context: unknown }[] = [];
  const at =
    (level: string) =>
    (message: unknown, context?: unknown): void => {
      lines.push({ level, message, context });
    };
  return { lines, log: at('log'), warn: at('warn'), error: at('error') };
}

const outage = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });

describe('FailureLog', () => {
  it('logs an outage on the 1st and every 20th failure, then the recovery', () => {
    const logger = recordingLogger();
    const log = new FailureLog({
      operation: 'claim round',
      context: 'X',
      logger,
    });
    for (let i = 0; i < 40; i++) log.failed(outage);
    log.succeeded();
    expect(logger.lines.map((line) => line.level)).toEqual([
      'warn',
      'warn',
      'warn',
      'log',
    ]);
    expect(logger.lines[1]?.message).toMatchObject({ failures: 20 });
    expect(logger.lines[3]?.message).toMatchObject({
      msg: 'claim round works again',
      afterFailures: 40,
    });
    expect(log.consecutiveFailures).toBe(0);
  });

  it('logs a failure that is not an outage every time, as an error, under its context', () => {
    const logger = recordingLogger();
    const log = new FailureLog({ operation: 'renewing', context: 'Y', logger });
    log.failed(new Error('syntax error'));
    log.failed(new Error('syntax error'));
    expect(logger.lines).toEqual([
      expect.objectContaining({ level: 'error', context: 'Y' }),
      expect.objectContaining({ level: 'error', context: 'Y' }),
    ]);
  });

  it('lets the caller say what counts as an outage', () => {
    const logger = recordingLogger();
    const log = new FailureLog({
      operation: 'listening',
      context: 'Z',
      logger,
      isOutage: () => true,
    });
    log.failed(new Error('connection ended'));
    expect(logger.lines[0]?.level).toBe('warn');
  });

  it('backs off further with each consecutive failure', () => {
    const log = new FailureLog({
      operation: 'x',
      context: 'X',
      random: () => 0,
    });
    log.failed(outage);
    expect(log.retryDelayMs()).toBe(50);
    log.failed(outage);
    log.failed(outage);
    expect(log.retryDelayMs()).toBe(200);
    log.succeeded();
    expect(log.retryDelayMs()).toBe(50);
  });
});
