// A hostile or broken server for the weights: a Content-Length of 10 GB, and a stream that never
// ends. The manifest states the weights' size (weights.bytes), so www/shared/fetch-model.js
// refuses the first before reading any of it and cuts the second off just past that size: a
// message that names the file and both sizes, and the page never buffers more than the weights.
//
// A real HTTP server in front of scripts/serve.mjs answers for mnist.safetensors (page.route
// cannot stream, nor send a length it does not have), and counts the bytes it got to send.

import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import { after, test } from 'node:test';

import { MANIFEST, PKG, launchBrowser, openDemo, readJson, skipUnless, startServer } from './helpers.mjs';

const TEN_GB = 10 * 1024 ** 3;
const CHUNK = Buffer.alloc(1 << 20, 0x41); // 1 MiB

let mode = 'real';
let sent = 0;
let started = null;

/** Start the real server, the hostile one in front of it, and a browser; once. */
function session() {
  started ??= (async () => {
    const real = await startServer();
    const origin = new URL(real.url);
    const hostile = createServer((req, res) => {
      if (mode !== 'real' && req.url.startsWith('/www/models/mnist.safetensors')) return answer(mode, res);
      const forward = httpRequest({ host: origin.hostname, port: origin.port, path: req.url, method: req.method, headers: req.headers }, (upstream) => {
        res.writeHead(upstream.statusCode, upstream.headers);
        upstream.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise((done) => hostile.listen(0, '127.0.0.1', done));
    const browser = await launchBrowser();
    return { real, hostile, browser, url: `http://127.0.0.1:${hostile.address().port}/www/` };
  })();
  return started;
}

after(async () => {
  if (!started) return;
  const { real, hostile, browser } = await started;
  await browser.close();
  hostile.closeAllConnections();
  hostile.close();
  await real.stop();
});

// Bytes for as long as the client reads them, counted; 'huge' announces 10 GB, 'endless' no
// length at all (chunked), and neither ever ends by itself.
function answer(kind, res) {
  sent = 0;
  const headers = { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' };
  if (kind === 'huge') headers['Content-Length'] = String(TEN_GB);
  res.writeHead(200, headers);
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && sent < TEN_GB) {
      sent += CHUNK.length;
      if (!res.write(CHUNK)) return res.once('drain', pump);
    }
  };
  pump();
}

const skip = skipUnless(PKG, MANIFEST);
const STATED = readJson(MANIFEST).weights.bytes;

async function expectRefusal(kind) {
  mode = kind;
  try {
    const { context, state, error, status } = await openDemo({ get: session }, '?backend=cpu');
    await context.close();
    assert.equal(state, 'error', `the page should refuse the weights, but says: ${status}`);
    return error;
  } finally {
    mode = 'real';
  }
}

test('a 10 GB Content-Length for the weights is refused before downloading, naming both sizes', { skip, timeout: 5 * 60_000 }, async (t) => {
  const error = await expectRefusal('huge');
  t.diagnostic(`${error.replace(/\n/g, ' | ')} (the server got to send ${(sent / 1e6).toFixed(0)} MB)`);
  assert.match(error, /mnist\.safetensors/);
  assert.match(error, /refused before downloading/);
  assert.match(error, /10,737,418,240 bytes \(10\.7 GB\)/, 'the announced size');
  assert.ok(error.includes(STATED.toLocaleString('en')), 'the size the manifest states');
  // Nothing is read; what the server got out is only what the sockets buffered before the cancel.
  assert.ok(sent < 64 * 2 ** 20, `the page stopped the download (${sent} bytes sent)`);
});

test('a weights stream that never ends is cut off past the size the manifest states', { skip, timeout: 5 * 60_000 }, async (t) => {
  const error = await expectRefusal('endless');
  t.diagnostic(`${error.replace(/\n/g, ' | ')} (the server got to send ${(sent / 1e6).toFixed(0)} MB)`);
  assert.match(error, /mnist\.safetensors/);
  assert.match(error, /ran past/);
  assert.ok(error.includes(STATED.toLocaleString('en')), 'the size the manifest states');
  assert.ok(sent < STATED + 64 * 2 ** 20, `the page stopped reading (${sent} bytes sent)`);
});

test('behind the same server, the real weights still load', { skip, timeout: 5 * 60_000 }, async () => {
  const { context, state, error } = await openDemo({ get: session }, '?backend=cpu');
  await context.close();
  assert.equal(state, 'ready', error);
});
