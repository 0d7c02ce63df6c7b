import { distribution } from '../stats/percentiles';
import type { BareResult } from './bare-publish';
import {
  type BrokerRow,
  brokerProblems,
  brokersTable,
  ratio,
} from './brokers-report';
import type { SchedulemanResult } from './scheduleman-run';

const bare: BareResult = {
  count: 100,
  failed: 0,
  perSecond: 4_000,
  publishMs: distribution([1, 2, 2, 3, 10]),
};

function scheduleman(
  overrides: Partial<SchedulemanResult> = {},
): SchedulemanResult {
  return {
    count: 100,
    creationPerSecond: 900,
    creationFailures: 0,
    succeeded: 100,
    failed: 0,
    unfinished: 0,
    retried: 0,
    firesPerSecond: 1_000,
    drainMs: 120,
    initiationMs: distribution([2, 4, 5, 20]),
    latenessMs: distribution([5, 50]),
    arrivals: { received: 100, missing: 0, duplicated: 0, unexpected: 0 },
    ...overrides,
  };
}

function row(overrides: Partial<BrokerRow> = {}): BrokerRow {
  return {
    broker: 'amqp',
    round: 1,
    bare,
    bareArrived: { received: 110, expected: 110 },
    scheduleman: scheduleman(),
    errors: [],
    ...overrides,
  };
}

describe('brokersTable', () => {
  it('prints scheduleman against the bare client as ratios', () => {
    const table = brokersTable([row()]);
    // fires/s 1000 over 4000 msgs/s; p99 initiation 20 ms over p99 publish 10 ms.
    expect(table).toContain('| 4000 ');
    expect(table).toContain('| 0.25 × ');
    expect(table).toContain('| 2.0 / 10.0 ');
    expect(table).toContain('| 4.0 / 20.0 ');
    expect(table).toContain('| 2.00 × ');
    expect(table).toContain('| 100 / 0 / 0 / 0 ');
  });

  it('gives medians over the rounds, with the paired ratios’ range', () => {
    const table = brokersTable([
      row(),
      row({
        round: 2,
        bare: { ...bare, perSecond: 2_000 },
        scheduleman: scheduleman({ firesPerSecond: 1_000 }),
      }),
      row({
        round: 3,
        bare: { ...bare, perSecond: 3_000 },
        scheduleman: scheduleman({ firesPerSecond: 2_000 }),
      }),
    ]);
    // Medians 1000 fires/s and 3000 msgs/s; paired 0.25, 0.50, 0.67.
    expect(table).toContain('| 4000, 2000, 3000 ');
    expect(table).toContain('| 1000, 1000, 2000 ');
    expect(table).toContain('| 0.33 × (0.25–0.67) ');
    expect(table).toContain('| 300 / 0 / 0 / 0 ');
  });

  it('says why a broker or its scheduleman half did not run', () => {
    const table = brokersTable([
      { broker: 'kafka', round: 1, notRun: 'no kcat', errors: [] },
      row({
        broker: 'mqtt',
        scheduleman: undefined,
        schedulemanNotRun: 'no provider',
      }),
    ]);
    expect(table).toMatch(/\| kafka +\| not run: no kcat/);
    expect(table).toMatch(/\| mqtt +\| 4000 +\| not run: no provider/);
  });
});

describe('brokerProblems', () => {
  it('finds none in a clean row, nor for an optional broker that was not run', () => {
    expect(brokerProblems(row())).toEqual([]);
    expect(
      brokerProblems(
        { broker: 'kafka', round: 1, notRun: 'no kcat', errors: [] },
        ['kafka'],
      ),
    ).toEqual([]);
  });

  it('names an absent required broker, lost bare messages, failures and wrong arrivals', () => {
    expect(
      brokerProblems({
        broker: 'nats',
        round: 1,
        notRun: 'nothing on 4222',
        errors: [],
      }),
    ).toEqual(['nats, round 1: not run: nothing on 4222']);
    const problems = brokerProblems(
      row({
        bareArrived: { received: 109, expected: 110 },
        scheduleman: scheduleman({
          failed: 1,
          firstError: 'nacked',
          arrivals: { received: 100, missing: 1, duplicated: 1, unexpected: 0 },
        }),
      }),
    );
    expect(problems).toEqual([
      'amqp, round 1: 109 bare messages read back, 110 published',
      'amqp, round 1: 1 executions failed, 0 unfinished of 100: nacked',
      'amqp, round 1: at the broker: 1 missing, 1 more than once, 0 unexpected',
    ]);
  });
});

describe('ratio', () => {
  it('is a dash without a base', () => {
    expect(ratio(1, undefined)).toBe('-');
    expect(ratio(1, 0)).toBe('-');
    expect(ratio(3, 2)).toBe('1.50 ×');
  });
});
