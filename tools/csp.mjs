// Makes dist/ run under a strict Content-Security-Policy: trunk's inline loader script moves
// into a content-hashed file, and the page gets a policy that allows only its own files
// ('wasm-unsafe-eval' is what instantiating the WebAssembly module needs).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

const dist = process.argv[2] || 'dist';
const indexPath = path.join(dist, 'index.html');
let html = fs.readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const m = html.match(inline);
if (m) {
  const body = m[1].trim() + '\n';
  const name = `boot-${crypto.createHash('sha256').update(body).digest('hex').slice(0, 16)}.js`;
  fs.writeFileSync(path.join(dist, name), body);
  html = html.replace(inline, `<script type="module" src="./${name}"></script>`);
}
if (/<script(?![^>]*\bsrc=)[^>]*>/.test(html)) {
  console.error('tools/csp.mjs: an inline script is left in index.html');
  process.exit(1);
}
const policy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'";
if (!html.includes('Content-Security-Policy')) {
  html = html.replace('<head>', `<head>\n  <meta http-equiv="Content-Security-Policy" content="${policy}">`);
}
fs.writeFileSync(indexPath, html);
console.log(`tools/csp.mjs: ${indexPath} runs under: ${policy}`);
