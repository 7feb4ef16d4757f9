// Shared setup of the browser tests: dist/ served on loopback, one headless Chromium per file.
import { before, after } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const shots = path.join(here, 'artifacts');

/// Registers before/after hooks; the returned object's `browser` and `base` are set before the
/// tests run. `prefix` and `pages` are passed to the server (a sub-path, extra HTML pages).
export function lab({ prefix = '/', pages = {} } = {}) {
  const env = { browser: null, base: null, origin: null };
  let server;
  before(async () => {
    fs.mkdirSync(shots, { recursive: true });
    server = await serve(path.join(here, '..', 'dist'), prefix, pages);
    env.origin = `http://127.0.0.1:${server.address().port}`;
    env.base = `${env.origin}${prefix}`;
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    server?.close();
  });
  return env;
}

/// Types a command line in the page's terminal.
export async function terminal(page, line, name = 'Terminal') {
  const input = page.getByRole('textbox', { name });
  await input.fill(line);
  await input.press('Enter');
}
