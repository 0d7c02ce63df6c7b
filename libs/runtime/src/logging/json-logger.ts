import type { LoggerService } from '@nestjs/common';
import { type Clock, SystemClock } from '@scheduleman/domain';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SEVERITY: Record<LogLevel, number> = {
  error: 0,
  warn: 1,
  info: 2,
  debug: 3,
};

export interface JsonLoggerOptions {
  /** Most verbose level written; `info` writes error, warn and info. */
  level: LogLevel;
  /** Added to every line, e.g. `{ app: 'scheduler', schedulerId: 'abc' }`. */
  base?: Record<string, unknown>;
  clock?: Clock;
  /** Where lines go; stdout by default. Tests pass an array's push. */
  write?: (line: string) => void;
}

/**
 * A Nest LoggerService that writes one JSON object per line:
 * `{ time, level, msg, context, ...fields }`.
 *
 * Structured fields: pass an object as the message (`logger.log({ msg: 'claimed', count })`)
 * or as an extra parameter. Nest calls `error(message, stack?, context?)`, and a `Logger`
 * created with a context appends it as the last string parameter; both are recognised.
 */
export class JsonLogger implements LoggerService {
  private readonly clock: Clock;
  private readonly write: (line: string) => void;

  constructor(private readonly options: JsonLoggerOptions) {
    this.clock = options.clock ?? new SystemClock();
    this.write = options.write ?? ((line) => process.stdout.write(line));
  }

  isLevelEnabled(level: LogLevel): boolean {
    return SEVERITY[level] <= SEVERITY[this.options.level];
  }

  log(message: unknown, ...params: unknown[]): void {
    this.emit('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.emit('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params, { fatal: true });
  }

  private emit(
    level: LogLevel,
    message: unknown,
    params: unknown[],
    extra: Record<string, unknown> = {},
  ): void {
    if (!this.isLevelEnabled(level)) return;
    const rest = [...params];
    const context =
      rest.length > 0 && typeof rest[rest.length - 1] === 'string'
        ? (rest.pop() as string)
        : undefined;
    const entry: Record<string, unknown> = {
      time: this.clock.now().toISOString(),
      level,
      ...this.options.base,
      ...extra,
    };
    if (context !== undefined) entry['context'] = context;
    Object.assign(entry, fieldsOf(message));
    for (const param of rest) {
      if (typeof param === 'string') {
        // Nest passes the stack of an error as a string right after the message.
        if (level === 'error' && entry['stack'] === undefined)
          entry['stack'] = param;
        else entry['detail'] = param;
      } else if (param !== undefined) {
        Object.assign(entry, fieldsOf(param, 'detail'));
      }
    }
    this.write(`${safeStringify(entry)}\n`);
  }
}

/** The fields a message or parameter adds to the line. */
function fieldsOf(value: unknown, key = 'msg'): Record<string, unknown> {
  if (value instanceof Error) {
    return { [key]: value.message, errorName: value.name, stack: value.stack };
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { message, ...fields } = value as Record<string, unknown>;
    return message !== undefined && fields['msg'] === undefined
      ? { ...fields, msg: message }
      : fields;
  }
  return { [key]: value };
}

/**
 * JSON.stringify that never throws on what callers log: a BigInt becomes its decimal
 * string and a reference back to an enclosing object becomes "[Circular]", so the rest
 * of the line survives. An object reached twice without a cycle is written twice.
 */
function safeStringify(entry: Record<string, unknown>): string {
  // The objects from the root down to the one being written (JSON.stringify is depth-first).
  const ancestors: unknown[] = [];
  try {
    return JSON.stringify(
      entry,
      function (this: unknown, _key: string, value: unknown): unknown {
        if (typeof value === 'bigint') return value.toString();
        if (typeof value !== 'object' || value === null) return value;
        while (ancestors.length > 0 && ancestors.at(-1) !== this)
          ancestors.pop();
        if (ancestors.includes(value)) return '[Circular]';
        ancestors.push(value);
        return value;
      },
    );
  } catch {
    // A getter or toJSON that throws must not turn a log call into a crash either.
    return JSON.stringify({
      time: entry['time'],
      level: entry['level'],
      context: entry['context'],
      msg: String(entry['msg']),
    });
  }
}
