import {
  type Clock,
  firstRunAt,
  parseResultTimeout,
  parseSchedulePolicies,
  parseSilentAfter,
  parseScheduleSpec,
  parseTriggerSpec,
  type SchedulePolicies,
  type SchedulePolicyInput,
  type ScheduleSpec,
  type TriggerDefinition,
  type TriggerParseContext,
  type TriggerSpec,
  TRIGGER_DEFINITIONS,
  ValidationError,
} from '@scheduleman/domain';
import { InvalidRequestError } from '@scheduleman/runtime';
import { MAX_METADATA_BYTES } from './dto/create-schedule.dto';

/**
 * The checks class-validator cannot express, run before any transaction opens so a bad
 * request never touches the database: the polymorphic `schedule` and `trigger` (by the
 * domain parsers), the size of `metadata`, "this schedule fires at least once", and
 * the time policies (parseSchedulePolicies).
 * Every problem is reported, not just the first.
 */
export interface ParsedInput {
  schedule?: ScheduleSpec;
  /** First run of `schedule`, from `now`. */
  firstRunAt?: Date;
  trigger?: TriggerSpec;
  /** `resultTimeout` in ms: null to clear, undefined when not given. */
  resultTimeoutMs?: number | null;
  /** `silentAfter` in ms: null to clear, undefined when not given. */
  silentAfterMs?: number | null;
  /** The time-policy fields that were sent, validated (schedule-policies.ts). */
  policies: Partial<SchedulePolicies>;
}

export function parseScheduleInput(
  input: {
    schedule?: unknown;
    trigger?: unknown;
    metadata?: Record<string, unknown> | null;
    resultTimeout?: unknown;
    silentAfter?: unknown;
  } & SchedulePolicyInput,
  clock: Clock,
  triggerContext: TriggerParseContext,
  definitions: readonly TriggerDefinition[] = TRIGGER_DEFINITIONS,
): ParsedInput {
  const now = clock.now();
  const problems: ValidationError[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (error instanceof ValidationError) {
        problems.push(error);
        return undefined;
      }
      throw error;
    }
  };
  const result: ParsedInput = { policies: {} };
  if (input.metadata !== undefined && input.metadata !== null) {
    const metadata = input.metadata;
    attempt(() => checkMetadataSize(metadata));
  }
  if (input.schedule !== undefined) {
    result.schedule = attempt(() => parseScheduleSpec(input.schedule, now));
    const spec = result.schedule;
    if (spec) result.firstRunAt = attempt(() => requireFirstRun(spec, now));
  }
  if (input.resultTimeout !== undefined) {
    const resultTimeout = input.resultTimeout;
    result.resultTimeoutMs = attempt(() => parseResultTimeout(resultTimeout));
  }
  if (input.silentAfter !== undefined) {
    const silentAfter = input.silentAfter;
    result.silentAfterMs = attempt(() => parseSilentAfter(silentAfter));
  }
  if (input.trigger !== undefined)
    result.trigger = attempt(() =>
      parseTriggerSpec(input.trigger, 'trigger', definitions, triggerContext),
    );
  result.policies = parseSchedulePolicies(input, now, attempt);
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new InvalidRequestError(
      problems.map((p) => ({
        field: p.field,
        message: p.message.slice(p.field.length + 2),
      })),
    );
  }
  return result;
}

function checkMetadataSize(metadata: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > MAX_METADATA_BYTES) {
    throw new ValidationError(
      'metadata',
      `is ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES} are allowed`,
    );
  }
}

function requireFirstRun(spec: ScheduleSpec, now: Date): Date {
  const next = firstRunAt(spec, now);
  if (next === null) {
    throw new ValidationError(
      spec.type === 'cron' ? 'schedule.expression' : 'schedule',
      'never fires: it has no occurrence after now',
    );
  }
  return next;
}
