import { InitialSchema1732700000000 } from './1732700000000-initial-schema';
import { ApiKeys1733100000000 } from './1733100000000-api-keys';
import { OwnerQuotas1733300000000 } from './1733300000000-owner-quotas';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1732700000000,
  ApiKeys1733100000000,
  OwnerQuotas1733300000000,
];
