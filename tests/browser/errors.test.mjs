// (d) Failures reach the reader: a missing package, manifest or weights file, corrupt weights,
// a bad URL option, WebGPU asked for where there is none. Each must end in body[data-state=error]
// with a readable #error, never in a page that loads forever.
//
// Broken files are served through page.route, so the real files are never touched.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { MANIFEST, PKG, createSession, openDemo, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

/** Open the demo expecting failure; returns the text of #error. */
async function expectError(query, setup) {
  const { context, state, error, status } = await openDemo(session, query, { setup });
  await context.close();
  assert.equal(state, 'error', `the page should fail, but says: ${status}`);
  assert.ok(error.trim().length > 0, '#error is visible and says something');
  return error;
}

const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });

test('pkg/jmvae.js missing is said plainly (no wasm build needed)', { skip: skipUnless() }, async () => {
  const error = await expectError('', (page) => page.route('**/pkg/jmvae.js', notFound));
  assert.match(error, /pkg\/jmvae\.js missing/);
  assert.match(error, /build the WebAssembly package/i, 'with what to do about it');
});

test('an unknown ?backend= is refused by name', { skip: skipUnless() }, async () => {
  const error = await expectError('?backend=cuda');
  assert.match(error, /backend=cuda is not one of auto, webgpu, cpu/);
});

test('pkg/jmvae_bg.wasm missing', { skip: skipUnless(PKG) }, async () => {
  const error = await expectError('', (page) => page.route('**/pkg/jmvae_bg.wasm', notFound));
  assert.match(error, /jmvae_bg\.wasm/);
});

test('a missing manifest (?model=./models/does-not-exist.json) names the file and the 404', { skip: skipUnless(PKG) }, async () => {
  const error = await expectError('?backend=cpu&model=./models/does-not-exist.json');
  assert.match(error, /does-not-exist\.json/);
  assert.match(error, /404/);
});

test('a corrupt manifest names the file', { skip: skipUnless(PKG, MANIFEST) }, async () => {
  const error = await expectError('?backend=cpu', (page) =>
    page.route('**/models/mnist.json', (route) => route.fulfill({ contentType: 'application/json', body: '{"format": "jmvae-manifest/1", ' })),
  );
  assert.match(error, /mnist\.json/);
});

test('a missing weights file names the file and the 404', { skip: skipUnless(PKG, MANIFEST) }, async () => {
  const error = await expectError('?backend=cpu', (page) => page.route('**/models/mnist.safetensors', notFound));
  assert.match(error, /mnist\.safetensors/);
  assert.match(error, /404/);
});

/** Serve the real weights with `change(bytes)` applied. */
function tamperedWeights(change) {
  return (page) =>
    page.route('**/models/mnist.safetensors', async (route) => {
      const response = await route.fetch();
      const body = change(Buffer.from(await response.body()));
      await route.fulfill({ response, body, headers: { ...response.headers(), 'content-length': String(body.length) } });
    });
}

test('corrupt weights (one byte flipped) fail their sha256 check', { skip: skipUnless(PKG, MANIFEST) }, async () => {
  const flip = (bytes) => {
    bytes[bytes.length >> 1] ^= 0xff;
    return bytes;
  };
  const error = await expectError('?backend=cpu', tamperedWeights(flip));
  assert.match(error, /mnist\.safetensors/);
  assert.match(error, /sha256/);
});

test('truncated weights are refused by size', { skip: skipUnless(PKG, MANIFEST) }, async () => {
  const error = await expectError('?backend=cpu', tamperedWeights((bytes) => bytes.subarray(0, bytes.length - 100)));
  assert.match(error, /mnist\.safetensors/);
  assert.match(error, /bytes|truncated/);
});

test('?backend=webgpu without WebGPU fails with a reason (no silent CPU)', { skip: skipUnless(PKG, MANIFEST) }, async () => {
  const error = await expectError('?backend=webgpu', (page) =>
    page.addInitScript(() => {
      delete Navigator.prototype.gpu;
    }),
  );
  assert.match(error, /webgpu|navigator\.gpu|adapter/i);
});
