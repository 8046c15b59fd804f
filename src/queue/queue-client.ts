import type { Cluster, Redis } from "ioredis";

/** A connection to the queue's Redis: one server, or a Redis Cluster (every key of a queue is in one slot). */
export type QueueClient = Redis | Cluster;

/** The primaries of a cluster client, or the client itself: where a scan of the queue's keys must look. */
export function primariesOf(client: QueueClient): Redis[] {
  return "isCluster" in client && client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
}
