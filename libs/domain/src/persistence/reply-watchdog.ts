import { Client, type ClientConfig, type Connection } from 'pg';

/** Why a connection was closed by its reply watchdog (the error every waiting query gets). */
export class SilentConnectionError extends Error {
  readonly code = 'DB_CONNECTION_SILENT';

  constructor(readonly readTimeoutMs: number) {
    super(
      `database connection silent: no reply for ${String(readTimeoutMs)} ms, connection closed`,
    );
    this.name = 'SilentConnectionError';
  }
}

/** The part of pg's Connection the watchdog touches (typed in @types/pg). */
type WatchedConnection = Pick<
  Connection,
  'query' | 'sync' | 'on' | 'once' | 'stream'
>;

/**
 * Closes a connection that waits longer than `readTimeoutMs` for any byte of a reply.
 *
 * Why: a connection that goes silent without a reset (a stateful firewall or NAT that
 * forgot it, a proxy that stops forwarding, a partition) leaves a query waiting forever.
 * TCP keepalive does not help while a query is outstanding, nor when the silent party is a
 * middlebox that still acknowledges TCP (its kernel answers the probes), and Node cannot set
 * TCP_USER_TIMEOUT. pg's own `query_timeout` rejects the query but keeps the connection,
 * which the pool then hands out again, still dead, with the reply of the lost query maybe
 * still to come. So this watchdog destroys the socket instead: every query waiting on it
 * fails with SilentConnectionError and the pool drops the client.
 *
 * What counts as waiting is read from the protocol, not guessed from traffic: every
 * simple Query and every Sync the client sends is answered by exactly one ReadyForQuery.
 * While any is unanswered a timer runs, restarted by every message from the server (a
 * long result streaming in is progress); the last ReadyForQuery stops it. An idle pooled
 * connection and a LISTEN connection between notifications are not waiting, so nothing
 * fires there. A statement legitimately running longer than `readTimeoutMs` sends nothing
 * meanwhile and would be cut: keep `readTimeoutMs` above the server's statement_timeout.
 * Cursors that page with Flush (pg-cursor) are not covered; nothing here uses them.
 */
export function watchReplies(
  connection: WatchedConnection,
  readTimeoutMs: number,
  onSilent?: (error: SilentConnectionError) => void,
): void {
  let awaiting = 0;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const restart = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const error = new SilentConnectionError(readTimeoutMs);
      onSilent?.(error);
      connection.stream.destroy(error);
    }, readTimeoutMs);
    // Never the reason a process stays alive.
    timer.unref();
  };
  const query = connection.query.bind(connection);
  const sync = connection.sync.bind(connection);
  connection.query = (text: string) => {
    awaiting += 1;
    if (timer === undefined) restart();
    query(text);
  };
  connection.sync = () => {
    awaiting += 1;
    if (timer === undefined) restart();
    sync();
  };
  connection.on('message', (message: { name?: string }) => {
    // The ReadyForQuery that ends start-up answers nothing we sent.
    if (awaiting === 0) return;
    if (message.name === 'readyForQuery') awaiting -= 1;
    if (awaiting === 0) stop();
    else restart();
  });
  connection.once('end', stop);
}

/**
 * A pg Client whose connection is watched by `watchReplies`; given to pg-pool as its
 * `Client` so every pooled connection is. `readTimeoutMs` 0 = not watched.
 */
export function watchedClientClass(
  readTimeoutMs: number,
  onSilent?: (error: SilentConnectionError) => void,
  Base: typeof Client = Client,
): typeof Client {
  return class WatchedClient extends Base {
    constructor(config?: string | ClientConfig) {
      super(config);
      if (readTimeoutMs > 0)
        watchReplies(this.connection, readTimeoutMs, onSilent);
    }
  };
}
