// scripts/serve.mjs, the server the README's first command runs: the printed URL, MIME types
// (a browser refuses wasm or module scripts served with the wrong one), no path escapes, the
// strict Content-Security-Policy it sends by default, and the ETag a browser revalidates with.

import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { CSP, mimeType, serve } from '../../scripts/serve.mjs';
import { startServer } from './helpers.mjs';

let server;
let origin;
before(async () => {
  server = await startServer();
  origin = new URL(server.url).origin;
});
after(() => server?.stop());

// A raw request: fetch() would normalise `..` away before the server could see it.
function get(path, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = request(origin + '/', { method, path }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('prints the demo URL and serves the page from the repository root', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/www\/$/);
  const page = await get('/www/');
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.match(page.body, /<jmvae-demo id="demo"/);
  assert.equal((await get('/')).headers.location, '/www/');
  assert.equal((await get('/www')).headers.location, '/www/', 'relative URLs need the trailing slash');
});

test('MIME types that browsers insist on', async () => {
  const cases = {
    '/www/page.js': /^text\/javascript/,
    '/www/style.css': /^text\/css/,
    '/scripts/serve.mjs': /^text\/javascript/,
    '/package.json': /^application\/json/,
  };
  for (const [path, type] of Object.entries(cases)) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers['content-type'], type, path);
  }
});

test('.wasm and .safetensors types (served, where those files are built)', async () => {
  assert.equal(mimeType('pkg/jmvae_bg.wasm'), 'application/wasm');
  assert.equal(mimeType('www/models/mnist.safetensors'), 'application/octet-stream');
  assert.equal(mimeType('www/icon.PNG'), 'image/png');
  const wasm = await get('/pkg/jmvae_bg.wasm', 'HEAD');
  if (wasm.status !== 404) assert.equal(wasm.headers['content-type'], 'application/wasm');
  const weights = await get('/www/models/mnist.safetensors', 'HEAD');
  if (weights.status !== 404) assert.equal(weights.headers['content-type'], 'application/octet-stream');
});

test('HEAD has the length but no body; other methods are refused', async () => {
  const head = await get('/www/index.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.ok(Number(head.headers['content-length']) > 0);
  assert.equal(head.body, '');
  assert.equal((await get('/www/index.html', 'POST')).status, 405);
});

test('no way out of the repository root, and no hidden files', async () => {
  for (const path of ['/../../etc/passwd', '/www/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/www/%00']) {
    const response = await get(path);
    assert.ok([403, 404].includes(response.status), `${path} -> ${response.status}`);
    assert.doesNotMatch(response.body, /root:/, path);
  }
  assert.equal((await get('/.git/HEAD')).status, 403);
  assert.equal((await get('/www/%E0%A4%A')).status, 403, 'a malformed escape');
  assert.equal((await get('/www/no-such-file.js')).status, 404);
});

test('every answer carries the strict Content-Security-Policy; serve({ csp: false }) (--no-csp) leaves it out', async () => {
  for (const path of ['/www/', '/www/page.js', '/www/no-such-file']) {
    assert.equal((await get(path)).headers['content-security-policy'], CSP, path);
  }
  const open = await serve({ port: 0, csp: false });
  try {
    const response = await fetch(`http://127.0.0.1:${open.address().port}/www/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-security-policy'), null);
  } finally {
    open.close();
    open.closeAllConnections();
  }
});

test('files carry a strong ETag and no-cache; If-None-Match with it gets a 304 with no body', async () => {
  const paths = ['/www/page.js', '/www/shared/fetch-model.js', '/www/', '/pkg/jmvae_bg.wasm'];
  for (const path of paths) {
    const first = await fetch(origin + path);
    if (first.status === 404 && path.startsWith('/pkg/')) continue; // not built yet
    assert.equal(first.status, 200, path);
    const tag = first.headers.get('etag');
    assert.match(tag, /^"[0-9a-f]+-[0-9a-f]+"$/, `${path}: a strong ETag`);
    assert.equal(first.headers.get('cache-control'), 'no-cache', path);
    await first.arrayBuffer();
    for (const header of [tag, `W/${tag}`, `"stale", ${tag}`, '*']) {
      const again = await fetch(origin + path, { headers: { 'If-None-Match': header } });
      assert.equal(again.status, 304, `${path} with If-None-Match: ${header}`);
      assert.equal(await again.text(), '', 'no body');
      assert.equal(again.headers.get('etag'), tag);
      assert.equal(again.headers.get('content-security-policy'), CSP, 'the policy on a 304 too');
    }
    const stale = await fetch(origin + path, { headers: { 'If-None-Match': '"stale"' } });
    assert.equal(stale.status, 200, `${path}: another tag gets the file`);
    await stale.arrayBuffer();
  }
  const head = await fetch(origin + '/www/page.js', { method: 'HEAD' });
  const headAgain = await fetch(origin + '/www/page.js', { method: 'HEAD', headers: { 'If-None-Match': head.headers.get('etag') } });
  assert.equal(headAgain.status, 304, 'HEAD too');
});

test('a changed file gets a new ETag, so the old one is answered with the new file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'serve-etag-'));
  const server = await serve({ root, port: 0 });
  const url = `http://127.0.0.1:${server.address().port}/app.js`;
  try {
    await writeFile(join(root, 'app.js'), 'one();');
    await utimes(join(root, 'app.js'), 1_000_000, 1_000_000);
    const old = (await fetch(url)).headers.get('etag');
    await writeFile(join(root, 'app.js'), 'two();'); // the same size: only the mtime tells
    await utimes(join(root, 'app.js'), 1_000_001, 1_000_001);
    const response = await fetch(url, { headers: { 'If-None-Match': old } });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'two();');
    assert.notEqual(response.headers.get('etag'), old);
  } finally {
    server.close();
    server.closeAllConnections();
    await rm(root, { recursive: true });
  }
});
