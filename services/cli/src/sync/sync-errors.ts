/** Base class of the sync commands' own failures (the CLI prints the message, exits 1). */
export class SyncError extends Error {
  override readonly name: string = 'SyncError';
}

/** Another live run holds the lease (a second backfill or reconcile at the same time). */
export class SyncAlreadyRunningError extends SyncError {
  override readonly name = 'SyncAlreadyRunningError';
}

/** A checkpoint exists for a different window than the one asked for. */
export class CheckpointConflictError extends SyncError {
  override readonly name = 'CheckpointConflictError';
}

/** A stored checkpoint does not have the shape this version writes. */
export class CheckpointFormatError extends SyncError {
  override readonly name = 'CheckpointFormatError';
}
