import { EventEmitter } from 'node:events';
import type { Connection } from 'pg';
import { SilentConnectionError, watchReplies } from './reply-watchdog';

const READ_TIMEOUT_MS = 1_000;

/** A stand-in for pg's Connection: records what was sent and whether the socket was destroyed. */
class FakeConnection extends EventEmitter {
  sent: string[] = [];
  destroyedWith: Error | undefined;
  readonly stream = {
    destroy: (error?: Error) => {
      this.destroyedWith = error;
    },
  };
  query(text: string): void {
    this.sent.push(`query ${text}`);
  }
  sync(): void {
    this.sent.push('sync');
  }
  reply(name: string): void {
    this.emit('message', { name });
  }
}

function watched(onSilent?: (error: SilentConnectionError) => void) {
  const connection = new FakeConnection();
  watchReplies(connection as unknown as Connection, READ_TIMEOUT_MS, onSilent);
  return connection;
}

describe('watchReplies', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('closes a connection whose query gets no reply within the read timeout', () => {
    const silent: SilentConnectionError[] = [];
    const connection = watched((error) => silent.push(error));
    connection.query('select 1');
    expect(connection.sent).toEqual(['query select 1']);
    jest.advanceTimersByTime(READ_TIMEOUT_MS - 1);
    expect(connection.destroyedWith).toBeUndefined();
    jest.advanceTimersByTime(1);
    expect(connection.destroyedWith).toBeInstanceOf(SilentConnectionError);
    expect(connection.destroyedWith?.message).toBe(
      'database connection silent: no reply for 1000 ms, connection closed',
    );
    expect(silent).toHaveLength(1);
  });

  it('never fires on an idle connection, however long it stays idle', () => {
    const connection = watched();
    // Start-up ends with a ReadyForQuery nobody asked for; notifications arrive unasked.
    connection.reply('readyForQuery');
    connection.reply('notification');
    jest.advanceTimersByTime(60 * READ_TIMEOUT_MS);
    expect(connection.destroyedWith).toBeUndefined();
  });

  it('stops once every Sync has its ReadyForQuery, and counts pipelined ones', () => {
    const connection = watched();
    connection.sync();
    connection.sync();
    connection.reply('commandComplete');
    connection.reply('readyForQuery');
    jest.advanceTimersByTime(READ_TIMEOUT_MS - 1);
    // One Sync is still unanswered: the timer was restarted by the replies, not stopped.
    connection.reply('readyForQuery');
    jest.advanceTimersByTime(10 * READ_TIMEOUT_MS);
    expect(connection.destroyedWith).toBeUndefined();
  });

  it('treats every message of a slow reply as progress', () => {
    const connection = watched();
    connection.sync();
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(READ_TIMEOUT_MS - 100);
      connection.reply('dataRow');
    }
    expect(connection.destroyedWith).toBeUndefined();
    jest.advanceTimersByTime(READ_TIMEOUT_MS);
    expect(connection.destroyedWith).toBeInstanceOf(SilentConnectionError);
  });

  it('arms again for the next query after a completed one', () => {
    const connection = watched();
    connection.query('begin');
    connection.reply('readyForQuery');
    jest.advanceTimersByTime(5 * READ_TIMEOUT_MS);
    connection.query('commit');
    jest.advanceTimersByTime(READ_TIMEOUT_MS);
    expect(connection.destroyedWith).toBeInstanceOf(SilentConnectionError);
  });

  it('stops watching a connection that ended', () => {
    const connection = watched();
    connection.sync();
    connection.emit('end');
    jest.advanceTimersByTime(10 * READ_TIMEOUT_MS);
    expect(connection.destroyedWith).toBeUndefined();
  });
});
