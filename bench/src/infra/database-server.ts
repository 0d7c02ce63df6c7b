import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  dropDatabase,
  freePort,
  RestartablePostgres,
} from '@scheduleman/testkit';

/**
 * The PostgreSQL server a run uses: an embedded one started for the run (the default;
 * it can be restarted, and it has pg_stat_statements loaded), or the server named by
 * TEST_DATABASE_URL, on which each run gets a fresh database.
 */
export interface DatabaseServer {
  readonly url: string;
  readonly embedded: boolean;
  /** How the report names the server, when neither "embedded" nor "TEST_DATABASE_URL" says it. */
  readonly description?: string;
  /** The postmaster's pid when it runs on this host (for CPU accounting). */
  postmasterPid(): number | undefined;
  /** A fresh, empty database on the server; returns its URL. */
  createDatabase(prefix: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  /** Stops and starts the server on the same data folder (embedded only). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

class ExternalServer implements DatabaseServer {
  readonly embedded = false;
  constructor(readonly url: string) {}
  postmasterPid(): number | undefined {
    return undefined;
  }
  createDatabase(prefix: string): Promise<string> {
    return createDatabase(this.url, prefix);
  }
  dropDatabase(url: string): Promise<void> {
    return dropDatabase(this.url, url);
  }
  restart(): Promise<void> {
    return Promise.reject(
      new Error('cannot restart an external database server'),
    );
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

class EmbeddedServer implements DatabaseServer {
  readonly embedded = true;
  constructor(private readonly server: RestartablePostgres) {}
  get url(): string {
    return this.server.url;
  }
  postmasterPid(): number | undefined {
    return this.server.postmasterPid();
  }
  createDatabase(prefix: string): Promise<string> {
    return createDatabase(this.url, prefix);
  }
  dropDatabase(url: string): Promise<void> {
    return dropDatabase(this.url, url);
  }
  restart(): Promise<void> {
    return this.server.restart();
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
}

/**
 * `externalUrl` (TEST_DATABASE_URL) when given, else an embedded server of our own: with
 * durability off (fsync, synchronous_commit), unless `durable`, as a user would run it.
 */
export async function startDatabaseServer(
  externalUrl: string | undefined,
  durable = false,
): Promise<DatabaseServer> {
  if (externalUrl) return new ExternalServer(externalUrl);
  const port = await freePort();
  // Disposable: a run's data is of no use afterwards, and folders pile up in /tmp.
  const server = await RestartablePostgres.start(
    port,
    join(tmpdir(), `scheduleman-bench-pg-${port}`),
    {
      statStatements: true,
      durable,
      disposable: true,
      onOutput: (text) => process.stderr.write(text),
    },
  );
  return new EmbeddedServer(server);
}
