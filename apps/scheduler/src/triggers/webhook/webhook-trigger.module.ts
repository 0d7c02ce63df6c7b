import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Clock, SecretBox } from '@scheduleman/domain';
import { CLOCK, ClockModule, SECRET_BOX } from '@scheduleman/runtime';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { type HttpClient, WEBHOOK_HTTP_CLIENT } from './http-client';
import type { SigningSecretSource } from '../signing/signing-secret-source';
import {
  SIGNING_SECRET_SOURCE,
  SigningModule,
} from '../signing/signing.module';
import { UndiciHttpClient } from './undici.http-client';
import { WebhookTriggerProvider } from './webhook.trigger-provider';

/**
 * The webhook provider and the HTTP client it sends through (undici; see docs/triggers.md).
 * It signs with the owners' secrets (read from the database, opened with SECRET_BOX,
 * cached per owner) or the installation secrets of SchedulerConfig, and stamps with CLOCK.
 * Secret header values are opened with SECRET_BOX (SecretsModule, global).
 */
@Module({
  imports: [ClockModule, SigningModule],
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
      inject: [
        WEBHOOK_HTTP_CLIENT,
        CLOCK,
        SCHEDULER_CONFIG,
        SIGNING_SECRET_SOURCE,
        SECRET_BOX,
      ],
      useFactory: (
        client: HttpClient,
        clock: Clock,
        config: SchedulerConfig,
        ownerSecrets: SigningSecretSource,
        secretBox: SecretBox | null,
      ): WebhookTriggerProvider =>
        new WebhookTriggerProvider(client, {
          clock,
          signingSecrets: config.webhookSigningSecrets,
          ownerSecrets,
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
