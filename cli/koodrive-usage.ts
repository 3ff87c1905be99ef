#!/usr/bin/env node
import { EXIT_CODES } from "./exit-codes";
import { run } from "./run";

// A failed write (a full disk, a closed pipe) ends the command with one line and exit 3, never a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  process.stderr.write(`koodrive-usage: cannot write the output (${error.code ?? error.message})\n`);
  process.exit(EXIT_CODES.usageUnreadable);
});

run(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
});
