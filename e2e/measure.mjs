// Budgets of the browser issue, measured in headless Chromium on loopback (`make budgets`):
// first-load weight (gzip), time to a usable editor and topology, p95 frame time with 300 pods
// and 50+ packets in flight, and apply of the seed manifests plus re-render. Prints figures;
// asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, '..', 'dist');
const server = await serve(dist);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();

// The files the playground loads (lessons/ is fetched only by lesson pages).
let total = 0;
for (const f of fs.readdirSync(dist).filter((f) => fs.statSync(path.join(dist, f)).isFile())) {
  const gz = zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length;
  total += gz;
  console.log(`  ${f}: ${gz} bytes gzip`);
}
console.log(`first load, all files gzip: ${(total / 1024).toFixed(1)} KiB (budget 360 kB)`);

const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
const t0 = Date.now();
await page.goto(`${base}?lang=en#/playground`);
await page.getByRole('textbox', { name: /YAML/ }).waitFor();
await page.locator('svg[role="img"] g.node').first().waitFor();
const usable = Date.now() - t0;
const wire = await page.evaluate(() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((n, e) => n + e.encodedBodySize, 0));
console.log(`time to a usable editor and topology on loopback: ${usable} ms (gzip bytes on the wire: ${(wire / 1024).toFixed(1)} KiB)`);

// Apply of the seed manifests plus re-render: the main thread's work from the click until the
// DOM shows the result and its style and layout are computed (the frame's work), and, for
// comparison, the time until the next frame is painted, which adds the wait for the display's
// refresh (0-16.7 ms at 60 Hz, whatever the work). Measured once the page has settled (it warms
// its code paths just after start-up), over several applies of the seed's manifests.
await page.waitForTimeout(1000);
const applies = [];
for (const file of ['deploy-test01.yml', 'service-test01.yml', 'deploy-test01.yml', 'service-test01.yml', 'deploy-test01.yml']) {
  await page.getByRole('tab', { name: file }).click();
  await page.waitForTimeout(300);
  applies.push(await page.evaluate(async (file) => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent.includes(`kubectl apply -f ${file}`));
    const count = () => document.querySelectorAll('.terminal pre.cmd').length;
    const before = count();
    // A task that is not clamped like nested setTimeout(0) is.
    const tick = () => new Promise((r) => { const c = new MessageChannel(); c.port1.onmessage = r; c.port2.postMessage(0); });
    const t = performance.now();
    button.click();
    while (count() === before) await tick();
    document.body.getBoundingClientRect();
    const work = performance.now() - t;
    await new Promise((r) => requestAnimationFrame(() => r()));
    return { file, work, frame: performance.now() - t };
  }, file));
}
for (const a of applies) {
  console.log(`apply ${a.file} + re-render: ${a.work.toFixed(1)} ms of work until the DOM shows it laid out (budget 16 ms), ${a.frame.toFixed(1)} ms until the next frame`);
}

// 300 pods, then 60 packets in flight.
const big = [];
for (let i = 0; i < 3; i++) {
  big.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d${i}\nspec:\n  replicas: 100\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web, d: "${i}"}\n    spec:\n      containers: [{name: c, image: "nginx:1.27"}]\n`);
}
big.push('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80, nodePort: 31001}]\n');
await page.getByRole('button', { name: /New file/ }).click();
await page.getByRole('textbox', { name: /YAML/ }).fill(big.join('---\n'));
await page.getByRole('button', { name: /kubectl apply -f manifest-3.yml/ }).click();
const term = page.getByRole('textbox', { name: 'Terminal' });
await term.fill('sleep 30');
await term.press('Enter');
const pods = await page.locator('svg[role="img"] g.pod').count();
for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Send 20' }).click();
const frameTimes = (p) => p.evaluate(async () => {
  const times = [];
  let last = performance.now();
  await new Promise((resolve) => {
    const end = last + 3000;
    function f(ts) { times.push(ts - last); last = ts; if (ts < end) requestAnimationFrame(f); else resolve(); }
    requestAnimationFrame(f);
  });
  return times;
});
const frames = await frameTimes(page);
const inFlight = await page.locator('svg circle.packet').count();
const p95 = (times) => times.sort((a, b) => a - b)[Math.floor(times.length * 0.95)];
console.log(`topology with ${pods} pods, ${inFlight} packets drawn at the end: ${frames.length} frames in 3 s, p95 frame time ${p95(frames).toFixed(1)} ms (budget 16.7 ms)`);
// The same measure on an empty page: the floor this browser's frame clock gives (vsync jitter).
const idle = await browser.newPage();
await idle.setContent('<title>empty</title>');
const idleFrames = await frameTimes(idle);
console.log(`an empty page, for comparison: ${idleFrames.length} frames in 3 s, p95 frame time ${p95(idleFrames).toFixed(1)} ms`);
await idle.close();
await page.screenshot({ path: path.join(here, 'artifacts', 'stress.png') });
await browser.close();
server.close();
