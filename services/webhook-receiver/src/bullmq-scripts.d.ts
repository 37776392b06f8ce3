/** BullMQ's compiled Lua scripts; see bullmq-bulk-add.ts for why one is used directly. */
declare module 'bullmq/dist/cjs/scripts/addStandardJob-9' {
  export const addStandardJob: { name: string; content: string; keys: number };
}
