#!/usr/bin/env node
import { runCli } from './run-cli';

/** The images' entry point and `npm run cli -- <command>`. */
void runCli(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
});
