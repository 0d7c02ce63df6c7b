import type { Scope } from '@scheduleman/domain';
import { executionIdFor } from '@scheduleman/domain';
import { randomUUID } from 'node:crypto';

/** The scheduled time of the execution of the `execution` target. */
export const MATRIX_INSTANT = new Date('2030-01-01T00:00:00.000Z');
import { cronBody } from './api-harness';
import {
  type AuthFixture,
  type KeyName,
  OWNER_A,
  OWNER_B,
} from './auth-fixture';

/** A connection body with a name of its own (names are unique per owner). */
function connectionBody(): Record<string, unknown> {
  return {
    name: `matrix-${randomUUID()}`,
    type: 'amqp',
    url: 'amqp://guest:guest@127.0.0.1:5672/',
  };
}

/**
 * What `:id` in a route names. `create` makes a fresh row of OWNER_A (as admin) in the
 * state where the route would change it; `owned` rows belong to an owner, so another
 * owner's key must get the 404 of a missing id.
 */
interface Target {
  owned: boolean;
  create(fixture: AuthFixture): Promise<string>;
}

export const TARGETS = {
  schedule: {
    owned: true,
    create: (f) => f.createSchedule(OWNER_A),
  },
  /** Resume changes only a paused schedule. */
  pausedSchedule: {
    owned: true,
    async create(f) {
      const id = await f.createSchedule(OWNER_A);
      const paused = await f.call(
        'POST',
        `/schedules/${id}/pause`,
        undefined,
        'admin',
      );
      expect(paused.status).toBe(200);
      return id;
    },
  },
  /** A signing secret of OWNER_A (an admin names the owner). */
  signingSecret: {
    owned: true,
    async create(f) {
      const created = await f.call(
        'POST',
        '/signing-secrets',
        { owner: OWNER_A },
        'admin',
      );
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    },
  },
  /** A connection of OWNER_A (an admin names the owner). */
  connection: {
    owned: true,
    async create(f) {
      const created = await f.call(
        'POST',
        '/connections',
        { ...connectionBody(), owner: OWNER_A },
        'admin',
      );
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    },
  },
  /**
   * A schedule of OWNER_A with one delivered execution at MATRIX_INSTANT (its id is
   * executionIdFor(schedule id, MATRIX_INSTANT), which `:executionId` names).
   */
  execution: {
    owned: true,
    async create(f) {
      const id = await f.createSchedule(OWNER_A);
      await f.api.sql.query(
        `insert into executions (id, schedule_id, scheduled_at, due_at, status, attempts)
values ($1::uuid, $2::uuid, $3::timestamptz, $3::timestamptz, 'succeeded', 1)`,
        [executionIdFor(id, MATRIX_INSTANT), id, MATRIX_INSTANT],
      );
      return id;
    },
  },
  /** A calendar of OWNER_A (an admin names the owner). */
  calendar: {
    owned: true,
    async create(f) {
      const created = await f.call(
        'POST',
        '/calendars',
        { name: `matrix-${randomUUID()}`, exclusions: [], owner: OWNER_A },
        'admin',
      );
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    },
  },
  /** API keys are the admin's: no owner-bound key reaches them at all. */
  apiKey: {
    owned: false,
    create: async (f) => (await f.createKey(OWNER_A)).id,
  },
} satisfies Record<string, Target>;

/**
 * One route of schedule-api in the authentication matrix (auth-matrix.int-spec.ts).
 * Adding a route is one line here; the matrix fails while a route of the OpenAPI
 * document has no line.
 */
export interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** As in the OpenAPI document, with `:id` for `{id}`. */
  path: string;
  /** The scope the route declares (RequireScope). */
  scope: Scope;
  /** What `:id` names; absent when the path has none. */
  target?: keyof typeof TARGETS;
  /** A body the route would accept from OWNER_A's key (every call sends the same). */
  body?: () => unknown;
  /** The status of an allowed call. */
  ok: number;
  /** A POST that only computes (preview): like a GET, it must write nothing. */
  readOnly?: true;
}

/** GETs and read-only POSTs must leave the database as it was. */
export function writesNothing(route: RouteCase): boolean {
  return route.method === 'GET' || route.readOnly === true;
}

