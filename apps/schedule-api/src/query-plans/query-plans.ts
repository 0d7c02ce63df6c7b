import { PLAN_DUE_SCHEDULES } from '@scheduleman/domain/persistence';
import { listSchedulesSql } from '../schedules/schedules.sql';

/**
 * The statements whose plans must stay index-driven however many schedules exist, with
 * realistic parameters. Shared by tools/explain-due.mjs (1M rows) and
 * query-plans.int-spec.ts (20k rows), so both check the production SQL text.
 */
export interface PlanCase {
  name: string;
  sql: string;
  params: unknown[];
  /** The index the plan must use. */
  index: string;
}

export interface PlanCaseInputs {
  /** "now" for the plan stage. */
  now: Date;
  /** A cursor position deep in the unfiltered list, and one deep in `owner`'s list. */
  deepCursor: { at: string; id: string };
  ownerDeepCursor: { at: string; id: string };
  owner: string;
  pageSize: number;
}

const LOOKAHEAD_MS = 1_500;
const CLAIM_BATCH_SIZE = 500;

export function planCases(inputs: PlanCaseInputs): PlanCase[] {
  const list = (filter: {
    owner?: string;
    status?: string;
    q?: string;
    cursor?: { at: string; id: string };
  }) => listSchedulesSql({ ...filter, limit: inputs.pageSize });
  const backlogNow = new Date(inputs.now.getTime() + 6 * 3_600_000);
  return [
    {
      name: 'plan stage: due schedules (steady state, look-ahead 1.5 s)',
      sql: PLAN_DUE_SCHEDULES,
      params: [inputs.now, LOOKAHEAD_MS, CLAIM_BATCH_SIZE],
      index: 'schedules_due_idx',
    },
    {
      name: 'plan stage: due schedules (6 h backlog, batch of 500)',
      sql: PLAN_DUE_SCHEDULES,
      params: [backlogNow, LOOKAHEAD_MS, CLAIM_BATCH_SIZE],
      index: 'schedules_due_idx',
    },
    { name: 'list: first page', ...list({}), index: 'schedules_list_idx' },
    {
      name: 'list: deep page by cursor',
      ...list({ cursor: inputs.deepCursor }),
      index: 'schedules_list_idx',
    },
    {
      name: 'list: owner, first page',
      ...list({ owner: inputs.owner }),
      index: 'schedules_owner_list_idx',
    },
    {
      name: 'list: owner, deep page',
      ...list({ owner: inputs.owner, cursor: inputs.ownerDeepCursor }),
      index: 'schedules_owner_list_idx',
    },
    {
      name: 'list: status=paused, first page',
      ...list({ status: 'paused' }),
      index: 'schedules_status_list_idx',
    },
    {
      name: 'list: status=paused, deep page',
      ...list({ status: 'paused', cursor: inputs.deepCursor }),
      index: 'schedules_status_list_idx',
    },
    {
      name: 'list: owner and status=active',
      ...list({ owner: inputs.owner, status: 'active' }),
      index: 'schedules_owner_list_idx',
    },
    {
      // ILIKE '%…%' cannot use a B-tree: it must stay a filter on the keyset walk.
      name: 'list: owner, q (name search), deep page',
      ...list({
        owner: inputs.owner,
        q: 'schedule 12',
        cursor: inputs.ownerDeepCursor,
      }),
      index: 'schedules_owner_list_idx',
    },
  ];
}
