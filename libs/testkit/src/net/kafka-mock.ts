import { spawn, spawnSync } from 'node:child_process';
import { trackChild } from '../child-tracker';
import { describeIfAvailable } from './require-broker';

/**
 * Kafka for the tests, as far as this machine can have one: no Kafka broker is packaged
 * for Debian, but librdkafka (through Debian's `kcat`) starts a **mock cluster** on
 * loopback that speaks the Kafka protocol (docs/research triggers.md: KafkaJS produces
 * to it with acks=-1 and consumes from it). It is a protocol check, not Kafka: no real
 * replication, so acks=-1 holds trivially, and the idempotent producer's init fails.
 */
export interface KafkaMock {
  /** `127.0.0.1:<port>` of the mock's bootstrap broker. */
  bootstrap: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The record's timestamp (ms): set by the producer when it sent it. */
  timestamp: number;
  key: string | null;
  payload: string | null;
  /** Header name → value, in order (kcat lists them as name, value, name, value…). */
  headers: Record<string, string>;
}

const PACKAGE = 'kcat';

/**
 * kcat on the PATH, installed with apt-get when missing and this process runs as root;
 * otherwise it throws, naming the package (describeWithKafkaMock skips the suite loudly).
 */
export function ensureKcat(): void {
  if (spawnSync('kcat', ['-V'], { stdio: 'ignore' }).error === undefined)
    return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `KAFKA MOCK MISSING: kcat is not installed. Install the Debian package "${PACKAGE}" ` +
        `(apt-get install -y ${PACKAGE}) and run again.`,
    );
  const install = () =>
    spawnSync('apt-get', ['install', '-y', PACKAGE], {
      stdio: 'ignore',
      timeout: 180_000,
    });
  let installed = install();
  if (installed.status !== 0) {
    // A fresh machine has no package lists yet.
    spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 180_000 });
    installed = install();
  }
  if (
    installed.status !== 0 ||
    spawnSync('kcat', ['-V'], { stdio: 'ignore' }).error !== undefined
  )
    throw new Error(
      `KAFKA MOCK MISSING: "apt-get install -y ${PACKAGE}" failed (status ${String(installed.status)}). ` +
        'Install it by hand and run again.',
    );
}

/**
 * Starts a librdkafka mock cluster (`kcat -X test.mock.num.brokers=N`, kept alive as a
 * consumer of an unused topic) and reads its bootstrap address from the `-X debug=mock`
 * line "Mock cluster … bootstrap.servers=127.0.0.1:<port>". Topics are created on first
 * use. `stop()` kills it; so does the exit of the test worker, as a last resort.
 */
/**
 * `describe` for a suite that needs the Kafka mock: kcat is found or installed while
 * Jest collects the suite; when it cannot be, the suite is skipped loudly like a suite
 * whose broker is absent (describeIfAvailable), never counted as passed.
 */
export function describeWithKafkaMock(title: string, suite: () => void): void {
  let absentBecause: string | undefined;
  try {
    ensureKcat();
  } catch (error) {
    absentBecause = error instanceof Error ? error.message : String(error);
  }
  describeIfAvailable('kafka (librdkafka mock)', absentBecause, title, suite);
}

export async function startKafkaMock(
  options: { brokers?: number; timeoutMs?: number } = {},
): Promise<KafkaMock> {
  ensureKcat();
  const child = spawn(
    'kcat',
    [
      // Ignored by the mock (it replaces it), but kcat requires one.
      '-b',
      '127.0.0.1:1',
      '-X',
      `test.mock.num.brokers=${String(options.brokers ?? 1)}`,
      '-X',
      'debug=mock',
      '-C',
      '-t',
      '__scheduleman_mock_keepalive',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  trackChild(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => resolve()),
  );
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `KAFKA MOCK: kcat printed no bootstrap address within ${String(options.timeoutMs ?? 10_000)} ms: ${text.slice(0, 500)}`,
        ),
      );
    }, options.timeoutMs ?? 10_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Read until the address shows; the debug log goes on and is drained, not kept.
      if (timer.hasRef()) text += chunk;
      const found = /bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(text);
      if (found?.[1] !== undefined && timer.hasRef()) {
        clearTimeout(timer);
        timer.unref();
        text = '';
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          `KAFKA MOCK: kcat exited (${String(code)}) before the mock started: ${text.slice(0, 500)}`,
        ),
      );
    });
  });
  const [host, port] = bootstrap.split(':') as [string, string];
  return {
    bootstrap,
    host,
    port: Number(port),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/**
 * Every record of `topic` so far, read with kcat (librdkafka: a second, independent
 * client), as JSON (`-J`), from the beginning to the end (`-e`).
 */
export function readKafkaTopic(
  bootstrap: string,
  topic: string,
): Promise<KafkaRecord[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'kcat',
      ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.stderr.on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`kcat -C ${topic} failed (${String(code)}): ${err}`));
        return;
      }
      resolve(
        out
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => toRecord(JSON.parse(line) as KcatJson)),
      );
    });
  });
}

interface KcatJson {
  topic: string;
  partition: number;
  offset: number;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: string[];
}

function toRecord(json: KcatJson): KafkaRecord {
  const headers: Record<string, string> = {};
  const list = json.headers ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) headers[list[i]] = list[i + 1];
  return {
    topic: json.topic,
    partition: json.partition,
    offset: json.offset,
    timestamp: json.ts,
    key: json.key,
    payload: json.payload,
    headers,
  };
}
