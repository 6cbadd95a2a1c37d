// A static server that behaves like GitHub Pages, for the fixture project page
// (tests/embed/project-page/) and the plain-files folder of the elements (packed by
// scripts/pack-elements.mjs into a temporary folder, served at /project-page/jmvae/):
// the site lives under /project-page/; every file has `Cache-Control: max-age=600` and an ETag
// (answered with 304 on If-None-Match); no CSP, COOP or COEP header (unless a test asks for a
// CSP); an HTML page for a 404. It records every request, for the tests' one-download checks.
//
// Not a test file (node --test runs *.test.mjs only); bench/embed.mjs uses it too.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { pack } from '../../scripts/pack-elements.mjs';
import { ROOT } from './helpers.mjs';

export const SITE = '/project-page/';
const FIXTURE = join(ROOT, 'tests', 'embed', 'project-page');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.webm': 'video/webm',
  '.ts': 'application/typescript', '.safetensors': 'application/octet-stream',
};

/**
 * Pack the elements, write `teaser.webm` (bytes from `video`, when given) and serve the site on a
 * free port: resolves to `{ url, requests, setCsp(policy), stop() }`, `url` ending in
 * /project-page/ and `requests` the list of paths asked for (cleared by the caller as needed).
 */
export async function startPagesServer({ video } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'jmvae-pages-'));
  pack(join(folder, 'jmvae'), ['mnist', 'celeba-gan', 'celeba', 'mnist-cvae']);
  if (video) writeFileSync(join(folder, 'teaser.webm'), video);
  const requests = [];
  let csp = '';
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    requests.push(path);
    const file = resolveFile(path, folder);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><title>404</title><h1>404</h1><p>File not found</p>');
      return;
    }
    const body = readFileSync(file);
    const etag = `W/"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
    const headers = { 'cache-control': 'max-age=600', etag, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (csp) headers['content-security-policy'] = csp;
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}${SITE}`,
    requests,
    setCsp: (policy) => { csp = policy; },
    stop: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => {
        rmSync(folder, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}

// The file for a path under the site: the packed folder, the generated video, or the fixture;
// a folder gives its index.html (GitHub Pages does the same); null when there is none.
function resolveFile(path, folder) {
  if (!path.startsWith(SITE)) return null;
  const rest = normalize(path.slice(SITE.length));
  if (rest.startsWith('..') || rest.includes(`..${sep}`)) return null;
  for (const base of [folder, FIXTURE]) {
    let file = join(base, rest);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return null;
}

/** A second of an animated canvas as WebM, recorded by the browser itself (no video is committed). */
export async function recordTeaser(browser) {
  const page = await browser.newPage();
  const base64 = await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 320;
    canvas.height = 90;
    const c = canvas.getContext('2d');
    const recorder = new MediaRecorder(canvas.captureStream(15), { mimeType: 'video/webm' });
    const chunks = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const done = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    const start = performance.now();
    while (performance.now() - start < 1000) {
      const t = (performance.now() - start) / 1000;
      c.fillStyle = '#eef';
      c.fillRect(0, 0, 320, 90);
      c.fillStyle = '#3b5b92';
      c.fillRect(20 + 260 * t, 30, 30, 30);
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    recorder.stop();
    await done;
    const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text);
  });
  await page.close();
  return Buffer.from(base64, 'base64');
}
