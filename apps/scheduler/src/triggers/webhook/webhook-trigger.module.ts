import { HttpModule, HttpService } from '@nestjs/axios';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AxiosHttpClient } from './axios.http-client';
import { WEBHOOK_HTTP_CLIENT, type HttpClient } from './http-client';
import { UndiciHttpClient } from './undici.http-client';
import {
  loadWebhookConfig,
  WEBHOOK_CONFIG,
  type WebhookConfig,
} from './webhook.config';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

/** The webhook provider and the HTTP client it sends through (chosen by WEBHOOK_HTTP_CLIENT). */
@Module({
  imports: [
    HttpModule.registerAsync({
      // HttpModule's factory runs in its own scope, so it reads the config itself.
      useFactory: () => {
        const { maxSockets } = loadWebhookConfig();
        // LIFO reuse keeps a few sockets warm instead of cycling through all of them. Idle
        // sockets live as long as the server's Keep-Alive hint allows (Node's agent reads it).
        const agentOptions = {
          keepAlive: true,
          maxSockets,
          scheduling: 'lifo' as const,
        };
        return {
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent(agentOptions),
        };
      },
    }),
  ],
  providers: [
    { provide: WEBHOOK_CONFIG, useFactory: () => loadWebhookConfig() },
    {
      provide: WEBHOOK_HTTP_CLIENT,
      inject: [WEBHOOK_CONFIG, HttpService],
      useFactory: (config: WebhookConfig, http: HttpService): HttpClient =>
        config.httpClient === 'axios'
          ? new AxiosHttpClient(http)
          : new UndiciHttpClient(config),
    },
    WebhookTriggerProvider,
  ],
  exports: [WebhookTriggerProvider],
})
export class WebhookTriggerModule implements OnApplicationShutdown {
  constructor(
    @Inject(WEBHOOK_HTTP_CLIENT) private readonly client: HttpClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
