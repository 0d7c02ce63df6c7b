import { parseOptions } from './options';

describe('parseOptions', () => {
  it('defaults to the workloads with one and three schedulers, warm bursts', () => {
    expect(parseOptions([], {})).toMatchObject({
      smoke: false,
      only: undefined,
      schedulerCounts: [1, 3],
      burstWarmUp: 2_000,
      securityCost: false,
      externalDatabaseUrl: undefined,
    });
  });

  it('reads --security-cost, alone or with --smoke', () => {
    expect(parseOptions(['--security-cost'], {})).toMatchObject({
      securityCost: true,
      smoke: false,
    });
    expect(parseOptions(['--security-cost', '--smoke'], {})).toMatchObject({
      securityCost: true,
      smoke: true,
    });
  });

  it('refuses --security-cost with workload selections it would ignore', () => {
    expect(() => parseOptions(['--security-cost', '--only=burst'], {})).toThrow(
      /--security-cost .* no --only or --schedulers/,
    );
    expect(() =>
      parseOptions(['--security-cost', '--schedulers=1'], {}),
    ).toThrow(/no --only or --schedulers/);
  });

  it('reads --brokers, alone or with --smoke, and refuses it with another mode or selection', () => {
    expect(parseOptions(['--brokers', '--smoke'], {})).toMatchObject({
      brokers: true,
      securityCost: false,
      smoke: true,
    });
    expect(parseOptions([], {})).toMatchObject({ brokers: false });
    expect(() => parseOptions(['--brokers', '--only=burst'], {})).toThrow(
      /--brokers .* no --only or --schedulers/,
    );
    expect(() => parseOptions(['--brokers', '--security-cost'], {})).toThrow(
      /pick one/,
    );
  });

  it('reads --peers with a workload and process selection, and refuses it with another mode', () => {
    expect(
      parseOptions(['--peers', '--only=burst', '--schedulers=3'], {}),
    ).toMatchObject({ peers: true, only: ['burst'], schedulerCounts: [3] });
    expect(parseOptions([], {})).toMatchObject({ peers: false });
    expect(() => parseOptions(['--peers', '--only=cron'], {})).toThrow(
      /--peers runs the burst and spread workloads/,
    );
    expect(() => parseOptions(['--peers', '--brokers'], {})).toThrow(
      /--brokers and --peers are separate runs: pick one/,
    );
  });

  it('names the known options when given an unknown one', () => {
    expect(() => parseOptions(['--security'], {})).toThrow(
      /unknown option --security; known: .*--security-cost/,
    );
  });

  it('passes BENCH_SCHEDULER_<VAR> to the schedulers and TEST_DATABASE_URL unless --own-db', () => {
    const env = {
      BENCH_SCHEDULER_WEBHOOK_MAX_SOCKETS: '64',
      TEST_DATABASE_URL: 'postgres://x@127.0.0.1/db',
    };
    expect(parseOptions([], env)).toMatchObject({
      schedulerEnv: { WEBHOOK_MAX_SOCKETS: '64' },
      externalDatabaseUrl: 'postgres://x@127.0.0.1/db',
    });
    expect(parseOptions(['--own-db'], env).externalDatabaseUrl).toBeUndefined();
  });
});
