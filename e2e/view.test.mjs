// What a learner sees, measured in real Chromium: one screen on a laptop (the current step, the
// drawing and the terminal's input all in view during a NodePort request), labels that never
// overlap or leave the picture at ten moments of a request and of "Send 20", 12 px text and up,
// no sideways scrolling on a phone, a compact embed, and a Korean hop table in Korean.
// Screenshots of each case are saved in e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { lab, terminal, shots } from './harness.mjs';

const env = lab();

/// Every SVG text of the drawing: its box on screen, its size, and the drawing's box.
async function svgText(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg[role="img"]');
    const frame = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map((t) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent, x: r.x, y: r.y, w: r.width, h: r.height, size: parseFloat(getComputedStyle(t).fontSize) };
    });
    return { frame: { x: frame.x, y: frame.y, w: frame.width, h: frame.height }, texts };
  });
}

/// The problems a person would see: text under 12 px, text outside the drawing, overlapping text.
function problems({ frame, texts }) {
  const out = [];
  for (const t of texts) {
    if (t.size < 12) out.push(`${t.text}: ${t.size}px`);
    if (t.x < frame.x - 0.5 || t.y < frame.y - 0.5 || t.x + t.w > frame.x + frame.w + 0.5 || t.y + t.h > frame.y + frame.h + 0.5) {
      out.push(`${t.text}: outside the drawing`);
    }
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i], b = texts[j];
      // Glyph boxes of neighbouring lines may touch; a real overlap is more than 2 px each way.
      if (a.x + 2 < b.x + b.w && b.x + 2 < a.x + a.w && a.y + 2 < b.y + b.h && b.y + 2 < a.y + a.h) {
        out.push(`"${a.text}" overlaps "${b.text}"`);
      }
    }
  }
  return out;
}

/// The Service's fan-out lines that run through the text of a pod's tile (screen pixels).
async function fanCrossings(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg[role="img"]');
    const tiles = [...svg.querySelectorAll('g.pod rect')].map((r) => r.getBoundingClientRect());
    const texts = [...svg.querySelectorAll('text')].map((t) => ({ text: t.textContent, b: t.getBoundingClientRect() }))
      .filter(({ b }) => tiles.some((r) => b.x >= r.x - 1 && b.right <= r.right + 1 && b.y >= r.y - 1 && b.bottom <= r.bottom + 1));
    const out = [];
    for (const l of document.querySelectorAll('.topology line.fan')) {
      const m = l.getScreenCTM();
      const at = (x, y) => new DOMPoint(parseFloat(l.getAttribute(x)), parseFloat(l.getAttribute(y))).matrixTransform(m);
      const [a, b] = [at('x1', 'y1'), at('x2', 'y2')];
      for (const { text, b: r } of texts) {
        for (let k = 0; k <= 80; k++) {
          const x = a.x + ((b.x - a.x) * k) / 80, y = a.y + ((b.y - a.y) * k) / 80;
          if (x > r.x + 1 && x < r.right - 1 && y > r.y + 1 && y < r.bottom - 1) { out.push(text); break; }
        }
      }
    }
    return out;
  });
}

function inView(box, vp) {
  return box && box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height + 0.5 && box.x + box.width <= vp.width + 0.5;
}

async function applySeed(page, name = 'Terminal') {
  await page.getByRole('button', { name: /kubectl apply -f deploy-test01.yml/ }).click();
  await page.getByRole('tab', { name: 'service-test01.yml' }).click();
  await page.getByRole('button', { name: /kubectl apply -f service-test01.yml/ }).click();
  await terminal(page, 'sleep 30', name);
}

