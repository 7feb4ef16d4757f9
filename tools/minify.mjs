// Shrinks the JavaScript that wasm-bindgen generates (trunk 0.21's own minifier breaks it) and
// keeps index.html's integrity hashes true for the rewritten file.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { minify } from 'terser';

const dist = process.argv[2] || 'dist';
const indexPath = path.join(dist, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');
const glue = fs.readdirSync(dist).filter((f) => /^svclab-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) {
  console.error(`tools/minify.mjs: expected one svclab-*.js in ${dist}, found ${glue.length}`);
  process.exit(1);
}
const file = path.join(dist, glue[0]);
const source = fs.readFileSync(file, 'utf8');
// Property names are the wasm imports' names: only local names are mangled.
const out = await minify(source, { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true });
fs.writeFileSync(file, out.code);
const sri = `sha384-${crypto.createHash('sha384').update(out.code).digest('base64')}`;
const link = new RegExp(`(href="\\./${glue[0].replace('.', '\\.')}"[^>]*integrity=")[^"]*(")`);
if (!link.test(html)) {
  console.error(`tools/minify.mjs: no integrity attribute for ${glue[0]} in index.html`);
  process.exit(1);
}
html = html.replace(link, `$1${sri}$2`);
fs.writeFileSync(indexPath, html);
console.log(`tools/minify.mjs: ${glue[0]} ${source.length} -> ${out.code.length} bytes`);
