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

  it('reads --failover and its --base-port, and refuses a port without it', () => {
    expect(parseOptions(['--failover', '--smoke'], {})).toMatchObject({
      failover: true,
      basePort: undefined,
      smoke: true,
    });
    expect(parseOptions(['--failover', '--base-port=56601'], {})).toMatchObject(
      { failover: true, basePort: 56601 },
    );
    expect(() => parseOptions(['--base-port=56601'], {})).toThrow(
      /--base-port goes with --failover/,
    );
    expect(() => parseOptions(['--failover', '--base-port=80'], {})).toThrow(
      /--base-port must be an integer from 1024 to 65500/,
    );
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

  it('reads --creation, alone or with --smoke, and refuses it with another mode or selection', () => {
    expect(parseOptions(['--creation', '--smoke'], {})).toMatchObject({
      creation: true,
      brokers: false,
      securityCost: false,
      smoke: true,
    });
    expect(parseOptions([], {})).toMatchObject({ creation: false });
    expect(() => parseOptions(['--creation', '--only=burst'], {})).toThrow(
      /--creation .* no --only or --schedulers/,
    );
    expect(() => parseOptions(['--creation', '--brokers'], {})).toThrow(
      /--brokers and --creation are separate runs: pick one/,
    );
  });

  it('reads --batches-in-flight and --api-main with --creation only', () => {
    expect(parseOptions(['--creation'], {})).toMatchObject({
      batchesInFlight: 1,
      apiMain: undefined,
    });
    expect(
      parseOptions(
        ['--creation', '--batches-in-flight=4', '--api-main=/tmp/a.js'],
        {},
      ),
    ).toMatchObject({ batchesInFlight: 4, apiMain: '/tmp/a.js' });
    for (const bad of ['0', '9', '1.5', 'two'])
      expect(() =>
        parseOptions(['--creation', `--batches-in-flight=${bad}`], {}),
      ).toThrow(/--batches-in-flight must be an integer from 1 to 8/);
    expect(() => parseOptions(['--batches-in-flight=2'], {})).toThrow(
      /go with --creation/,
    );
    expect(() => parseOptions(['--api-main=/tmp/a.js'], {})).toThrow(
      /go with --creation/,
    );
  });

  it('reads --table-scale with its sizes, and refuses --rows without it', () => {
    expect(parseOptions(['--table-scale'], {})).toMatchObject({
      tableScale: true,
      tableScaleRows: [1_000_000, 10_000_000],
      keepDatabase: false,
    });
    expect(
      parseOptions(['--table-scale', '--rows=1000,100000000', '--keep-db'], {}),
    ).toMatchObject({
      tableScaleRows: [1_000, 100_000_000],
      keepDatabase: true,
    });
    expect(() => parseOptions(['--rows=1000'], {})).toThrow(
      /go with --table-scale/,
    );
    expect(() => parseOptions(['--table-scale', '--rows=10'], {})).toThrow(
      /--rows must list sizes/,
    );
    expect(() => parseOptions(['--table-scale', '--brokers'], {})).toThrow(
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