for (const vp of [{ width: 1280, height: 720 }, { width: 1440, height: 900 }]) {
  test(`${vp.width}x${vp.height}: a lesson's step, the drawing and the terminal on one screen, legible at ten moments`, async () => {
    const context = await env.browser.newContext({ viewport: vp });
    const page = await context.newPage();
    await page.goto(`${env.base}?lang=en#/lesson/nodeport`);
    const pane = page.getByRole('complementary', { name: 'Lesson' });
    await pane.locator('li.step.current').waitFor();
    await terminal(page, 'kubectl apply -f deploy-test01.yml -f service-test01.yml');
    await terminal(page, 'sleep 30');
    await pane.locator('li.step.done').first().waitFor();
    await terminal(page, 'host curl -s http://127.0.0.1:31051');
    const seen = [];
    let fans = 0;
    for (let i = 0; i < 10; i++) {
      await page.waitForTimeout(700);
      const boxes = {
        step: await pane.locator('li.step.current').boundingBox(),
        drawing: await page.locator('svg[role="img"]').boundingBox(),
        input: await page.getByRole('textbox', { name: 'Terminal' }).boundingBox(),
        header: await page.locator('.packet-header').boundingBox(),
      };
      for (const [what, box] of Object.entries(boxes)) assert.ok(inView(box, vp), `moment ${i}: the ${what} is not in view: ${JSON.stringify(box)}`);
      const p = problems(await svgText(page));
      assert.deepEqual(p, [], `moment ${i}`);
      assert.deepEqual(await fanCrossings(page), [], `moment ${i}: fan-out lines through pod text`);
      fans += await page.locator('.topology line.fan').count();
      seen.push(await page.locator('.packet-header .where strong').textContent());
      if (i === 3) await page.screenshot({ path: path.join(shots, `view-lesson-${vp.width}x${vp.height}-mid.png`) });
    }
    // The packet went through kube-proxy, and the header said so while it was there.
    assert.ok(seen.some((s) => /kube-proxy on myserver0[23]/.test(s)), seen.join(' | '));
    assert.ok(fans > 0, 'the fan-out was drawn at some moment');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll');
    await context.close();
  });
}

test('Send 20: no overlapping labels while 20 packets fly, then a tally per pod', async () => {
  const vp = { width: 1280, height: 720 };
  const context = await env.browser.newContext({ viewport: vp });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  await applySeed(page);
  await page.getByRole('button', { name: 'Send 20' }).click();
  for (let i = 0; i < 10; i++) {
    await page.waitForTimeout(300);
    assert.deepEqual(problems(await svgText(page)), [], `moment ${i}`);
    if (i === 2) await page.screenshot({ path: path.join(shots, 'view-send20-mid.png') });
  }
  const tally = page.getByLabel('Who answered');
  await tally.waitFor();
  const who = await tally.locator('li .who').allTextContents();
  const counts = await tally.locator('li .n').allTextContents();
  const total = counts.map((c) => Number(c.split('/')[0])).reduce((a, b) => a + b, 0);
  assert.equal(total, 20, counts.join(' | '));
  assert.equal(who.length, 3, `three pods answered: ${who.join(' | ')}`);
  // Each row names its pod by the part that tells them apart, the whole name on hover.
  assert.ok(who.every((r) => /^pod deploy-test01-…-[a-z0-9]{5}$/.test(r)), who.join(' | '));
  assert.equal(new Set(who).size, 3, who.join(' | '));
  const titles = await tally.locator('li .who').evaluateAll((els) => els.map((e) => e.title));
  assert.ok(titles.every((t) => /^pod deploy-test01-[a-z0-9]+-[a-z0-9]{5}$/.test(t)), titles.join(' | '));
  await context.close();
});

test('a phone: nothing scrolls sideways, nodes stack, text stays 12 px', async () => {
  const vp = { width: 390, height: 844 };
  const context = await env.browser.newContext({ viewport: vp, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=ko#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  await applySeed(page, '터미널');
  await terminal(page, 'host curl -s http://127.0.0.1:31051', '터미널');
  await page.waitForTimeout(1500);
  assert.deepEqual(problems(await svgText(page)), []);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `page is ${widths[0]} px wide in a ${widths[1]} px window`);
  // Stacked: each node below the one before.
  const nodes = await page.locator('svg[role="img"] g.node > rect.node-box').evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().y));
  assert.equal(nodes.length, 3);
  assert.ok(nodes[0] < nodes[1] && nodes[1] < nodes[2], `nodes at ${nodes}`);
  await page.screenshot({ path: path.join(shots, 'view-phone-ko.png'), fullPage: true });
  await context.close();
});

