import { type Dispatcher, request } from 'undici';

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** Long enough for a machine busy with every test at once; short enough that a wedged process fails the test. */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * One HTTP request with a JSON body (if any) and a JSON answer (parsed when the answer
 * says it is JSON, else the text). It never throws on a status: callers check it.
 */
export async function requestJson<T = unknown>(
  method: Dispatcher.HttpMethod,
  url: string,
  body?: unknown,
): Promise<JsonResponse<T>> {
  const response = await request(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  return { status: response.statusCode, body: await parseBody<T>(response) };
}

/** The answer's body: JSON when its content-type says so, else the text. */
export async function parseBody<T>(response: {
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string> };
}): Promise<T> {
  const text = await response.body.text();
  const type = response.headers['content-type'];
  const isJson = String(type ?? '').includes('json');
  return (text !== '' && isJson ? JSON.parse(text) : text) as T;
}
