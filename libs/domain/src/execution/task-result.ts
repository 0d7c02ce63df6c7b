import { ValidationError } from '../errors';

export const TASK_RESULT_STATUSES = ['succeeded', 'failed'] as const;
export type TaskResultStatus = (typeof TASK_RESULT_STATUSES)[number];

/** Largest `output` of a result report, as JSON (UTF-8 bytes). */
export const MAX_RESULT_OUTPUT_BYTES = 64 * 1024;
/** Longest `error` of a result report, in characters. */
export const MAX_RESULT_ERROR_LENGTH = 4_000;

/** A result report as validated (`POST /executions/:executionId/result`). */
export interface TaskResultReport {
  status: TaskResultStatus;
  /** Any JSON; null when none was sent. */
  output: unknown;
  error: string | null;
}

/**
 * Validates a result report body: `status` required, `output` any JSON of at most
 * MAX_RESULT_OUTPUT_BYTES, `error` a string of at most MAX_RESULT_ERROR_LENGTH, no other
 * field. Every problem is reported (ValidationError[] thrown as one list by the caller).
 */
export function parseTaskResultReport(body: unknown): {
  report?: TaskResultReport;
  problems: ValidationError[];
} {
  const problems: ValidationError[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return {
      problems: [new ValidationError('body', 'must be a JSON object')],
    };
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input))
    if (!['status', 'output', 'error'].includes(key))
      problems.push(new ValidationError(key, 'is not a known field'));
  const status = input.status;
  if (!(TASK_RESULT_STATUSES as readonly unknown[]).includes(status))
    problems.push(
      new ValidationError(
        'status',
        `must be one of: ${TASK_RESULT_STATUSES.join(', ')}`,
      ),
    );
  const output = input.output ?? null;
  if (output !== null) {
    const bytes = Buffer.byteLength(JSON.stringify(output), 'utf8');
    if (bytes > MAX_RESULT_OUTPUT_BYTES)
      problems.push(
        new ValidationError(
          'output',
          `is ${bytes} bytes as JSON; at most ${MAX_RESULT_OUTPUT_BYTES} are allowed`,
        ),
      );
  }
  const error = input.error ?? null;
  if (error !== null) {
    if (typeof error !== 'string')
      problems.push(new ValidationError('error', 'must be a string'));
    else if (error.length > MAX_RESULT_ERROR_LENGTH)
      problems.push(
        new ValidationError(
          'error',
          `is ${error.length} characters; at most ${MAX_RESULT_ERROR_LENGTH} are allowed`,
        ),
      );
  }
  if (problems.length > 0) return { problems };
  return {
    report: {
      status: status as TaskResultStatus,
      output,
      error: error as string | null,
    },
    problems,
  };
}
