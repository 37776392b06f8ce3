import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import { z } from 'zod';

/**
 * The script BullMQ itself runs for `queue.add` of a plain job (includes already inlined). It
 * is not part of BullMQ's typed API, so it is loaded by path and checked here; the bulk-add
 * test proves on every run that jobs written through it are the jobs `queue.add` writes, so a
 * BullMQ upgrade that changes its layout fails CI instead of production.
 */
const addStandardJob = z
  .object({ addStandardJob: z.object({ content: z.string().min(1), keys: z.literal(9) }) })
  .parse(createRequire(__filename)('bullmq/dist/cjs/scripts/addStandardJob-9')).addStandardJob;

/** BullMQ's encoder for script arguments (classes/scripts.js), so Lua decodes what it expects. */
const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });

/**
 * Wraps BullMQ's `addStandardJob` script in a Lua function (its `KEYS` and `ARGV` become
 * parameters) and calls it once per job, each preceded by an EXISTS on the job key so that a
 * redelivery can be told apart (the script answers the job id either way). One Redis call
 * adds a whole batch, and Redis runs it atomically.
 *
 * KEYS: the nine queue keys `addStandardJob` takes. ARGV[1]: the job key prefix; then four
 * per job: job id, msgpacked arguments, JSON data, msgpacked options.
 * Returns: per job, `EXISTS` before the add (0/1) and the script's answer (job id, or a
 * negative error code).
 */
const BULK_ADD_LUA = `local function addStandardJob(KEYS, ARGV)
${addStandardJob.content}
end
local results = {}
for i = 2, #ARGV, 4 do
  results[#results + 1] = redis.call("EXISTS", ARGV[1] .. ARGV[i])
  results[#results + 1] = addStandardJob(KEYS, {ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]})
end
return results
`;
const BULK_ADD_SHA = createHash('sha1').update(BULK_ADD_LUA).digest('hex');

/** One job to add: its id and its payload (stored as JSON, as BullMQ stores `data`). */
export interface BulkJob<T> {
  jobId: string;
  data: T;
  /**
   * `data` as JSON already, when the caller has it (it must parse back to `data`); saves
   * serialising it again. @defaultValue JSON.stringify(data)
   */
  json?: string | undefined;
}

/** What Redis did with one job. */
export type BulkAddResult = { ok: true; existed: boolean } | { ok: false; reason: string };

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Adds jobs with fixed options to a BullMQ queue, many per Redis call. BullMQ's own
 * `addBulk` sends one script call per job in a MULTI, and the client-side work per command
 * (a Job and a Scripts object, argument and reply handling, a promise per command) costs
 * several times what Redis spends on the job; here the per-job work is two msgpack
 * encodings and one JSON.stringify.
 *
 * Only plain jobs are supported: no delay, priority, parent, repeat or deduplication (the
 * options are checked once, at construction).
 */
export class BulkJobAdder<T> {
  private readonly keys: string[];
  private readonly jobKeyPrefix: string;
  private readonly encodedOptions: Record<string, unknown>;

  constructor(
    private readonly queue: Queue<T>,
    private readonly jobName: string,
    options: JobsOptions,
  ) {
    const unsupported = (
      ['delay', 'priority', 'parent', 'repeat', 'deduplication', 'debounce', 'lifo'] as const
    ).filter((name) => options[name] !== undefined);
    if (unsupported.length > 0) {
      throw new TypeError(`BulkJobAdder adds plain jobs only; unsupported: ${unsupported.join()}`);
    }
    // The keys Scripts.addStandardJobArgs passes, in its order.
    const keyTypes = ['wait', 'paused', 'meta', 'id', 'completed', 'delayed', 'active', 'events'];
    this.keys = [...keyTypes, 'marker'].map((type) => queue.toKey(type));
    this.jobKeyPrefix = queue.toKey('');
    // The constructor normalises the options (attempts default, backoff) as `queue.add` does.
    const template = new Job(queue, jobName, {}, options);
    this.encodedOptions = { ...Job.optsAsJSON(template.opts) };
  }

  /**
   * Adds every job in one Redis call and reports, in order, what happened to each. Rejects
   * only when the call itself failed (then none, some or all jobs may be stored).
   */
  async add(client: Redis, jobs: readonly BulkJob<T>[]): Promise<BulkAddResult[]> {
    if (jobs.length === 0) return [];
    const timestamp = Date.now();
    const argv: (string | Buffer)[] = [this.jobKeyPrefix];
    for (const { jobId, data, json } of jobs) {
      argv.push(
        jobId,
        // Scripts.addJob's argument list: prefix, id, name, timestamp, parentKey, parent
        // dependencies key, parent, repeat job key, deduplication key.
        packer.pack([
          this.jobKeyPrefix,
          jobId,
          this.jobName,
          timestamp,
          null,
          null,
          undefined,
          undefined,
          null,
        ]),
        json ?? JSON.stringify(data),
        packer.pack({ ...this.encodedOptions, jobId }),
      );
    }
    const reply = await this.run(client, argv);
    return jobs.map((_job, index) => {
      const existed = reply[2 * index];
      const added = reply[2 * index + 1];
      if (existed !== 0 && existed !== 1) return { ok: false, reason: 'no EXISTS reply' };
      if (typeof added === 'number' && added < 0) {
        return { ok: false, reason: `BullMQ add failed with code ${added}` };
      }
      if (added === undefined || added === null) return { ok: false, reason: 'no add reply' };
      return { ok: true, existed: existed === 1 };
    });
  }

  private async run(client: Redis, argv: (string | Buffer)[]): Promise<unknown[]> {
    const numberOfKeys = this.keys.length;
    let reply: unknown;
    try {
      reply = await client.evalsha(BULK_ADD_SHA, numberOfKeys, ...this.keys, ...argv);
    } catch (error) {
      // First use on this server (or after SCRIPT FLUSH): send the script itself, which
      // also caches it for the next EVALSHA.
      if (!isNoScriptError(error)) throw error;
      reply = await client.eval(BULK_ADD_LUA, numberOfKeys, ...this.keys, ...argv);
    }
    if (!Array.isArray(reply) || reply.length !== (argv.length - 1) / 2) {
      throw new TypeError('unexpected reply from the bulk-add script');
    }
    return reply as unknown[];
  }
}
