export { type CliIO, type Command, UsageError } from './command.js';
export { commands, main, mainHelp } from './main.js';
