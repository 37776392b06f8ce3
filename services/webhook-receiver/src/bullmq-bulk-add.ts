import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Job, type JobsOptions, type Queue } from 'bullmq';
import { type Redis } from 'ioredis';
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

/**
 * Wraps BullMQ's `addStandardJob` script in a Lua function (its `KEYS` and `ARGV` become
 * parameters) and calls it once per job, each preceded by an EXISTS on the job key so that a
 * redelivery can be told apart (the script answers the job id either way). One Redis call
 * adds a whole batch, and Redis runs it atomically.
 *
 * The script's two msgpacked arguments are built here, in Lua, with the same `cmsgpack` the
 * script decodes them with: what differs between the jobs of a batch is only the job id (in
 * both) and the data, so only those two strings per job cross the wire. Encoding them in
 * Node instead (BullMQ's way) put two msgpack encodings and a Buffer argument (which makes
 * ioredis copy the whole command into one Buffer) on every delivery.
 *
 * KEYS: the nine queue keys `addStandardJob` takes. ARGV: the job key prefix, the job name,
 * the timestamp in milliseconds, the job options as JSON (without the job id); then two per
 * job: job id, JSON data.
 * Returns: per job, `EXISTS` before the add (0/1) and the script's answer (job id, or a
 * negative error code).
 */
const BULK_ADD_LUA = `local function addStandardJob(KEYS, ARGV)
${addStandardJob.content}
end
local prefix, name, timestamp = ARGV[1], ARGV[2], tonumber(ARGV[3])
local options = cjson.decode(ARGV[4])
local results = {}
for i = 5, #ARGV, 2 do
  local jobId = ARGV[i]
  options["jobId"] = jobId
  results[#results + 1] = redis.call("EXISTS", prefix .. jobId)
  -- Scripts.addJob's argument list: prefix, id, name, timestamp, then the parent key, parent
  -- dependencies key, parent, repeat job key and deduplication key, all nil here.
  local args = cmsgpack.pack({prefix, jobId, name, timestamp})
  results[#results + 1] = addStandardJob(KEYS, {args, ARGV[i + 1], cmsgpack.pack(options)})
end
return results
`;
const BULK_ADD_SHA = createHash('sha1').update(BULK_ADD_LUA).digest('hex');

/**
 * One job to add: its id and its payload as the JSON BullMQ stores in `data`. Only the text is
 * held while the batch waits for Redis, not the object it was made from.
 */
export interface BulkJob {
  jobId: string;
  json: string;
}

/** What Redis did with one job. */
export type BulkAddResult = { ok: true; existed: boolean } | { ok: false; reason: string };

/**
 * The job options as JSON for the script's `cjson.decode`, giving Lua the table BullMQ's own
 * msgpack encoding gives it: msgpack's nil (how BullMQ encodes null and undefined) leaves a
 * key absent in Lua, so null members are left out here instead of becoming cjson's null
 * sentinel. An array with an empty element has no such equivalent and is refused.
 */
function luaOptionsJson(options: object): string {
  return JSON.stringify(options, (_key, value: unknown) => {
    if (Array.isArray(value) && value.some((item) => item === null || item === undefined)) {
      throw new TypeError('BulkJobAdder: job options may not hold arrays with empty elements');
    }
    return value === null ? undefined : value;
  });
}

function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Adds jobs with fixed options to a BullMQ queue, many per Redis call. BullMQ's own
 * `addBulk` sends one script call per job in a MULTI, and the client-side work per command
 * (a Job and a Scripts object, argument and reply handling, a promise per command) costs
 * several times what Redis spends on the job; here the per-job work is two string arguments
 * (see BULK_ADD_LUA).
 *
 * Only plain jobs are supported: no delay, priority, parent, repeat or deduplication (the
 * options are checked once, at construction).
 */
export class BulkJobAdder<T> {
  private readonly keys: string[];
  private readonly jobKeyPrefix: string;
  private readonly optionsJson: string;

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
    this.optionsJson = luaOptionsJson(Job.optsAsJSON(template.opts));
  }

  /**
   * Adds every job in one Redis call and reports, in order, what happened to each. Rejects
   * only when the call itself failed (then none, some or all jobs may be stored).
   */
  async add(client: Redis, jobs: readonly BulkJob[]): Promise<BulkAddResult[]> {
    if (jobs.length === 0) return [];
    const argv: string[] = [this.jobKeyPrefix, this.jobName, String(Date.now()), this.optionsJson];
    for (const { jobId, json } of jobs) argv.push(jobId, json);
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

  private async run(client: Redis, argv: string[]): Promise<unknown[]> {
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
    if (!Array.isArray(reply) || reply.length !== argv.length - 4) {
      throw new TypeError('unexpected reply from the bulk-add script');
    }
    return reply as unknown[];
  }
}
