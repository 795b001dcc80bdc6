#!/usr/bin/env node
// A committed entry point, so that npm links the `gatehouse` command at install time, before
// the first build has created dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('gatehouse: not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(entry.href);
