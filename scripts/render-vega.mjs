#!/usr/bin/env node
// Renders a Vega-Lite spec to SVG without a browser: compile to Vega, run a headless View, write view.toSVG().
// Usage: node scripts/render-vega.mjs --vega-dir tools/vega --out FIGURE.svg [SPEC.json]   (spec on stdin if no file)
// --vega-dir is the folder whose node_modules holds vega and vega-lite (scripts/setup.sh installs them in tools/vega).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function fail(message) {
  process.stderr.write(`render-vega: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let vegaDir = null, out = null, specPath = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--vega-dir') vegaDir = args[++i];
  else if (args[i] === '--out') out = args[++i];
  else if (args[i].startsWith('--')) fail(`unknown option ${args[i]}; use --vega-dir DIR --out FILE.svg [SPEC.json]`);
  else specPath = args[i];
}
if (!vegaDir || !out) fail('missing --vega-dir DIR or --out FILE.svg');

// Resolve the packages from vegaDir's node_modules, not from this script's folder.
const requireFrom = createRequire(join(resolve(vegaDir), 'package.json'));
async function load(name) {
  let entry;
  try { entry = requireFrom.resolve(name); } catch { fail(`${name} is not installed under ${vegaDir}/node_modules; run scripts/setup.sh`); }
  return import(pathToFileURL(entry).href);
}
const vega = await load('vega');
const vegaLite = await load('vega-lite');

let spec;
try {
  spec = JSON.parse(readFileSync(specPath ?? 0, 'utf8'));
} catch (e) {
  fail(`cannot read the spec ${specPath ?? '(stdin)'}: ${e.message}`);
}

try {
  // Vega-Lite's warnings (e.g. a dropped encoding) go to stderr; they do not fail the render.
  const compiled = vegaLite.compile(spec, { logger: { warn: m => process.stderr.write(`vega-lite warning: ${m}\n`), info() {}, debug() {}, level() { return this; }, error: m => { throw new Error(m); } } });
  const view = new vega.View(vega.parse(compiled.spec), { renderer: 'none', logLevel: vega.Warn });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(out, svg);
} catch (e) {
  fail(e.message);
}
