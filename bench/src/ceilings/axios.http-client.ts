import type { HttpService } from '@nestjs/axios';
import type { Agent as HttpAgent } from 'node:http';
import type { Readable } from 'node:stream';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the scheduler's client seam, measured as is
import {
  MAX_DRAINED_BODY_BYTES,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from '../../../apps/scheduler/src/triggers/webhook/http-client';

/**
 * HttpClient on @nestjs/axios, for the bench only: the HTTP ceiling compares it with the
 * scheduler's undici client over the same seam (the measurement that chose undici, see
 * docs/triggers.md). The HttpService must be configured with a keep-alive agent; this
 * class only shapes each request.
 */
export class AxiosHttpClient implements HttpClient {
  readonly name = 'axios';

  constructor(private readonly http: HttpService) {}

  async send(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.http.axiosRef.request<Readable>({
      url: request.url,
      method: request.method,
      headers: request.headers,
      data: request.body,
      signal: request.signal,
      adapter: 'http',
      // We only need the status: stream the body and throw it away.
      responseType: 'stream',
      decompress: false,
      maxRedirects: 0,
      // Environment proxies are not applied implicitly; the undici client ignores them too.
      proxy: false,
      validateStatus: () => true,
    });
    drain(response.data);
    return { status: response.status };
  }

  close(): Promise<void> {
    const defaults = this.http.axiosRef.defaults as {
      httpAgent?: HttpAgent;
      httpsAgent?: HttpAgent;
    };
    defaults.httpAgent?.destroy();
    defaults.httpsAgent?.destroy();
    return Promise.resolve();
  }
}

/**
 * Reads the body to its end so the keep-alive socket returns to the pool; a body too
 * large to be worth reading costs the socket instead.
 */
function drain(body: Readable): void {
  let bytes = 0;
  body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_DRAINED_BODY_BYTES) body.destroy();
  });
  body.on('error', () => undefined);
}
