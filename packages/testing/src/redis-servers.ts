import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTcpProxy } from './tcp-proxy';

const run = promisify(execFile);
const HOST = '127.0.0.1';

/** A port nothing listens on right now (the OS picks it). */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args]);
  return stdout.trim();
}

async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check().catch(() => undefined);
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A `redis-server` child process on a free port; nothing is saved to disk. */
class RedisProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly args: readonly string[],
  ) {}

  async start(): Promise<void> {
    const child = spawn('redis-server', [...this.args], { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    await poll(`redis-server on port ${this.port}`, 10_000, async () =>
      (await redisCli(this.port, 'PING')) === 'PONG' ? true : undefined,
    );
  }

  /** SIGKILL: the server is gone at once, as on a crashed or lost machine. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}

function serverArgs(port: number, dir: string, extra: readonly string[] = []): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...extra,
  ];
}

/** A master, its replica and one sentinel, each a local process on a free port. */
export interface SentinelSet {
  /** The master group's name the sentinel monitors. */
  readonly name: string;
  /** The sentinel's address, for REDIS_SENTINELS. */
  readonly sentinel: { host: string; port: number };
  /** Port of the server the sentinel currently names master. */
  masterPort(): Promise<number>;
  /**
   * SIGKILLs the current master; resolves once the sentinel has promoted the replica. The old
   * master comes back (empty) as the new master's replica, so writes can be replicated again.
   * With `replicaLagMs`, the link between master and replica is held that long before the
   * master dies, so the replica misses the writes of that window, as a lagging replica does.
   */
  failover(options?: {
    replicaLagMs?: number;
  }): Promise<{ oldMasterPort: number; newMasterPort: number }>;
  /** Kills every process and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts a master, a replica and a sentinel (quorum 1, a master counts as down after
 * `downAfterMs`). Call `stop()` in `afterAll`.
 */
export async function startSentinelSet(
  options: { downAfterMs?: number } = {},
): Promise<SentinelSet> {
  const name = 'omise-sync-test';
  const dir = await mkdtemp(join(tmpdir(), 'omise-sync-sentinel-'));
  const [masterPort, replicaPort, sentinelPort] = await Promise.all([
    freeTcpPort(),
    freeTcpPort(),
    freeTcpPort(),
  ]);
  // The replica replicates through a proxy, so a test can hold the replication link.
  let link = await startTcpProxy(`redis://${HOST}:${masterPort}`);
  const linkPort = new URL(link.url).port;
  const servers = new Map<number, RedisProcess>([
    [masterPort, new RedisProcess(masterPort, serverArgs(masterPort, dir))],
    [
      replicaPort,
      new RedisProcess(replicaPort, serverArgs(replicaPort, dir, ['--replicaof', HOST, linkPort])),
    ],
  ]);
  const sentinelConf = join(dir, 'sentinel.conf');
  await writeFile(
    sentinelConf,
    [
      `port ${sentinelPort}`,
      `bind ${HOST}`,
      `dir ${dir}`,
      `sentinel monitor ${name} ${HOST} ${masterPort} 1`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1_000}`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const sentinel = new RedisProcess(sentinelPort, [sentinelConf, '--sentinel']);
  const stop = async () => {
    await Promise.all([...servers.values(), sentinel].map((server) => server.kill()));
    await link.close();
    await rm(dir, { recursive: true, force: true });
  };
  const masterPortNow = async () =>
    Number(
      (await redisCli(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)).split('\n')[1],
    );
  const replicaInSync = (port: number) =>
    poll(`the replica on ${port} to sync`, 15_000, async () =>
      /master_link_status:up/.test(await redisCli(port, 'INFO', 'replication')) ? true : undefined,
    );
  try {
    for (const server of servers.values()) await server.start();
    await replicaInSync(replicaPort);
    await sentinel.start();
    // The sentinel knows the replica only after its first INFO round with the master.
    await poll('the sentinel to see the replica', 15_000, async () =>
      (await redisCli(sentinelPort, 'SENTINEL', 'REPLICAS', name)).includes(String(replicaPort))
        ? true
        : undefined,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    sentinel: { host: HOST, port: sentinelPort },
    masterPort: masterPortNow,
    async failover({ replicaLagMs = 0 } = {}) {
      const oldMasterPort = await masterPortNow();
      if (replicaLagMs > 0) {
        link.hold();
        await new Promise((resolve) => setTimeout(resolve, replicaLagMs));
      }
      await servers.get(oldMasterPort)?.kill();
      // What the link held dies with the master's connections.
      link.cut();
      const newMasterPort = await poll('the sentinel to promote the replica', 30_000, async () => {
        const port = await masterPortNow();
        return port !== oldMasterPort ? port : undefined;
      });
      await link.close();
      link = await startTcpProxy(`redis://${HOST}:${newMasterPort}`);
      // Restarted as the new master's replica at once, so it never serves as an empty master.
      const restarted = new RedisProcess(
        oldMasterPort,
        serverArgs(oldMasterPort, dir, ['--replicaof', HOST, new URL(link.url).port]),
      );
      servers.set(oldMasterPort, restarted);
      await restarted.start();
      await replicaInSync(oldMasterPort);
      return { oldMasterPort, newMasterPort };
    },
    stop,
  };
}

/** A Redis Cluster of local masters without replicas. */
export interface RedisClusterProcesses {
  /** The nodes' addresses, for REDIS_CLUSTER_NODES. */
  readonly nodes: readonly { host: string; port: number }[];
  /** Kills every node and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts `masters` (default 3) `redis-server --cluster-enabled yes` processes on free ports,
 * joins them with `redis-cli --cluster create` and waits until the cluster is ok. Call
 * `stop()` in `afterAll`.
 */
export async function startRedisCluster(
  options: { masters?: number } = {},
): Promise<RedisClusterProcesses> {
  const dir = await mkdtemp(join(tmpdir(), 'omise-sync-cluster-'));
  const ports = await Promise.all(
    Array.from({ length: options.masters ?? 3 }, () => freeTcpPort()),
  );
  const servers = ports.map(
    (port) =>
      new RedisProcess(
        port,
        serverArgs(port, dir, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ]),
      ),
  );
  const stop = async () => {
    await Promise.all(servers.map((server) => server.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((server) => server.start()));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((port) => `${HOST}:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await poll('the cluster to be ok', 30_000, async () => {
      const states = await Promise.all(ports.map((port) => redisCli(port, 'CLUSTER', 'INFO')));
      return states.every((info) => info.includes('cluster_state:ok')) ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: ports.map((port) => ({ host: HOST, port })), stop };
}
