import { spawnSync } from 'node:child_process';
import { describeWithBroker } from '@scheduleman/testkit';
import type { BrokersReport } from '../brokers/brokers-report';
import { runHarness, SMOKE_TIMEOUT_MS, writtenJson } from './run-harness';

/** Kafka runs against librdkafka's mock cluster, which only kcat starts here. */
const HAS_KCAT = !spawnSync('kcat', ['-V']).error;

// The four local brokers, each skipped loudly when absent (a failure with REQUIRE_BROKERS).
describeWithBroker('rabbitmq', 'npm run bench -- --brokers', () => {
  describeWithBroker('nats', 'with NATS', () => {
    describeWithBroker('redis', 'with Redis', () => {
      describeWithBroker('mosquitto', 'with Mosquitto, smoke sized', () => {
        it(
          'publishes through every provider and its bare client, every message once',
          async () => {
            const { code, output } = await runHarness([
              'bench',
              '--brokers',
              '--smoke',
            ]);
            const report = writtenJson(output) as BrokersReport & {
              problems: string[];
            };
            expect(report.problems).toEqual([]);
            const rows = new Map(report.rows.map((row) => [row.broker, row]));
            const measured = ['amqp', 'nats', 'redis-stream', 'mqtt'];
            if (HAS_KCAT) measured.push('kafka');
            else expect(rows.get('kafka')?.notRun).toMatch(/no kcat/);
            for (const broker of measured) {
              const row = rows.get(broker);
              expect({ broker, notRun: row?.notRun }).toEqual({
                broker,
                notRun: undefined,
              });
              expect(row?.bare?.failed).toBe(0);
              expect(row?.bareArrived?.received).toBe(
                row?.bareArrived?.expected,
              );
              expect(row?.scheduleman).toMatchObject({
                count: report.count,
                succeeded: report.count,
                arrivals: {
                  received: report.count,
                  missing: 0,
                  duplicated: 0,
                  unexpected: 0,
                },
              });
              expect(row?.scheduleman?.firesPerSecond).toBeGreaterThan(0);
              expect(row?.scheduleman?.initiationMs.count).toBe(report.count);
            }
            expect(output).toMatch(/fires\/s ÷ bare/);
            expect({ code, output }).toMatchObject({ code: 0 });
          },
          SMOKE_TIMEOUT_MS,
        );
      });
    });
  });
});
