// A share link carries the whole lab: opened in a fresh browser context it rebuilds the same
// cluster, names and addresses. A damaged link changes nothing and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lab, terminal, shots } from './harness.mjs';

const env = lab();

// `kubectl get all` without its AGE column, which follows the wall clock.
async function getAll(page) {
  const before = await page.locator('.terminal pre.out').count();
  await terminal(page, 'kubectl get all');
  await page.waitForFunction((n) => document.querySelectorAll('.terminal pre.out').length > n, before);
  const text = await page.locator('.terminal pre.out').last().textContent();
  return text.split('\n').map((l) => l.replace(/\s+\S+\s*$/, '')).join('\n');
}

test('a share link reproduces the same cluster in a fresh browser', async () => {
  const a = await env.browser.newContext();
  const page = await a.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  await page.getByRole('button', { name: /kubectl apply -f deploy-test01.yml/ }).click();
  await page.getByRole('tab', { name: 'service-test01.yml' }).click();
  await page.getByRole('button', { name: /kubectl apply -f service-test01.yml/ }).click();
  await terminal(page, 'sleep 30');
  const original = await getAll(page);
  assert.match(original, /deployment\.apps\/deploy-test01\s+3\/3/);
  await page.getByRole('button', { name: 'Share / Embed' }).click();
  const link = await page.locator('input.share-link').inputValue();
  assert.match(link, /#\/share\/1\.[A-Za-z0-9_-]+$/);
  assert.ok(link.length < 8000);
  await a.close();

  const b = await env.browser.newContext();
  const fresh = await b.newPage();
  await fresh.goto(link);
  await fresh.getByRole('textbox', { name: /YAML/ }).waitFor();
  assert.match(fresh.url(), /\?lang=en#\/shared$/);
  assert.equal(await getAll(fresh), original);
  await b.close();
});

test('a damaged share link changes nothing and says so', async () => {
  const c = await env.browser.newContext();
  const page = await c.newPage();
  await page.goto(`${env.base}?lang=en#/share/1.not-a-lab`);
  await page.getByRole('alert').filter({ hasText: 'damaged' }).waitFor();
  assert.match(await page.getByRole('textbox', { name: /YAML/ }).inputValue(), /kind: Deployment/);
  await c.close();
});

test('a lab too big for a link goes by file: download, then upload elsewhere', async () => {
  const a = await env.browser.newContext({ acceptDownloads: true });
  const page = await a.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  const editor = page.getByRole('textbox', { name: /YAML/ });
  await editor.waitFor();
  // A file with lots of distinct text does not compress into 8,000 characters.
  const big = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n' + Array.from({ length: 600 }, (_, i) => `  k${i}: "${(i * 7919).toString(36)}${(i * 104729).toString(16)}"\n`).join('');
  await page.getByRole('button', { name: /New file/ }).click();
  await editor.fill(big);
  await page.getByRole('button', { name: /kubectl apply -f manifest-3.yml/ }).click();
  await page.locator('.terminal pre.out', { hasText: 'configmap/notes created' }).waitFor();
  await page.getByRole('button', { name: 'Share / Embed' }).click();
  await page.getByText(/too big for a link/).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
  const file = path.join(shots, 'shared-lab.json');
  await download.saveAs(file);
  await a.close();

  const b = await env.browser.newContext();
  const fresh = await b.newPage();
  await fresh.goto(`${env.base}?lang=en#/playground`);
  await fresh.getByRole('button', { name: 'Share / Embed' }).click();
  await fresh.getByLabel('Upload a saved lab').setInputFiles(file);
  await fresh.locator('.terminal pre.out', { hasText: 'configmap/notes created' }).waitFor();
  await fresh.getByRole('tab', { name: 'manifest-3.yml' }).click();
  assert.equal(await fresh.getByRole('textbox', { name: /YAML/ }).inputValue(), big);
  await b.close();
});
