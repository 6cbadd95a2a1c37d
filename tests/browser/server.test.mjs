// scripts/serve.mjs, the server the README's first command runs: the printed URL, MIME types
// (a browser refuses wasm or module scripts served with the wrong one), no path escapes, and the
// strict Content-Security-Policy it sends by default.

import assert from 'node:assert/strict';
import { request } from 'node:http';
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
  assert.match(page.body, /<canvas id="draw"/);
  assert.equal((await get('/')).headers.location, '/www/');
  assert.equal((await get('/www')).headers.location, '/www/', 'relative URLs need the trailing slash');
});

test('MIME types that browsers insist on', async () => {
  const cases = {
    '/www/app.js': /^text\/javascript/,
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
  for (const path of ['/www/', '/www/app.js', '/www/no-such-file']) {
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
