import { bullmqPeer } from './bullmq.peer';
import { graphileWorkerPeer } from './graphile-worker.peer';
import { pgBossPeer } from './pg-boss.peer';
import type { PeerSystem } from './peer-system';

/** The peers of `--peers`, in the order they run after scheduleman. */
export const PEER_SYSTEMS: readonly PeerSystem[] = [
  graphileWorkerPeer,
  pgBossPeer,
  bullmqPeer,
];

export function peerSystem(name: string): PeerSystem {
  const system = PEER_SYSTEMS.find((s) => s.name === name);
  if (!system)
    throw new Error(
      `unknown peer '${name}'; known: ${PEER_SYSTEMS.map((s) => s.name).join(', ')}`,
    );
  return system;
}