test('the Korean page tells every hop in Korean', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=ko#/playground`);
  await page.getByRole('textbox', { name: /YAML/ }).waitFor();
  await applySeed(page, '터미널');
  await terminal(page, 'host curl -s http://127.0.0.1:31051', '터미널');
  await page.waitForTimeout(2500);
  await page.screenshot({ path: path.join(shots, 'view-ko-dark-mid.png') });
  const cells = await page.locator('.hops td.what').allTextContents();
  assert.ok(cells.length >= 8, `hop rows: ${cells.length}`);
  for (const c of cells) {
    // Korean in every explanation; English words only as technical names.
    assert.match(c, /[가-힣]/, c);
    assert.doesNotMatch(c, /\b(chose|endpoint|random|masquerade traffic|the|of|for|and)\b/, c);
  }
  // The terminal's trace says the same in Korean, in kubectl-like columns.
  await terminal(page, 'trace host curl -s -o /dev/null http://127.0.0.1:31061', '터미널');
  const trace = await page.locator('.terminal .entry').last().locator('pre.out').textContent();
  const notes = [...trace.matchAll(/ {2}\[([^\]]*)\]$/gm)].map((m) => m[1]);
  assert.ok(notes.length >= 6, trace);
  for (const n of notes) assert.match(n, /[가-힣]/, n);
  assert.match(trace, /=> {2}HTTP\/1\.1 200 OK, 615바이트, 같은 길로 돌아옵니다/);
  assert.doesNotMatch(trace, /\b(chose|endpoint|random|masquerade traffic|connection accepted|back along)\b/);
  await context.close();
});

