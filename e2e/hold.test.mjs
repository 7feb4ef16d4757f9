// Commands that hold the terminal, in real Chromium: `kubectl get -w` streams as the lab's
// clock runs until Ctrl-C (or the Stop button, for a screen without a Ctrl key), and
// `kubectl edit` opens the live object in the editor, reopens it with kubectl's failures, and
// applies a good save.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lab, terminal, shots } from './harness.mjs';

const env = lab();

/// The last command's output in the terminal.
const lastOut = (page) => page.locator('.terminal .entry').last().locator('pre.out');

/// Whether a box lies inside the viewport and its text is at least 12 px; the page scrolls
/// what is needed into view after it draws, so it gets up to three seconds.
async function seen(page, locator) {
  const vp = page.viewportSize();
  for (let i = 0; i < 30; i++) {
    const box = await locator.boundingBox();
    const size = await locator.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
    if (box && box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height && size >= 12) return true;
    await page.waitForTimeout(100);
  }
  return false;
}

test('kubectl get -w streams until Ctrl-C, with a Stop button on a phone', async () => {
  for (const [viewport, stopBy] of [[{ width: 1280, height: 720 }, 'key'], [{ width: 390, height: 844 }, 'button']]) {
    const context = await env.browser.newContext({ viewport });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${env.base}?lang=en#/playground`);
    const input = page.getByRole('textbox', { name: 'Terminal' });
    await input.waitFor();
    await terminal(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await terminal(page, 'kubectl get pods -w');
    // Held: the input says what runs and takes no command; Stop is in view and legible.
    assert.equal(await input.evaluate((e) => e.readOnly), true);
    assert.match(await input.getAttribute('placeholder'), /watching.*Ctrl-C/);
    const stop = page.getByRole('button', { name: 'Stop (Ctrl-C)' });
    await stop.waitFor();
    await page.waitForTimeout(300);
    assert.ok(await seen(page, stop), 'the Stop button is in view and legible');
    await expectRows(page, /ContainerCreating/);
    // The page's clock runs: the pods' new rows arrive under the table without a command.
    await expectRows(page, /\s1\/1\s+Running\s/, 20000);
    if (stopBy === 'key') {
      await page.screenshot({ path: path.join(shots, 'watch-en.png') });
      await input.press('Control+c');
    } else {
      await stop.click();
    }
    await expectRows(page, /\^C\n?$/);
    const stopped = await lastOut(page).textContent();
    await page.waitForTimeout(2500);
    assert.equal(await lastOut(page).textContent(), stopped, 'nothing more arrives after Ctrl-C');
    assert.equal(await input.evaluate((e) => e.readOnly), false);
    assert.equal(await stop.count(), 0);
    await terminal(page, 'echo $?');
    await page.locator('.terminal pre.out', { hasText: /^130\s*$/ }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  }
});

/// Waits until the last command's output matches.
async function expectRows(page, re, timeout = 10000) {
  await page.waitForFunction((src) => {
    const outs = document.querySelectorAll('.terminal .entry pre.out');
    return new RegExp(src).test(outs[outs.length - 1]?.textContent ?? '');
  }, re.source, { timeout });
}

test('kubectl edit opens the object in the editor, reopens it with the failures, applies a good save', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${env.base}?lang=ko#/playground`);
  const input = page.getByRole('textbox', { name: '터미널' });
  await input.waitFor();
  await terminal(page, 'kubectl create deployment web --image=nginx', '터미널');
  await terminal(page, 'kubectl expose deployment web --port=80 --type=NodePort', '터미널');
  await terminal(page, 'kubectl edit svc web', '터미널');
  const tab = page.getByRole('tab', { name: /^\/tmp\/kubectl-edit-\d+\.yaml$/ });
  await tab.waitFor();
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  const editor = page.getByRole('textbox', { name: /YAML/ });
  const opened = await editor.inputValue();
  assert.match(opened, /^# Please edit the object below\./);
  assert.match(opened, /name: web\n/);
  // A nodePort outside the range: kubectl says so in the terminal and reopens the file.
  await editor.fill(opened.replace(/nodePort: \d+/, 'nodePort: 80'));
  await page.getByRole('button', { name: '저장하고 닫기: kubectl edit' }).click();
  await page.locator('.terminal pre.out', { hasText: 'error: services "web" is invalid' }).waitFor();
  const reopened = await editor.inputValue();
  assert.match(reopened, /# services "web" was not valid:\n# \* spec\.ports\[0\]\.nodePort: Invalid value: 80: provided port is not in the valid range/);
  assert.match(reopened, /nodePort: 80\n/, "the learner's text is kept below the failures");
  await page.screenshot({ path: path.join(shots, 'edit-ko.png') });
  await editor.fill(reopened.replace('nodePort: 80', 'nodePort: 31080'));
  await page.getByRole('button', { name: '저장하고 닫기: kubectl edit' }).click();
  await page.locator('.terminal pre.out', { hasText: 'service/web edited' }).waitFor();
  assert.equal(await tab.count(), 0, 'kubectl removes its file after a good save');
  assert.equal(await input.evaluate((e) => e.readOnly), false);
  await terminal(page, 'kubectl get svc web', '터미널');
  await page.locator('.terminal pre.out', { hasText: /80:31080\/TCP/ }).waitFor();
  // Closed without saving: no change, and the terminal is free again.
  await terminal(page, 'kubectl edit svc web', '터미널');
  await page.getByRole('button', { name: '저장하지 않고 닫기' }).click();
  await page.locator('.terminal pre.out', { hasText: 'Edit cancelled, no changes made.' }).waitFor();
  // A reload replays the same: the file and the terminal come back as they were.
  await page.waitForTimeout(800);
  await page.reload();
  await page.locator('.terminal pre.out', { hasText: 'service/web edited' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: /kubectl-edit/ }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the lesson\'s current step sits over the terminal and ticks as its goals are met', async () => {
  const context = await env.browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=ko#/lesson/nodeport`);
  const input = page.getByRole('textbox', { name: '터미널' });
  await input.waitFor();
  const bar = page.locator('.terminal .step-bar');
  // A learner types once the page has its fonts: text set in a late font moves what is below it.
  await page.evaluate(() => document.fonts.ready);
  await terminal(page, 'kubectl apply -f deploy-test01.yml -f service-test01.yml', '터미널');
  await page.waitForTimeout(300);
  // The step and the input line are on one screen, the step's text legible.
  assert.ok(await seen(page, bar), 'the step bar is in view and legible');
  assert.ok(await seen(page, input), `the terminal input is in view: ${JSON.stringify([await input.boundingBox(), await page.evaluate(() => [scrollY, document.querySelector('.terminal').getBoundingClientRect().toJSON()])])}`);
  assert.match(await bar.textContent(), /^단계 1\/3/);
  assert.equal(await bar.locator('.ok').count(), 1, 'the nodePort goal is met, the endpoints not yet');
  await terminal(page, 'sleep 30', '터미널');
  await page.waitForFunction(() => /^단계 2\/3/.test(document.querySelector('.terminal .step-bar')?.textContent ?? ''));
  // The step's toast does not cover the line the learner types on.
  const toast = await page.locator('.toast').boundingBox();
  const line = await input.boundingBox();
  assert.ok(toast && (toast.y + toast.height <= line.y || toast.y >= line.y + line.height), 'the toast clears the input');
  await page.screenshot({ path: path.join(shots, 'step-bar-ko.png') });
  // Where the lesson pane is beside the terminal, the bar is not shown twice.
  await page.setViewportSize({ width: 1280, height: 720 });
  assert.equal(await bar.isVisible(), false);
  // Starting the lesson over loses its files' edits and step marks: it takes a second press.
  const pane = page.getByRole('complementary', { name: '레슨' });
  const reset = page.getByRole('button', { name: '실습 환경 초기화' });
  await reset.click();
  await page.getByRole('button', { name: '한 번 더 누르면 처음부터' }).first().waitFor();
  assert.equal(await pane.locator('li.step.done').count(), 1, 'one press changes nothing');
  await page.getByRole('button', { name: '한 번 더 누르면 처음부터' }).first().click();
  await page.waitForFunction(() => document.querySelectorAll('li.step.done').length === 0);
  await context.close();
});
