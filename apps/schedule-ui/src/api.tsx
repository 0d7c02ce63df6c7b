/**
 * The UI's only way to the server: the public REST API (docs/api.md), same origin, with
 * the API key the user typed kept in sessionStorage (gone when the tab closes). The
 * shapes below are the parts of libs/domain/src/contracts the UI reads.
 */
export interface ScheduleSpec {
  type: 'cron' | 'at' | 'delay';
  expression?: string;
  timezone?: string;
  at?: string;
  delay?: string;
}

export interface Schedule {
  id: string;
  name: string | null;
  owner: string | null;
  schedule: ScheduleSpec;
  trigger: { type: string; url?: string };
  status: string;
  nextRunAt: string | null;
  misfirePolicy: string;
  maxAttempts: number;
  createdAt: string;
  updatedAt: string;
  /** The spec in words ("At 02:30, every day (Europe/Berlin)"), where the API gives it. */
  description?: string;
}

export interface Execution {
  id: string;
  scheduledAt: string;
  /**
   * When the next attempt is due (the scheduled time, its instant in a flexible window, or
   * a retry time); null while overlap policy buffer_one holds the occurrence back.
   */
  dueAt: string | null;
  firedAt: string | null;
  finishedAt: string | null;
  status: string;
  attempts: number;
  maxAttempts: number;
  schedulerId: string | null;
  responseStatus: number | null;
  error: string | null;
  /** Why it was not fired (skipped executions), where the API gives it. */
  reason?: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const KEY_STORAGE = 'scheduleman.apiKey';

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_STORAGE);
  else sessionStorage.setItem(KEY_STORAGE, key);
}

/** One problem with a request, by the JSON path of its field (`schedule.expression`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * A non-2xx answer, with the API's error message (`{ code, message, errors }`) when it
 * sent one. `errors` names each refused field, so a form can show the message beside it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly errors: FieldProblem[] = [],
  ) {
    super(message);
  }

  /** The message for one field (`schedule.expression`), or for any field under it. */
  fieldMessage(field: string): string | null {
    const hit = this.errors.find(
      (e) => e.field === field || e.field.startsWith(`${field}.`),
    );
    return hit?.message ?? null;
  }
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** The key to send; the stored one by default, none with null. */
  key?: string | null;
  signal?: AbortSignal;
}

export async function api<T>(
  method: Method,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const key = options.key === undefined ? storedKey() : options.key;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  const init: RequestInit = { method, headers };
  if (options.signal !== undefined) init.signal = options.signal;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => null)) as {
    message?: string;
    code?: string;
    errors?: FieldProblem[];
  } | null;
  if (!res.ok)
    throw new ApiError(
      res.status,
      `${String(res.status)} ${body?.code ?? ''}: ${body?.message ?? res.statusText}`,
      body?.code ?? null,
      Array.isArray(body?.errors) ? body.errors : [],
    );
  return body as T;
}

/** A broker connection as `GET /connections` lists it (its URL masked). */
export interface Connection {
  id: string;
  name: string;
  type: string;
  url: string;
  owner: string | null;
  createdAt: string;
}

/** One occurrence of `POST /schedules/preview`, with what needs explaining about it. */
export interface PreviewItem {
  at: string;
  notes: string[];
}

/** `POST /schedules/preview`; `description` is the spec in words where the API gives it. */
export interface PreviewAnswer {
  items: PreviewItem[];
  description?: string;
}

/** One of a schedule's latest executions (`GET /schedules?include=recentExecutions`). */
export interface RecentExecution {
  id: string;
  scheduledAt: string;
  firedAt: string | null;
  status: string;
  /** firedAt − scheduledAt in ms; null until fired. */
  latenessMs: number | null;
}

/** An item of `GET /schedules`, with what `include=recentExecutions` adds. */
export interface ScheduleListItem extends Schedule {
  recentExecutions?: RecentExecution[];
}