// One route per line, so that adding one is one line:
// prettier-ignore
export const ROUTES: RouteCase[] = [
  { method: 'POST', path: '/schedules', scope: 'schedules:write', body: () => cronBody({ owner: OWNER_A }), ok: 201 },
  { method: 'POST', path: '/schedules/batch', scope: 'schedules:write', body: () => ({ schedules: [cronBody({ owner: OWNER_A })] }), ok: 201 },
  { method: 'GET', path: '/schedules', scope: 'schedules:read', ok: 200 },
  { method: 'POST', path: '/schedules/preview', scope: 'schedules:read', body: () => ({ schedule: { type: 'cron', expression: '0 0 * * *' } }), ok: 200, readOnly: true },
  { method: 'GET', path: '/schedules/:id', scope: 'schedules:read', target: 'schedule', ok: 200 },
  { method: 'PATCH', path: '/schedules/:id', scope: 'schedules:write', target: 'schedule', body: () => ({ name: 'renamed' }), ok: 200 },
  { method: 'DELETE', path: '/schedules/:id', scope: 'schedules:write', target: 'schedule', ok: 204 },
  { method: 'GET', path: '/schedules/:id/upcoming', scope: 'schedules:read', target: 'schedule', ok: 200 },
  { method: 'POST', path: '/schedules/:id/pause', scope: 'schedules:write', target: 'schedule', ok: 200 },
  { method: 'POST', path: '/schedules/:id/resume', scope: 'schedules:write', target: 'pausedSchedule', ok: 200 },
  { method: 'POST', path: '/schedules/:id/trigger', scope: 'schedules:write', target: 'schedule', ok: 202 },
  { method: 'POST', path: '/schedules/:id/skip-next', scope: 'schedules:write', target: 'schedule', ok: 200 },
  { method: 'POST', path: '/calendars', scope: 'schedules:write', body: () => ({ name: `matrix-${randomUUID()}`, exclusions: [{ date: '2030-12-25' }] }), ok: 201 },
  { method: 'GET', path: '/calendars', scope: 'schedules:read', ok: 200 },
  { method: 'GET', path: '/calendars/:id', scope: 'schedules:read', target: 'calendar', ok: 200 },
  { method: 'DELETE', path: '/calendars/:id', scope: 'schedules:write', target: 'calendar', ok: 204 },
  { method: 'GET', path: '/schedules/:id/executions', scope: 'schedules:read', target: 'schedule', ok: 200 },
  { method: 'GET', path: '/schedules/:id/history', scope: 'schedules:read', target: 'schedule', ok: 200 },
  { method: 'GET', path: '/schedules/:id/executions/:executionId', scope: 'schedules:read', target: 'execution', ok: 200 },
  { method: 'GET', path: '/schedules/:id/executions/:executionId/attempts', scope: 'schedules:read', target: 'execution', ok: 200 },
  { method: 'POST', path: '/executions/:executionId/result', scope: 'schedules:write', target: 'execution', body: () => ({ status: 'succeeded' }), ok: 200 },
  { method: 'POST', path: '/api-keys', scope: 'admin', body: () => ({ owner: OWNER_B, scopes: ['schedules:read'] }), ok: 201 },
  { method: 'GET', path: '/api-keys', scope: 'admin', ok: 200 },
  { method: 'GET', path: '/api-keys/:id', scope: 'admin', target: 'apiKey', ok: 200 },
  { method: 'DELETE', path: '/api-keys/:id', scope: 'admin', target: 'apiKey', ok: 204 },
  { method: 'GET', path: '/audit-events', scope: 'admin', ok: 200 },
  { method: 'POST', path: '/connections', scope: 'connections:write', body: connectionBody, ok: 201 },
  { method: 'GET', path: '/connections', scope: 'connections:write', ok: 200 },
  { method: 'GET', path: '/connections/:id', scope: 'connections:write', target: 'connection', ok: 200 },
  { method: 'DELETE', path: '/connections/:id', scope: 'connections:write', target: 'connection', ok: 204 },
  { method: 'POST', path: '/signing-secrets', scope: 'schedules:write', body: () => ({}), ok: 201 },
  { method: 'GET', path: '/signing-secrets', scope: 'schedules:read', ok: 200 },
  { method: 'GET', path: '/signing-secrets/:id', scope: 'schedules:read', target: 'signingSecret', ok: 200 },
  { method: 'DELETE', path: '/signing-secrets/:id', scope: 'schedules:write', target: 'signingSecret', ok: 204 },
];

/** Routes that answer without a key, whatever Authorization says. */
export const OPEN_ROUTES = [
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/docs',
  '/docs-json',
  // The web UI's page and its client-side routes (src/http/ui-static.ts).
  '/ui/',
  '/ui/schedules/some-id',
];

/** OWNER_A's key that holds exactly the scope (the one an allowed call uses). */
export const KEY_WITH: Record<Scope, KeyName> = {
  'schedules:read': 'readerA',
  'schedules:write': 'writerA',
  'connections:write': 'connectionsA',
  admin: 'adminScoped',
};

/** OWNER_B's key with the scope: it passes the scope check and must still see a 404. */
export const OTHER_OWNER_KEY_WITH: Partial<Record<Scope, KeyName>> = {
  'schedules:read': 'readerB',
  'schedules:write': 'writerB',
  'connections:write': 'connectionsB',
};

/**
 * OWNER_A's keys that lack the scope, written out rather than computed with the
 * domain's `grants`, so that a wrong inclusion there fails here.
 */
export const KEYS_LACKING: Record<Scope, KeyName[]> = {
  'schedules:read': ['connectionsA'],
  'schedules:write': ['readerA', 'connectionsA'],
  'connections:write': ['readerA', 'writerA'],
  admin: ['readerA', 'writerA', 'connectionsA'],
};
