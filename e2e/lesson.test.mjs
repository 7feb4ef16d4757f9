// A learner walks the ClusterIP lesson in real Chromium: a wrong attempt first (its goals stay
// open), then the right commands; hints and the solution on request; progress on the index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { lab, terminal, shots } from './harness.mjs';

const env = lab();

test('the ClusterIP lesson, from a wrong attempt to the end', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/lesson/clusterip`);
  const pane = page.getByRole('complementary', { name: 'Lesson' });
  await pane.getByRole('heading', { name: 'ClusterIP: a stable address inside the cluster' }).waitFor();
  const current = pane.locator('li.step.current');
  assert.match(await current.textContent(), /Apply the Deployment and the Service/);

  // Wrong attempt: only the Deployment. The endpoints goal stays open.
  await terminal(page, 'kubectl apply -f deploy-test01.yml');
  await terminal(page, 'sleep 30');
  await page.locator('.terminal pre.cmd', { hasText: 'sleep 30' }).waitFor();
  assert.match(await current.locator('.goals').textContent(), /○ Service web-service has 3 ready endpoints/);
  assert.equal(await pane.locator('li.step.done').count(), 0);

  await terminal(page, 'kubectl apply -f service-test01.yml');
  await terminal(page, 'sleep 5');
  await pane.locator('li.step.done').first().waitFor();
  assert.match(await pane.locator('li.step.current').textContent(), /A ClusterIP is reachable only from inside the cluster/);

  // Hint, then another wrong attempt: a node cannot resolve Service names.
  await pane.getByRole('button', { name: 'Hint' }).click();
  assert.match(await pane.locator('.hint').textContent(), /kubectl exec -it nginx01/);
  await terminal(page, 'curl -sS web-service');
  await page.locator('.terminal pre.out', { hasText: 'Could not resolve host: web-service' }).waitFor();
  assert.equal(await pane.locator('li.step.done').count(), 1);

  await terminal(page, 'kubectl apply -f nginx-test01.yml');
  await terminal(page, 'sleep 15');
  await terminal(page, 'kubectl exec -it nginx01 -- /bin/bash');
  await terminal(page, 'curl -s web-service');
  await terminal(page, 'exit');
  await page.waitForFunction(() => document.querySelectorAll('li.step.done').length === 2);
  await page.screenshot({ path: path.join(shots, 'lesson-step3.png'), fullPage: true });

  // The last step through its solution.
  await pane.getByRole('button', { name: 'Solution' }).click();
  await pane.getByRole('button', { name: 'Run the solution' }).click();
  await pane.getByRole('status').filter({ hasText: 'Lesson complete.' }).waitFor();

  // The index, opened as a new document (a same-page hash change reloads the page, and the
  // lesson's own list items would match until it has).
  await page.goto('about:blank');
  await page.goto(`${env.base}?lang=en#/lessons`);
  const row = page.getByRole('listitem').filter({ hasText: 'ClusterIP' });
  await row.waitFor();
  assert.match(await row.textContent(), /3\/3 steps done/);
  await page.screenshot({ path: path.join(shots, 'lesson-index.png') });
  await context.close();
});

test('lesson pages and the index exist in Korean too', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=ko#/lessons`);
  await page.getByRole('link', { name: 'ClusterIP: 클러스터 안의 고정 주소' }).click();
  await page.getByRole('complementary', { name: '레슨' }).getByRole('heading', { name: 'ClusterIP: 클러스터 안의 고정 주소' }).waitFor();
  await context.close();
});

test('progress goes to another computer by file, keeps what is further along, and a damaged file changes nothing', async () => {
  const home = await env.browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const a = await home.newPage();
  await a.goto(`${env.base}?lang=en#/lesson/nodeport`);
  await a.locator('.lesson-pane .step').first().waitFor();
  for (const l of ['kubectl apply -f deploy-test01.yml', 'kubectl apply -f service-test01.yml', 'sleep 30']) {
    await terminal(a, l);
    await a.waitForTimeout(300);
  }
  await a.locator('.lesson-pane .step.done').first().waitFor();
  await a.waitForTimeout(800);
  await a.goto(`${env.base}?lang=en#/lessons`);
  const [download] = await Promise.all([a.waitForEvent('download'), a.getByRole('button', { name: 'Save to a file' }).click()]);
  const file = path.join(shots, 'svclab-progress.json');
  await download.saveAs(file);
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(saved.kind, 'svclab-progress');
  assert.ok(Number(saved.items['svclab:progress:nodeport']) >= 1, JSON.stringify(Object.keys(saved.items)));
  assert.ok(saved.items['svclab:lesson:nodeport'], 'the lesson lab travels');
  await home.close();

  // Another computer: nothing yet. A damaged file first: nothing changes, and it says so.
  const school = await env.browser.newContext({ viewport: { width: 1280, height: 720 } });
  const b = await school.newPage();
  await b.goto(`${env.base}?lang=en#/lessons`);
  const card = b.locator('.card', { hasText: 'NodePort' });
  await card.waitFor();
  const bad = path.join(shots, 'damaged-progress.json');
  fs.writeFileSync(bad, fs.readFileSync(file, 'utf8').slice(0, 40));
  await b.locator('.carry input[type=file]').setInputFiles(bad);
  await b.getByRole('status').filter({ hasText: 'nothing was changed' }).waitFor();
  assert.equal(await b.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('svclab:progress:')).length), 0);
  await b.locator('.carry input[type=file]').setInputFiles(file);
  await b.getByRole('status').filter({ hasText: 'Loaded: progress in 1 lesson(s)' }).waitFor();
  // The card shows the progress within a second (the index reads storage as it renders).
  await b.waitForFunction(() => [...document.querySelectorAll('.card')].some((c) => c.textContent.includes('NodePort') && !/\b0\/\d/.test(c.querySelector('.progress-text').textContent)));
  await b.screenshot({ path: path.join(shots, 'progress-loaded.png') });
  await school.close();
});