test('the embed is one compact page of at most 700 px', async () => {
  const context = await env.browser.newContext({ viewport: { width: 720, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?embed=1&lang=en#/lesson/clusterip`);
  await page.getByRole('tab', { name: 'Lab' }).click();
  await page.locator('svg[role="img"]').waitFor();
  await terminal(page, 'sleep 1');
  const h = await page.evaluate(() => document.querySelector('.app').getBoundingClientRect().height);
  assert.ok(h <= 700, `the embed is ${h} px tall`);
  assert.ok(inView(await page.getByRole('textbox', { name: 'Terminal' }).boundingBox(), { width: 720, height: 700 }));
  assert.deepEqual(problems(await svgText(page)), []);
  await page.screenshot({ path: path.join(shots, 'view-embed.png') });
  await context.close();
});

test('the balancing lesson, walked to its tally: Send 20 from the PC reaches all three pods', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${env.base}?lang=en#/lesson/balancing`);
  const pane = page.getByRole('complementary', { name: 'Lesson' });
  await pane.locator('li.step.current').waitFor();
  await terminal(page, 'kubectl apply -f hello.yml -f client.yml');
  await terminal(page, 'sleep 30');
  await pane.locator('li.step.done').first().waitFor();
  for (let i = 0; i < 3; i++) await terminal(page, 'kubectl exec client -- wget -qO- hello');
  await page.getByRole('button', { name: 'Send 20' }).click();
  const tally = page.getByLabel('Who answered');
  await tally.waitFor();
  const who = await tally.locator('li .who').allTextContents();
  const counts = (await tally.locator('li .n').allTextContents()).map((c) => Number(c.split('/')[0]));
  assert.equal(counts.reduce((a, b) => a + b, 0), 20);
  assert.equal(who.length, 3, who.join(' | '));
  assert.ok(who.every((w) => /^pod hello-/.test(w)), who.join(' | '));
  // The step that asked for it is done.
  await page.waitForFunction(() => document.querySelectorAll('li.step.done').length >= 2, null, { timeout: 10000 });
  await page.screenshot({ path: path.join(shots, 'view-balancing-tally.png') });
  await context.close();
});

test('a first visit gets a four-card tour that outlines what it speaks of, covers none of it, and stays dismissed', async () => {
  for (const [vp, lang, name] of [[{ width: 1280, height: 720 }, 'en', 'A first look at the lab'], [{ width: 1440, height: 900 }, 'ko', '실습 화면 둘러보기']]) {
    const context = await env.browser.newContext({ viewport: vp, firstVisit: true });
    const page = await context.newPage();
    await page.goto(`${env.base}?lang=${lang}#/playground`);
    const card = page.getByRole('dialog', { name });
    await card.waitFor();
    const titles = [];
    for (let step = 1; step <= 4; step++) {
      const seen = await page.evaluate(() => {
        const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, r: r.right, b: r.bottom }; };
        const card = document.querySelector('.tour');
        const lit = [...document.querySelectorAll('.app *')].filter((e) => getComputedStyle(e).outlineStyle === 'solid' && !card.contains(e) && e.tagName !== 'INPUT');
        const texts = [...card.querySelectorAll('h2, p, button')].map((e) => parseFloat(getComputedStyle(e).fontSize));
        return { card: box(card), lit: lit.map(box), title: card.querySelector('h2').textContent, min: Math.min(...texts), w: innerWidth, h: innerHeight };
      });
      titles.push(seen.title);
      assert.equal(seen.lit.length, 1, `step ${step}: one part of the page outlined, not ${seen.lit.length}`);
      const [c, l] = [seen.card, seen.lit[0]];
      assert.ok(c.x >= 0 && c.y >= 0 && c.r <= seen.w && c.b <= seen.h, `step ${step}: the card is in the window`);
      assert.ok(c.r <= l.x || l.r <= c.x || c.b <= l.y || l.b <= c.y, `step ${step}: the card covers what it points at`);
      assert.ok(seen.min >= 12, `step ${step}: ${seen.min}px text`);
      if (step === 2) await page.screenshot({ path: path.join(shots, `tour-${lang}.png`) });
      await card.getByRole('button', { name: step < 4 ? /Next|다음/ : /Start|시작하기/ }).click();
    }
    assert.equal(new Set(titles).size, 4, `four different cards: ${titles}`);
    assert.equal(await page.getByRole('dialog').count(), 0);
    await page.reload();
    await page.getByRole('textbox', { name: /YAML/ }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.getByRole('dialog').count(), 0, 'the tour comes back after it was dismissed');
    await context.close();
  }
});

test('help in the terminal is the page\'s guide, in the page\'s language, and leaves the lab alone', async () => {
  for (const [lang, name, word] of [['en', 'Terminal', 'from your PC'], ['ko', '터미널', '내 PC에서 요청']]) {
    const page = await env.browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${env.base}?lang=${lang}#/playground`);
    await page.getByRole('textbox', { name }).waitFor();
    await terminal(page, 'help', name);
    const out = page.locator('.terminal .entry').last();
    await out.waitFor();
    const text = await out.innerText();
    assert.ok(text.includes(word) && text.includes('kubectl exec -it'), text);
    assert.ok(!text.includes('command not found'), text);
    // The guide's last line is in view above the input, legible.
    const seen = await out.locator('pre.out').evaluate((e) => {
      const r = e.getBoundingClientRect();
      const screen = e.closest('.screen').getBoundingClientRect();
      return { bottom: r.bottom, screenBottom: screen.bottom, size: parseFloat(getComputedStyle(e).fontSize) };
    });
    assert.ok(seen.bottom <= seen.screenBottom + 1, `the guide ends below the terminal's screen: ${JSON.stringify(seen)}`);
    assert.ok(seen.size >= 12);
    // Nothing was run: the saved log has no `help`.
    await page.waitForTimeout(600);
    const saved = await page.evaluate(() => localStorage.getItem('svclab:playground') || '');
    assert.ok(!saved.includes('"help"'), 'help was logged as a command');
    await page.close();
  }
});
