/*
 * Only database-server.ts still imports freePort from here; it moves to the test kit's
 * PostgreSQL server in the same issue. Delete this file then.
 */
export { freePort } from '@scheduleman/testkit';
