// A blog post on a sub-path embeds a lesson with one script tag; the iframe fits its content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lab, shots } from './harness.mjs';

const post = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>A post</title></head><body>
<h1>Kubernetes Services</h1><p>Try it here:</p>
<script src="/blog/assets/svclab/embed.js" data-lesson="clusterip" data-lang="en" data-height="300"></script>
<p>After the lab.</p></body></html>`;
const env = lab({ prefix: '/blog/assets/svclab/', pages: { '/blog/2025/12/08/services.html': post } });

test('a blog post under a sub-path embeds a lesson and the iframe fits its content', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const foreign = [];
  context.on('request', (r) => { if (!r.url().startsWith(env.origin)) foreign.push(r.url()); });
  await page.goto(`${env.origin}/blog/2025/12/08/services.html`);
  const frameEl = page.locator('iframe[title="svclab"]');
  await frameEl.waitFor();
  assert.match(await frameEl.getAttribute('src'), /\/blog\/assets\/svclab\/index\.html\?embed=1&lang=en#\/lesson\/clusterip$/);
  const frame = page.frameLocator('iframe[title="svclab"]');
  await frame.getByRole('heading', { name: 'ClusterIP: a stable address inside the cluster' }).waitFor();
  await frame.getByRole('link', { name: /open the full page/ }).waitFor();
  // The height the page reports replaces the 300 px the tag asked for, and stays put.
  await page.waitForFunction(() => {
    const f = document.querySelector('iframe');
    const h = parseInt(f.style.height, 10);
    return h > 600 && Math.abs(h - f.contentDocument.documentElement.scrollHeight) <= 2;
  }, null, { timeout: 15000 });
  const settled = await frameEl.evaluate((f) => f.style.height);
  await page.waitForTimeout(1500);
  assert.equal(await frameEl.evaluate((f) => f.style.height), settled, 'the height does not keep growing');
  await page.screenshot({ path: path.join(shots, 'embed.png'), fullPage: true });
  assert.deepEqual(foreign, []);
  await context.close();
});

test('the embedding page ignores height messages from anyone else', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.origin}/blog/2025/12/08/services.html`);
  const frameEl = page.locator('iframe[title="svclab"]');
  await page.frameLocator('iframe[title="svclab"]').getByRole('heading', { name: 'ClusterIP: a stable address inside the cluster' }).waitFor();
  await page.waitForFunction(() => parseInt(document.querySelector('iframe').style.height, 10) > 600);
  const before = await frameEl.evaluate((f) => f.style.height);
  await page.evaluate(() => window.postMessage({ type: 'svclab:height', height: 150 }, '*'));
  await page.waitForTimeout(300);
  assert.equal(await frameEl.evaluate((f) => f.style.height), before);
  await context.close();
});

test('the Share / Embed dialog gives a snippet that embeds the playground as it is', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.origin}/blog/assets/svclab/index.html?lang=en#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  await page.getByRole('button', { name: /kubectl apply -f deploy-test01.yml/ }).click();
  await page.getByRole('button', { name: 'Share / Embed' }).click();
  const snippet = await page.locator('input.embed-snippet').inputValue();
  assert.match(snippet, /^<script src="http:\/\/127\.0\.0\.1:\d+\/blog\/assets\/svclab\/embed\.js" data-share="1\.[A-Za-z0-9_-]+"><\/script>$/);
  // A page holding only that snippet shows the same lab, command included.
  const blog = await context.newPage();
  await blog.route(`${env.origin}/blog/snippet.html`, (r) => r.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><h1>Post</h1>${snippet}` }));
  await blog.goto(`${env.origin}/blog/snippet.html`);
  const frame = blog.frameLocator('iframe[title="svclab"]');
  await frame.locator('.terminal pre.cmd', { hasText: 'kubectl apply -f deploy-test01.yml' }).waitFor();
  await context.close();
});
