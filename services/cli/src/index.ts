export { commands, USAGE, type Command } from './commands';
export { formatTable } from './text-table';
