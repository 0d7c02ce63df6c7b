import { Inject, Injectable, Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { SecretBox } from '@scheduleman/domain';
import { ReadinessRegistry, SECRET_BOX } from '@scheduleman/runtime';
import type { DataSource } from 'typeorm';
import type { SchedulerConfig } from '../../config/scheduler.config';
import { SCHEDULER_CONFIG } from '../../config/scheduler-config.token';
import { DeliverySigner } from '../signing/delivery-signer';
import { SigningModule } from '../signing/signing.module';
import {
  BrokerClientPool,
  type BrokerClientFactory,
  type ConnectionHealth,
} from './broker-client-pool';
import { BrokerFiring } from './broker-firing';
import { ConnectionSource } from './connection-source';

/**
 * The pools of every broker provider of this process, for /health and for shutdown. A
 * provider gets its pool from here (`pool(type, factory)`), so every pool is closed when
 * the application shuts down and shows in `/health` under `brokers`.
 *
 * Readiness never depends on a user's broker: one tenant's broker being down must not
 * take every scheduler out of rotation. `/health` shows each connection's state
 * (connecting, up, down, with the last error), and is ready whatever they are.
 */
@Injectable()
export class BrokerPools {
  private readonly pools = new Map<string, BrokerClientPool<unknown>>();

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    readiness: ReadinessRegistry,
  ) {
    readiness.register('brokers', () => ({
      ready: true,
      details: { connections: this.health() },
    }));
  }

  pool<C>(type: string, factory: BrokerClientFactory<C>): BrokerClientPool<C> {
    if (this.pools.has(type))
      throw new Error(`Two broker pools registered for type '${type}'`);
    const pool = new BrokerClientPool(factory, {
      policy: this.config.webhookNetworkPolicy,
      logger: new Logger(`Broker:${type}`),
    });
    this.pools.set(type, pool);
    return pool;
  }

  health(): ConnectionHealth[] {
    return [...this.pools.values()].flatMap((pool) => pool.health());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.closeAll()));
  }
}

/**
 * What every broker provider module imports: the connections (read and opened with
 * SECRET_BOX), the pools, and BrokerFiring, which does the steps every provider takes
 * before it publishes (broker-firing.ts).
 */
@Module({
  imports: [SigningModule],
  providers: [
    {
      provide: ConnectionSource,
      inject: [getDataSourceToken(), SECRET_BOX, SCHEDULER_CONFIG],
      useFactory: (
        dataSource: DataSource,
        box: SecretBox | null,
        config: SchedulerConfig,
      ) =>
        new ConnectionSource(
          dataSource,
          box,
          config.webhookNetworkPolicy,
          new Logger('Connections'),
        ),
    },
    {
      provide: BrokerFiring,
      inject: [ConnectionSource, DeliverySigner],
      useFactory: (connections: ConnectionSource, signer: DeliverySigner) =>
        new BrokerFiring(connections, signer),
    },
    BrokerPools,
  ],
  exports: [BrokerFiring, BrokerPools],
})
export class BrokerSupportModule {}
