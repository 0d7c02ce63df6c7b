/**
 * Reads environment variables into typed values and collects EVERY problem before
 * failing, so an operator fixes a broken deployment in one round instead of one
 * variable per restart. Each app's config module is the only caller; nothing else reads
 * `process.env`.
 *
 *   const env = new EnvReader(process.env);
 *   const config = { port: env.int('PORT', { default: 3000, min: 1, max: 65535 }) };
 *   return env.finish(config); // throws ConfigError listing every problem
 */
import { parseDatabaseUrl } from '@scheduleman/domain/persistence';

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown by `EnvReader.finish` with one line per bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

interface Bounds {
  min?: number;
  max?: number;
}

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** A required string, or `default` when unset. Blank counts as unset. */
  string(
    name: string,
    options: { default?: string; maxLength?: number } = {},
  ): string {
    const raw = this.raw(name);
    if (raw === undefined) return this.missing(name, options.default, '');
    if (options.maxLength !== undefined && raw.length > options.maxLength) {
      this.problems.push(
        `${name}: must be at most ${options.maxLength} characters`,
      );
    }
    return raw;
  }

  /** A string that may be absent. */
  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  /** `true`/`false` (also `1`/`0`, `yes`/`no`, any case); `default` when unset. */
  bool(name: string, options: { default: boolean }): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return options.default;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    this.problems.push(
      `${name}: must be true or false (got ${JSON.stringify(raw)})`,
    );
    return options.default;
  }

  /** An integer within [min, max]. */
  int(name: string, options: { default?: number } & Bounds = {}): number {
    const raw = this.raw(name);
    if (raw === undefined) return this.missing(name, options.default, 0);
    if (!/^-?\d+$/.test(raw)) {
      this.problems.push(
        `${name}: must be an integer${describeBounds(options)} (got ${JSON.stringify(raw)})`,
      );
      return options.default ?? 0;
    }
    return this.checkBounds(name, Number(raw), options, '');
  }

  /**
   * A duration in milliseconds: a bare integer means milliseconds, or a number with a
   * unit suffix `ms`, `s`, `m`, `h` (e.g. `1500`, `1.5s`, `2m`).
   */
  durationMs(
    name: string,
    options: { default?: number } & Bounds = {},
  ): number {
    const raw = this.raw(name);
    if (raw === undefined) return this.missing(name, options.default, 0);
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw);
    if (!match) {
      this.problems.push(
        `${name}: must be a duration such as 1500, 1500ms, 1.5s, 2m or 1h (got ${JSON.stringify(raw)})`,
      );
      return options.default ?? 0;
    }
    const ms = Math.round(
      Number(match[1]) * DURATION_UNITS_MS[match.at(2) ?? 'ms'],
    );
    return this.checkBounds(name, ms, options, ' ms');
  }

  /** One of a fixed set of strings (case-insensitive on input, returned as listed). */
  oneOf<T extends string>(
    name: string,
    values: readonly T[],
    options: { default?: T } = {},
  ): T {
    const raw = this.raw(name);
    if (raw === undefined)
      return this.missing(name, options.default, values[0]);
    const found = values.find((v) => v.toLowerCase() === raw.toLowerCase());
    if (found === undefined) {
      this.problems.push(
        `${name}: must be one of ${values.join(', ')} (got ${JSON.stringify(raw)})`,
      );
      return options.default ?? values[0];
    }
    return found;
  }

  /** An absolute URL whose scheme is one of `protocols` (e.g. `['postgres:', 'postgresql:']`). */
  url(
    name: string,
    options: { default?: string; protocols?: readonly string[] } = {},
  ): string {
    const raw = this.raw(name);
    if (raw === undefined) return this.missing(name, options.default, '');
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      // Never echo the value: a URL may carry a password.
      this.problems.push(`${name}: must be an absolute URL`);
      return raw;
    }
    if (options.protocols && !options.protocols.includes(parsed.protocol)) {
      this.problems.push(
        `${name}: must use one of ${options.protocols.map((p) => `${p}//`).join(', ')} (got ${parsed.protocol}//)`,
      );
    }
    return raw;
  }

  /**
   * DATABASE_URL as libpq reads it (required): one host, or a multi-host URL of a cluster
   * with `target_session_attrs=read-write` (see parseDatabaseUrl). Never echoes the value.
   */
  databaseUrl(name: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return this.missing(name, undefined, '');
    try {
      parseDatabaseUrl(raw);
    } catch (error) {
      this.problems.push(
        `${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return raw;
  }

  /**
   * A value of a type only its domain knows how to read (a list of networks, …): `parse`
   * throws an Error saying what is wrong, and the problem names the variable.
   */
  parsed<T>(name: string, parse: (raw: string) => T, fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    try {
      return parse(raw);
    } catch (error) {
      this.problems.push(
        `${name}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return fallback;
    }
  }

  /** Records a problem found by the caller, e.g. a relation between two variables. */
  addProblem(problem: string): void {
    this.problems.push(problem);
  }

  /** Returns `config` when every variable read so far was valid; otherwise throws ConfigError. */
  finish<T>(config: T): T {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
    return config;
  }

  private raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  private missing<T>(name: string, fallback: T | undefined, placeholder: T): T {
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name}: is required`);
    return placeholder;
  }

  private checkBounds(
    name: string,
    value: number,
    bounds: Bounds,
    unit: string,
  ): number {
    if (
      (bounds.min !== undefined && value < bounds.min) ||
      (bounds.max !== undefined && value > bounds.max)
    ) {
      this.problems.push(
        `${name}: must be${describeBounds(bounds)}${unit} (got ${value})`,
      );
    }
    return value;
  }
}

function describeBounds({ min, max }: Bounds): string {
  if (min !== undefined && max !== undefined)
    return ` between ${min} and ${max}`;
  if (min !== undefined) return ` at least ${min}`;
  if (max !== undefined) return ` at most ${max}`;
  return '';
}
