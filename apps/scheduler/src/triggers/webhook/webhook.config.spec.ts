import { ConfigError } from '@scheduleman/runtime';
import { loadWebhookConfig } from './webhook.config';

describe('loadWebhookConfig', () => {
  it('defaults to undici with a bounded keep-alive pool', () => {
    expect(loadWebhookConfig({})).toEqual({
      httpClient: 'undici',
      maxSockets: 256,
      keepAliveMs: 30_000,
    });
  });

  it('selects axios and reads the pool settings', () => {
    expect(
      loadWebhookConfig({
        WEBHOOK_HTTP_CLIENT: 'axios',
        WEBHOOK_MAX_SOCKETS: '64',
        WEBHOOK_KEEP_ALIVE_MS: '5s',
      }),
    ).toEqual({
      httpClient: 'axios',
      maxSockets: 64,
      keepAliveMs: 5_000,
    });
  });

  it('names each bad variable', () => {
    const load = () =>
      loadWebhookConfig({
        WEBHOOK_HTTP_CLIENT: 'curl',
        WEBHOOK_MAX_SOCKETS: '0',
      });

    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/WEBHOOK_HTTP_CLIENT.*\n.*WEBHOOK_MAX_SOCKETS/);
  });
});
