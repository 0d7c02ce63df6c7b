import { workspaceRoot } from '@scheduleman/testkit';

/*
 * The e2e harness now lives in @scheduleman/testkit. These re-exports remain only for
 * embedded-postgres.ts and the imports of database-restart.e2e-spec.ts, which move to
 * the test kit's PostgreSQL server in the same issue; delete this file then.
 */
export {
  Cluster,
  freePort,
  sleep,
  trackChild,
  waitFor,
} from '@scheduleman/testkit';
export const WORKSPACE_ROOT = workspaceRoot();
