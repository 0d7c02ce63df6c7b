import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { NetworkPolicy } from '@scheduleman/domain';
import { ConnectionUsage } from './connection-usage';
import { ConnectionsController } from './connections.controller';
import { ConnectionsRepository } from './connections.repository';
import {
  CONNECTION_NETWORK_POLICY,
  ConnectionsService,
} from './connections.service';

/**
 * `/connections`. Global so that SchedulesService reaches ConnectionUsage, which checks
 * (and share-locks) the connection a schedule's trigger names.
 */
@Global()
@Module({})
export class ConnectionsModule {
  /** `networkPolicy`: WEBHOOK_ALLOWED_NETWORKS, which governs connection URLs as it does webhook URLs. */
  static forRoot(networkPolicy: NetworkPolicy): DynamicModule {
    return {
      module: ConnectionsModule,
      controllers: [ConnectionsController],
      providers: [
        ConnectionsService,
        ConnectionsRepository,
        ConnectionUsage,
        { provide: CONNECTION_NETWORK_POLICY, useValue: networkPolicy },
      ],
      exports: [ConnectionUsage],
    };
  }
}
