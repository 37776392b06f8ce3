import {
  type AccountName,
  type Logger,
  type RedisConfig,
  type RedisConnection,
  createRedisConnection,
  eventQueueName,
  jobCatalog,
} from '@omise-sync/core';
import { Queue } from 'bullmq';
import { type OmiseEventQueue } from './event-enqueuer';

export interface ProducerConnectionOptions {
  /** Where Redis is (one server, Sentinel or Cluster). */
  redis: RedisConfig;
  /** Milliseconds before a command in flight is failed (so a hung Redis yields a 503). */
  commandTimeoutMs: number;
  logger: Logger;
}

/**
 * The receiver's Redis connection. It never buffers: while disconnected, commands fail at
 * once (`enableOfflineQueue: false`) and a command that gets no answer fails after
 * `commandTimeoutMs`, so a delivery is answered 503 instead of hanging until Omise gives up.
 * It keeps reconnecting in the background; connection trouble is logged once per outage.
 */
export function createProducerConnection(options: ProducerConnectionOptions): RedisConnection {
  const connection = createRedisConnection(options.redis, {
    connectionName: 'omise-sync:webhook-receiver',
    enableOfflineQueue: false,
    commandTimeoutMs: options.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryDelayMs: (attempt) => Math.min(attempt * 200, 2_000),
    // disconnect() between reconnect attempts arms a timer to destroy the already-dead socket;
    // ioredis' 2 s default would hold a shutting-down process open for that long.
    disconnectTimeoutMs: 200,
    // Concurrent deliveries' adds leave in one write per event-loop turn instead of one each.
    enableAutoPipelining: true,
  });
  let down = false;
  connection.on('error', (error: Error) => {
    if (down) return;
    down = true;
    options.logger.error(
      { err: error },
      'Redis unreachable; deliveries are answered 503 until it is back',
    );
  });
  connection.on('ready', () => {
    if (!down) return;
    down = false;
    options.logger.info('Redis connection restored');
  });
  return connection;
}

/** An account's BullMQ queue for `jobCatalog.omiseEvent` on the given connection. */
export function createEventQueue(
  connection: RedisConnection,
  prefix: string,
  account: AccountName,
): OmiseEventQueue {
  const queue: OmiseEventQueue = new Queue(eventQueueName(account), {
    connection,
    prefix,
    defaultJobOptions: jobCatalog.omiseEvent.options,
  });
  // The connection's own listener logs outages; without a listener here an 'error' emitted
  // by the queue would be thrown as an unhandled EventEmitter error.
  queue.on('error', () => undefined);
  return queue;
}

/**
 * Closes the queues and their shared connection, whatever state the connection is in. When Redis was
 * never reached, BullMQ is still waiting for a first connection, and ending the socket makes
 * that wait fail; BullMQ reports the failure on listeners that `queue.close()` removes, so
 * the socket is ended (and the failure reported) before the queue is closed.
 */
export async function closeEventQueues(
  queues: readonly OmiseEventQueue[],
  connection: RedisConnection,
): Promise<void> {
  const closeAll = () => Promise.all(queues.map((queue) => queue.close()));
  if (connection.status === 'ready') {
    await closeAll();
    await connection.quit();
    return;
  }
  connection.disconnect();
  // Between reconnect attempts there is no socket: ioredis emits no 'end' and nothing is pending.
  if (connection.status !== 'reconnecting' && connection.status !== 'end') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      connection.once('end', () => {
        clearTimeout(timer);
        // Let BullMQ's rejection handlers run before its listeners are removed.
        setImmediate(resolve);
      });
    });
  }
  await closeAll();
}
