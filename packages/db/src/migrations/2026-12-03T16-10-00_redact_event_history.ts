import { type Kysely, sql } from 'kysely';

// Event history used to keep each webhook payload as delivered, card holder names, card
// fingerprints and customer emails included, where BI can read them. It now keeps the envelope
// and only the fields of `data` that identify the object (the object itself lives, redacted, in
// its current-state table). This rewrites the rows written before, the same way.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE omise.events
    SET raw = (raw - 'data') || jsonb_build_object('data', jsonb_strip_nulls(jsonb_build_object(
      'object', raw->'data'->'object',
      'id', raw->'data'->'id',
      'livemode', raw->'data'->'livemode',
      'location', raw->'data'->'location',
      'status', raw->'data'->'status',
      'deleted', raw->'data'->'deleted',
      'charge', CASE jsonb_typeof(raw->'data'->'charge')
                  WHEN 'object' THEN raw->'data'->'charge'->'id'
                  ELSE raw->'data'->'charge'
                END
    )))
    WHERE jsonb_typeof(raw->'data') = 'object'`.execute(db);
}

export async function down(): Promise<void> {
  // What was removed is gone; nothing to restore.
}
