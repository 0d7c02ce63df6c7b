import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { Clock, SystemClock } from '@scheduleman/domain';
import type {
  OccurrenceTuple,
  ReceiverCount,
  ReceiverStats,
} from './receiver-stats';

interface Occurrence {
  scheduleId: string;
  scheduledAtMs: number;
  firstArrivalMs: number;
  deliveries: number;
  keys: string[];
}

/**
 * The benchmark's webhook target: as fast as node:http allows, so that the harness
 * measures the scheduler and not the receiver. Each request is answered 200 at once and
 * recorded by occurrence with its arrival time on this host's clock (the database runs
 * on the same host, so lateness is measured against the clock due-ness is decided on).
 */
export class Receiver {
  private occurrences = new Map<string, Occurrence>();
  private requests = 0;
  private malformed = 0;
  private signed = 0;
  private signatures = 0;
  private bodyBytes = 0;
  private retries = 0;

  constructor(private readonly clock: Clock = new SystemClock()) {}

  record(
    idempotencyKey: string | undefined,
    scheduleId: string | undefined,
    scheduledAt: string | undefined,
    signature?: string,
    bodyBytes = 0,
    attempt?: string,
  ): void {
    const arrivalMs = this.clock.now().getTime();
    this.requests++;
    if (attempt !== undefined && attempt !== '1') this.retries++;
    this.bodyBytes += bodyBytes;
    if (signature) {
      this.signed++;
      this.signatures += signature.split(' ').length;
    }
    const scheduledAtMs = scheduledAt ? Date.parse(scheduledAt) : NaN;
    if (!idempotencyKey || !scheduleId || Number.isNaN(scheduledAtMs)) {
      this.malformed++;
      return;
    }
    const id = `${scheduleId}|${scheduledAtMs}`;
    const seen = this.occurrences.get(id);
    if (!seen) {
      this.occurrences.set(id, {
        scheduleId,
        scheduledAtMs,
        firstArrivalMs: arrivalMs,
        deliveries: 1,
        keys: [idempotencyKey],
      });
      return;
    }
    seen.deliveries++;
    if (!seen.keys.includes(idempotencyKey)) seen.keys.push(idempotencyKey);
  }

  count(): ReceiverCount {
    return {
      requests: this.requests,
      occurrences: this.occurrences.size,
      signed: this.signed,
      signatures: this.signatures,
      bodyBytes: this.bodyBytes,
      retries: this.retries,
    };
  }

  stats(): ReceiverStats {
    const occurrences: OccurrenceTuple[] = [];
    for (const o of this.occurrences.values()) {
      occurrences.push([
        o.scheduleId,
        o.scheduledAtMs,
        o.firstArrivalMs,
        o.deliveries,
        o.keys.length,
      ]);
    }
    return { requests: this.requests, malformed: this.malformed, occurrences };
  }

  reset(): void {
    this.occurrences = new Map();
    this.requests = 0;
    this.malformed = 0;
    this.signed = 0;
    this.signatures = 0;
    this.bodyBytes = 0;
    this.retries = 0;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function controlAnswer(url: string, receiver: Receiver): unknown {
  if (url === '/__stats') return receiver.stats();
  if (url === '/__count') return receiver.count();
  if (url === '/__reset') return { ok: true };
  return { status: 'ok' };
}

/** Pending connections the receiver's socket queues before the kernel drops handshakes. */
const LISTEN_BACKLOG = 4_096;

/** Control paths start with `/__`; every other path is a webhook delivery. */
export function startReceiverServer(
  port: number,
  receiver = new Receiver(),
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/__') || url.startsWith('/health')) {
      req.resume();
      if (url === '/__reset') receiver.reset();
      sendJson(res, controlAnswer(url, receiver));
      return;
    }
    receiver.record(
      header(req, 'idempotency-key'),
      header(req, 'x-scheduleman-schedule-id'),
      header(req, 'x-scheduleman-scheduled-at'),
      header(req, 'webhook-signature'),
      Number(header(req, 'content-length') ?? 0),
      header(req, 'x-scheduleman-attempt'),
    );
    // The body is not needed, but it must be read for the connection to be reused.
    req.resume();
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
  // Keep-alive connections of the schedulers outlive Node's 5 s default between bursts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // Three cold schedulers open up to 3 × WEBHOOK_MAX_SOCKETS connections at once: with
    // Node's default backlog (511) the accept queue overflowed (TcpExt ListenOverflows),
    // handshakes waited 1-3 s for a SYN retransmit, and calls timed out and were retried
    // although the receiver answered at once. The kernel caps it at net.core.somaxconn.
    server.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () =>
      resolve(server),
    );
  });
}
