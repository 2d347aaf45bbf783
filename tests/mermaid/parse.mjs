// Parses Mermaid files with Mermaid's own parser (npm `mermaid`, in a DOM from `jsdom`), as a
// browser showing `hoso workflow show --format mermaid` would: one line per file, "ok FILE" or
// "FAIL FILE: error"; exit 1 if any failed. HOSO_MERMAID_DIR is the npm prefix holding both
// (`npm install --prefix DIR mermaid jsdom`).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const prefix = process.env.HOSO_MERMAID_DIR;
if (!prefix) {
  console.error('HOSO_MERMAID_DIR: the npm prefix where mermaid and jsdom are installed');
  process.exit(2);
}
const { JSDOM } = createRequire(join(prefix, 'package.json'))('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(
  pathToFileURL(join(prefix, 'node_modules/mermaid/dist/mermaid.core.mjs')).href
);
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(readFileSync(file, 'utf8'));
    console.log(`ok ${file}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${file}: ${String(e.message || e).split('\n').join(' ')}`);
  }
}
process.exit(failed ? 1 : 0);
