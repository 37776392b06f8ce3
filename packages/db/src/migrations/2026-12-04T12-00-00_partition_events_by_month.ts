import { type Kysely, sql } from 'kysely';

// Event history that lasts (ADR 0006): `omise.events` becomes a table partitioned by month of
// `created_at` (UTC), so a retention period drops whole months (a catalog change) instead of
// deleting rows one by one, and no month's indexes grow without bound. The primary key of a
// partitioned table must contain the partition key: it becomes (id, created_at), and an
// event's `created_at` is Omise's and never changes. A default partition takes rows of a
// month that has no partition yet; maintenance moves them into their month's partition.
//
// Partition maintenance is DDL, which the runtime role may not run. The two functions below
// run with the rights of their owner (the role that runs migrations, which owns the table);
// the runtime role may call `maintain_event_partitions` and nothing else of them. Their
// search_path is fixed so a caller's objects can never stand in for the catalog's.
//
// The rows are copied once, into the partitions of their months; the table is locked while
// that happens (writers wait, they are not refused).

const MONTHS_AHEAD_AT_MIGRATION = 3;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE omise.events RENAME TO events_unpartitioned`.execute(db);
  for (const index of [
    'events_pkey',
    'events_created_at_idx',
    'events_resource_idx',
    'events_outcome_idx',
  ]) {
    await sql`ALTER INDEX ${sql.table(`omise.${index}`)} RENAME TO ${sql.id(`${index}_unpartitioned`)}`.execute(
      db,
    );
  }
  await sql`
    CREATE TABLE omise.events (
      LIKE omise.events_unpartitioned
      INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION
    ) PARTITION BY RANGE (created_at)`.execute(db);
  await sql`ALTER TABLE omise.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, created_at)`.execute(
    db,
  );
  await sql`CREATE INDEX events_created_at_idx ON omise.events (created_at)`.execute(db);
  await sql`CREATE INDEX events_resource_idx ON omise.events (resource_type, resource_id)`.execute(
    db,
  );
  await sql`CREATE INDEX events_outcome_idx ON omise.events (outcome) WHERE outcome <> 'projected'`.execute(
    db,
  );
  await sql`CREATE TABLE omise.events_default PARTITION OF omise.events DEFAULT`.execute(db);

  // Creates the partition of the month holding `month_start` unless it exists, moving that
  // month's rows out of the default partition first (a partition cannot be attached while the
  // default one holds rows of its range). CREATE + ATTACH rather than CREATE … PARTITION OF:
  // attaching takes a lock on omise.events that lets inserts and updates go on.
  await sql`
    CREATE FUNCTION omise.ensure_event_partition(month_start timestamptz) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET "TimeZone" = 'UTC'
    AS $fn$
    DECLARE
      lo   timestamptz := date_trunc('month', month_start);
      hi   timestamptz := date_trunc('month', month_start) + interval '1 month';
      name text        := 'events_' || to_char(date_trunc('month', month_start), 'YYYY_MM');
    BEGIN
      IF to_regclass('omise.' || name) IS NOT NULL THEN
        RETURN NULL;
      END IF;
      EXECUTE format(
        'CREATE TABLE omise.%I (LIKE omise.events INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
        'INCLUDING STORAGE INCLUDING COMPRESSION)', name);
      EXECUTE format(
        'WITH moved AS (DELETE FROM omise.events_default WHERE created_at >= %L AND created_at < %L '
        'RETURNING *) INSERT INTO omise.%I SELECT * FROM moved', lo, hi, name);
      EXECUTE format('ALTER TABLE omise.events ATTACH PARTITION omise.%I FOR VALUES FROM (%L) TO (%L)',
                     name, lo, hi);
      RETURN name;
    END
    $fn$`.execute(db);

  // One pass of maintenance at `at`: a partition for every month from at's month to
  // `months_ahead` months later and for every month found in the default partition; then,
  // when `retention_days` > 0, drops every monthly partition whose whole range ended
  // `retention_days` or more before `at`. Callers are serialised by a lock on the default
  // partition that does not block writers. A partition whose lock is not granted within
  // lock_timeout is reported `busy` and left for the next pass, so maintenance never holds
  // writers up behind a long BI query.
  await sql`
    CREATE FUNCTION omise.maintain_event_partitions(
      at timestamptz, months_ahead integer, retention_days integer
    ) RETURNS TABLE (partition_name text, action text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET "TimeZone" = 'UTC'
    SET lock_timeout = '5s'
    AS $fn$
    DECLARE
      month   timestamptz;
      created text;
      part    record;
      cutoff  timestamptz := at - make_interval(days => greatest(retention_days, 0));
    BEGIN
      IF months_ahead < 0 OR months_ahead > 24 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 24, not %', months_ahead;
      END IF;
      LOCK TABLE omise.events_default IN SHARE UPDATE EXCLUSIVE MODE;
      FOR month IN
        SELECT generate_series(date_trunc('month', at),
                               date_trunc('month', at) + make_interval(months => months_ahead),
                               interval '1 month')
        UNION
        SELECT DISTINCT date_trunc('month', created_at) FROM omise.events_default
        ORDER BY 1
      LOOP
        BEGIN
          created := omise.ensure_event_partition(month);
          IF created IS NOT NULL THEN
            partition_name := created; action := 'created'; RETURN NEXT;
          END IF;
        EXCEPTION WHEN lock_not_available THEN
          partition_name := 'events_' || to_char(month, 'YYYY_MM'); action := 'busy'; RETURN NEXT;
        END;
      END LOOP;
      IF retention_days > 0 THEN
        FOR part IN
          SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'omise.events'::regclass
             AND c.relname ~ '^events_[0-9]{4}_[0-9]{2}$'
             AND to_timestamp(substr(c.relname, 8), 'YYYY_MM') + interval '1 month' <= cutoff
           ORDER BY c.relname
        LOOP
          BEGIN
            EXECUTE format('ALTER TABLE omise.events DETACH PARTITION omise.%I', part.relname);
            EXECUTE format('DROP TABLE omise.%I', part.relname);
            partition_name := part.relname; action := 'dropped'; RETURN NEXT;
          EXCEPTION WHEN lock_not_available THEN
            partition_name := part.relname; action := 'busy'; RETURN NEXT;
          END;
        END LOOP;
      END IF;
    END
    $fn$`.execute(db);
  await sql`REVOKE ALL ON FUNCTION omise.ensure_event_partition(timestamptz) FROM PUBLIC`.execute(
    db,
  );
  await sql`
    REVOKE ALL ON FUNCTION omise.maintain_event_partitions(timestamptz, integer, integer)
      FROM PUBLIC`.execute(db);
  await sql`
    GRANT EXECUTE ON FUNCTION omise.maintain_event_partitions(timestamptz, integer, integer)
      TO omise_sync_runtime`.execute(db);

  await sql`
    SELECT omise.ensure_event_partition(month)
      FROM (SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                   AS month
              FROM omise.events_unpartitioned) months`.execute(db);
  await sql`SELECT * FROM omise.maintain_event_partitions(now(), ${sql.lit(MONTHS_AHEAD_AT_MIGRATION)}, 0)`.execute(
    db,
  );
  await sql`INSERT INTO omise.events SELECT * FROM omise.events_unpartitioned`.execute(db);
  await sql`DROP TABLE omise.events_unpartitioned`.execute(db);
  // Grants on the parent are what every reader and writer goes through; partitions made
  // later get the schema's default privileges as well.
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON omise.events TO omise_sync_runtime`.execute(db);
  await sql`GRANT SELECT ON omise.events TO omise_bi`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION omise.maintain_event_partitions(timestamptz, integer, integer)`.execute(
    db,
  );
  await sql`DROP FUNCTION omise.ensure_event_partition(timestamptz)`.execute(db);
  await sql`ALTER TABLE omise.events RENAME TO events_partitioned`.execute(db);
  for (const index of [
    'events_pkey',
    'events_created_at_idx',
    'events_resource_idx',
    'events_outcome_idx',
  ]) {
    await sql`ALTER INDEX ${sql.table(`omise.${index}`)} RENAME TO ${sql.id(`${index}_partitioned`)}`.execute(
      db,
    );
  }
  await sql`
    CREATE TABLE omise.events (
      LIKE omise.events_partitioned
      INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION
    )`.execute(db);
  await sql`
    INSERT INTO omise.events
    SELECT DISTINCT ON (id) * FROM omise.events_partitioned ORDER BY id, created_at DESC`.execute(
    db,
  );
  await sql`DROP TABLE omise.events_partitioned`.execute(db);
  await sql`ALTER TABLE omise.events ADD CONSTRAINT events_pkey PRIMARY KEY (id)`.execute(db);
  await sql`CREATE INDEX events_created_at_idx ON omise.events (created_at)`.execute(db);
  await sql`CREATE INDEX events_resource_idx ON omise.events (resource_type, resource_id)`.execute(
    db,
  );
  await sql`CREATE INDEX events_outcome_idx ON omise.events (outcome) WHERE outcome <> 'projected'`.execute(
    db,
  );
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON omise.events TO omise_sync_runtime`.execute(db);
  await sql`GRANT SELECT ON omise.events TO omise_bi`.execute(db);
}
