// A learner's path through the playground, in real Chromium: apply the seed's NodePort
// manifests, curl from the PC, watch the hops announced, break a manifest, reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lab, terminal, shots } from './harness.mjs';

const env = lab();

test('apply the NodePort manifests, curl from the PC, see the hops', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // Every request the page makes goes to its own origin: nothing from a CDN, no tracking.
  const foreign = [];
  context.on('request', (r) => { if (!r.url().startsWith(env.base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  // The page runs under its Content-Security-Policy without tripping it.
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text()); });
  await page.goto(`${env.base}?lang=en#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  assert.match(await editor.inputValue(), /kind: Deployment/);
  await page.getByRole('button', { name: /kubectl apply -f deploy-test01.yml/ }).click();
  await page.getByRole('tab', { name: 'service-test01.yml' }).click();
  await page.getByRole('button', { name: /kubectl apply -f service-test01.yml/ }).click();
  await terminal(page, 'sleep 30');
  await terminal(page, 'kubectl get pods');
  await page.locator('.terminal pre.out', { hasText: 'Running' }).last().waitFor();
  const pods = await page.locator('svg[role="img"] g[aria-label^="pod deploy-test01"]').count();
  assert.equal(pods, 3, 'three pods drawn');
  assert.equal(await page.locator('svg[role="img"] g[aria-label^="service web-service-nodeport"]').count(), 1);
  await terminal(page, 'host curl http://127.0.0.1:31051');
  await page.locator('.terminal pre.out', { hasText: 'Welcome to nginx!' }).waitFor();
  const live = page.locator('[aria-live="polite"]');
  await page.waitForFunction(() => /DNAT/.test(document.querySelector('[aria-live="polite"]').textContent), null, { timeout: 15000 });
  const said = await live.textContent();
  assert.match(said, /NAT network: PORT-FORWARD .*?: 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:31051 => 10\.0\.2\.1:\d+ -> 10\.0\.2\.5:31001/);
  assert.match(said, /kube-proxy on myserver02: DNAT .*?: 10\.0\.2\.1:\d+ -> 10\.0\.2\.5:31001 => 10\.0\.2\.1:\d+ -> 192\.168\.\d+\.\d+:80/);
  await page.screenshot({ path: path.join(shots, 'playground-curl.png'), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, [], 'requests to other hosts');
  assert.deepEqual(violations, [], 'CSP violations');
  assert.match(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content'), /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline scripts');
  await context.close();
});

test('a broken manifest shows its error at its line, and a reload keeps the files', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  await page.getByRole('tab', { name: 'service-test01.yml' }).click();
  const broken = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n    - port: 80\n      nodePort: 80\n';
  await editor.fill(broken);
  await page.getByRole('button', { name: /kubectl apply -f service-test01.yml/ }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /line 9 .*provided port is not in the valid range/);
  assert.equal(await page.locator('.gutter .err').textContent(), '9\n');
  await page.screenshot({ path: path.join(shots, 'playground-error.png'), fullPage: true });
  await page.waitForTimeout(700);
  await page.reload();
  await editor.waitFor();
  await page.getByRole('tab', { name: 'service-test01.yml' }).click();
  assert.equal(await editor.inputValue(), broken);
  await page.locator('.terminal pre.cmd', { hasText: 'kubectl apply -f service-test01.yml' }).waitFor();
  await context.close();
});

test('names holding markup are shown as text, never run', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  let dialogs = 0;
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  await page.goto(`${env.base}?lang=en#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  await page.getByRole('button', { name: /New file|새 파일/ }).click();
  await editor.fill('apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    a: "<img src=x onerror=alert(1)>"\nspec:\n  containers: [{name: c, image: nginx}]\n');
  await page.getByRole('button', { name: /kubectl apply -f manifest-3.yml/ }).click();
  await page.locator('.terminal pre.out').last().waitFor();
  assert.equal(dialogs, 0);
  assert.equal(await page.locator('img').count(), 0);
  await context.close();
});

test('a 5 MB paste gets the API server\'s answer without freezing the page', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  await page.getByRole('button', { name: /New file/ }).click();
  const big = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n' + Array.from({ length: 50000 }, (_, i) => `  key${i}: "${'x'.repeat(100)}"\n`).join('');
  // A paste is one input event with the whole text.
  await editor.evaluate((ta, text) => { ta.value = text; ta.dispatchEvent(new Event('input', { bubbles: true })); }, big);
  await page.getByRole('status').filter({ hasText: 'larger than 2 MB' }).waitFor({ timeout: 10000 });
  const started = Date.now();
  await page.getByRole('button', { name: /kubectl apply -f manifest-3.yml/ }).click();
  await page.locator('.terminal pre.out', { hasText: 'Request entity too large: limit is 3145728' }).waitFor({ timeout: 10000 });
  // The page still answers: a command typed after the paste runs.
  const input = page.getByRole('textbox', { name: 'Terminal' });
  await input.fill('kubectl get cm');
  await input.press('Enter');
  await page.locator('.terminal pre.out', { hasText: 'No resources found' }).waitFor({ timeout: 10000 });
  console.log(`# 5 MB paste: applied and answered in ${Date.now() - started} ms`);
  await context.close();
});

test('without WebAssembly the page says so in both languages', async () => {
  const context = await env.browser.newContext();
  await context.addInitScript(() => { delete window.WebAssembly; });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /svclab could not start/);
  assert.match(text, /svclab을 시작하지 못했습니다/);
  await context.close();
});

test('an internal error shows the crash notice in the page\'s language, and a reload brings the files back', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=ko#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  await page.getByRole('button', { name: /새 파일/ }).click();
  await editor.fill('# kept across the crash\n');
  await page.waitForTimeout(700);
  // A panic in the release build is a WebAssembly trap: the module throws a RuntimeError out
  // of whatever callback was running. Throw one the same way.
  await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }, 0));
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /svclab 내부에서 문제가 생겼습니다/);
  await page.screenshot({ path: path.join(shots, 'playground-crash.png') });
  await page.getByRole('button', { name: '다시 불러오기' }).click();
  await page.waitForEvent('load');
  await editor.waitFor();
  await page.getByRole('tab', { name: 'manifest-3.yml' }).click();
  assert.equal(await editor.inputValue(), '# kept across the crash\n');
  await context.close();
});

test('the terminal keeps its newest line in view as output grows', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  for (let i = 0; i < 6; i++) await terminal(page, 'kubectl describe svc kube-dns -n kube-system');
  await terminal(page, 'echo last-line');
  await page.locator('.terminal pre.out', { hasText: 'last-line' }).waitFor();
  const box = await page.evaluate(() => {
    const screen = document.querySelector('.terminal .screen');
    const outs = screen.querySelectorAll('pre.out');
    const last = outs[outs.length - 1].getBoundingClientRect();
    const s = screen.getBoundingClientRect();
    return { overflows: screen.scrollHeight > screen.clientHeight, top: s.top, bottom: s.bottom, lastTop: last.top, lastBottom: last.bottom };
  });
  assert.ok(box.overflows, 'the scrollback is taller than the screen');
  assert.ok(box.lastBottom <= box.bottom + 1 && box.lastTop >= box.top, `newest output in view: ${JSON.stringify(box)}`);
  await context.close();
});
