// A share link carries the whole lab: opened in a fresh browser context it rebuilds the same
// cluster, names and addresses. A damaged link changes nothing and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lab, terminal } from './harness.mjs';

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
  assert.match(fresh.url(), /\?lang=en#\/playground$/);
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
