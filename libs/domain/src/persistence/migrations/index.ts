import { InitialSchema1732700000000 } from './1732700000000-initial-schema';
import { ApiKeys1733100000000 } from './1733100000000-api-keys';
import { SigningSecrets1733200000000 } from './1733200000000-signing-secrets';
import { OwnerQuotas1733300000000 } from './1733300000000-owner-quotas';
import { Connections1733600000000 } from './1733600000000-connections';
import { AuditEvents1733700000000 } from './1733700000000-audit-events';
import { OccurrenceLedger1733800000000 } from './1733800000000-occurrence-ledger';
import { ResultsAndAttempts1733900000000 } from './1733900000000-results-and-attempts';
import { SchedulePolicies1734000000000 } from './1734000000000-schedule-policies';
import { DstPolicies1734100000000 } from './1734100000000-dst-policies';
import { ScheduleUpkeep1734200000000 } from './1734200000000-schedule-upkeep';
import { NamedLocks1734500000000 } from './1734500000000-named-locks';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1732700000000,
  ApiKeys1733100000000,
  SigningSecrets1733200000000,
  OwnerQuotas1733300000000,
  Connections1733600000000,
  AuditEvents1733700000000,
  OccurrenceLedger1733800000000,
  ResultsAndAttempts1733900000000,
  SchedulePolicies1734000000000,
  DstPolicies1734100000000,
  ScheduleUpkeep1734200000000,
  NamedLocks1734500000000,
];
