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
}

export interface Execution {
  id: string;
  scheduledAt: string;
  firedAt: string | null;
  finishedAt: string | null;
  status: string;
  attempts: number;
  maxAttempts: number;
  responseStatus: number | null;
  error: string | null;
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

/** A non-2xx answer, with the API's error message (`{ code, message }`) when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  method: 'GET' | 'POST',
  path: string,
  key: string | null = storedKey(),
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  const res = await fetch(path, { method, headers });
  const body = (await res.json().catch(() => null)) as {
    message?: string;
    code?: string;
  } | null;
  if (!res.ok)
    throw new ApiError(
      res.status,
      `${String(res.status)} ${body?.code ?? ''}: ${body?.message ?? res.statusText}`,
    );
  return body as T;
}
