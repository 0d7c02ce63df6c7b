import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock, SecretBox } from '@scheduleman/domain';
import { CLOCK, ClockModule, SECRET_BOX } from '@scheduleman/runtime';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { type HttpClient, WEBHOOK_HTTP_CLIENT } from './http-client';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

/**
 * The webhook provider and the HTTP client it sends through (undici; see docs/triggers.md).
 * It signs with the installation secrets of SchedulerConfig, stamps with CLOCK and opens
 * secret header values with SECRET_BOX (SecretsModule, global).
 */
@Module({
  imports: [ClockModule],
  providers: [
    {
      provide: WEBHOOK_HTTP_CLIENT,
      inject: [SCHEDULER_CONFIG],
      useFactory: (config: SchedulerConfig): HttpClient =>
        new UndiciHttpClient({
          maxSockets: config.webhookMaxSockets,
          keepAliveMs: config.webhookKeepAliveMs,
          networkPolicy: config.webhookNetworkPolicy,
        }),
    },
    {
      provide: WebhookTriggerProvider,
      inject: [WEBHOOK_HTTP_CLIENT, CLOCK, SCHEDULER_CONFIG, SECRET_BOX],
      useFactory: (
        client: HttpClient,
        clock: Clock,
        config: SchedulerConfig,
        secretBox: SecretBox | null,
      ): WebhookTriggerProvider =>
        new WebhookTriggerProvider(client, {
          clock,
          signingSecrets: config.webhookSigningSecrets,
          secretBox,
        }),
    },
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
