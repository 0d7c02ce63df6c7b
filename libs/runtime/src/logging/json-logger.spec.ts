import { Logger } from '@nestjs/common';
import { FakeClock } from '@scheduleman/domain/testing';
import { JsonLogger, type LogLevel } from './json-logger';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const logger = new JsonLogger({
    level,
    clock: new FakeClock('2030-01-01T00:00:00.000Z'),
    base: { app: 'test' },
    write: (l) => lines.push(l),
  });
  const entries = () =>
    lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, msg and context', () => {
    const { logger, lines, entries } = capture();
    logger.log('listening', 'Bootstrap');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(entries()[0]).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      level: 'info',
      app: 'test',
      context: 'Bootstrap',
      msg: 'listening',
    });
  });

  it('drops lines below the configured level', () => {
    const { logger, entries } = capture('warn');
    logger.debug('noise');
    logger.log('info');
    logger.warn('careful');
    logger.error('broken');
    expect(entries().map((e) => e['level'])).toEqual(['warn', 'error']);
  });

  it('keeps structured fields of an object message', () => {
    const { logger, entries } = capture();
    logger.log({ msg: 'claimed', count: 3 }, 'ClaimLoop');
    expect(entries()[0]).toMatchObject({
      msg: 'claimed',
      count: 3,
      context: 'ClaimLoop',
    });
  });

  it('recognises the stack Nest passes to error()', () => {
    const { logger, entries } = capture();
    logger.error('boom', 'Error: boom\n    at x', 'ExceptionsHandler');
    expect(entries()[0]).toMatchObject({
      level: 'error',
      msg: 'boom',
      stack: 'Error: boom\n    at x',
      context: 'ExceptionsHandler',
    });
  });

  it('serialises Error objects with their stack', () => {
    const { logger, entries } = capture();
    logger.error(new TypeError('bad'));
    expect(entries()[0]).toMatchObject({ msg: 'bad', errorName: 'TypeError' });
    expect(String(entries()[0]['stack'])).toContain('TypeError: bad');
  });

  it('writes a circular reference as "[Circular]" and keeps every other field', () => {
    const { logger, entries } = capture();
    const loop: Record<string, unknown> = { msg: 'loop', count: 2 };
    loop['self'] = loop;
    const request = {
      id: 7,
      parent: { note: 'kept' } as Record<string, unknown>,
    };
    request.parent['request'] = request;
    logger.log(loop, { request, total: 10n }, 'Ctx');
    expect(entries()[0]).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      level: 'info',
      app: 'test',
      context: 'Ctx',
      msg: 'loop',
      count: 2,
      // The line holds a copy of the message's fields, so the loop shows once.
      self: { msg: 'loop', count: 2, self: '[Circular]' },
      request: { id: 7, parent: { note: 'kept', request: '[Circular]' } },
      total: '10',
    });
  });

  it('writes an object reached twice without a cycle in full both times', () => {
    const { logger, entries } = capture();
    const shared = { id: 1 };
    logger.log({ msg: 'pair', first: shared, second: [shared, shared] });
    expect(entries()[0]).toMatchObject({
      first: { id: 1 },
      second: [{ id: 1 }, { id: 1 }],
    });
  });

  it('still writes time, level and msg when a value cannot be serialised', () => {
    const { logger, entries } = capture();
    const broken = {
      toJSON(): never {
        throw new Error('cannot serialise');
      },
    };
    logger.warn({ msg: 'odd', broken });
    expect(entries()[0]).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      level: 'warn',
      msg: 'odd',
    });
  });

  it('receives the context of a Nest Logger instance', () => {
    const { logger, entries } = capture();
    Logger.overrideLogger(logger);
    try {
      new Logger('Schedules').warn('slow');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(entries()[0]).toMatchObject({
      level: 'warn',
      msg: 'slow',
      context: 'Schedules',
    });
  });
});
