import { InitialSchema1732700000000 } from './1732700000000-initial-schema';
import { ApiKeys1733100000000 } from './1733100000000-api-keys';
import { Connections1733600000000 } from './1733600000000-connections';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1732700000000,
  ApiKeys1733100000000,
  Connections1733600000000,
];
