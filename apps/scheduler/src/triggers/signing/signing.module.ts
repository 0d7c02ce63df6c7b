import { Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Clock, SecretBox } from '@scheduleman/domain';
import { CLOCK, ClockModule, SECRET_BOX } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { DeliverySigner } from './delivery-signer';
import type { SigningSecretSource } from './signing-secret-source';
import { SigningSecretsCache } from './signing-secrets-cache';
import { SigningSecretsReader } from './signing-secrets-reader';

/** Nest token of the per-owner signing secrets (read from the database, cached per owner). */
export const SIGNING_SECRET_SOURCE = Symbol('SIGNING_SECRET_SOURCE');

/**
 * What signs deliveries, for every provider: the owners' secrets (opened with
 * SECRET_BOX, cached per owner) or the installation secrets of SchedulerConfig, stamped
 * with CLOCK. One cache per process, shared by the webhook and the broker providers.
 */
@Module({
  imports: [ClockModule],
  providers: [
    {
      provide: SIGNING_SECRET_SOURCE,
      inject: [getDataSourceToken(), SECRET_BOX],
      useFactory: (
        dataSource: DataSource,
        box: SecretBox | null,
      ): SigningSecretSource => {
        const reader = new SigningSecretsReader(
          dataSource,
          box,
          new Logger('SigningSecrets'),
        );
        return new SigningSecretsCache((owner) => reader.read(owner));
      },
    },
    {
      provide: DeliverySigner,
      inject: [CLOCK, SCHEDULER_CONFIG, SIGNING_SECRET_SOURCE],
      useFactory: (
        clock: Clock,
        config: SchedulerConfig,
        ownerSecrets: SigningSecretSource,
      ) =>
        new DeliverySigner({
          clock,
          installationSecrets: config.webhookSigningSecrets,
          ownerSecrets,
        }),
    },
  ],
  exports: [SIGNING_SECRET_SOURCE, DeliverySigner],
})
export class SigningModule {}
