// (d) Failures reach the reader: a missing package, manifest or weights file, corrupt weights,
// a bad URL option, WebGPU asked for where there is none, a manifest for another model (or naming
// another model's weights). Each must end in body[data-state=error] with a readable #error, never
// in a page that loads forever. Nonsense URL parameters, on the other hand, leave a working page.
//
// Broken files are served through page.route, so the real files are never touched.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { FACES_MANIFEST, MANIFEST, PKG, afterResult, createSession, inPanel, openDemo, skipUnless } from './helpers.mjs';

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

// A crash would show as the panic hint, not as a message about the file.
function assertNoCrash(error) {
  assert.doesNotMatch(error, /unreachable|RuntimeError|panicked/, 'a message, not a crash');
}

const notFound = (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });

// 'auto' here (a software adapter, or none) and ?backend=cpu load the CPU build; ?backend=webgpu
// the WebGPU one.
test('pkg/jmvae-cpu.js missing is said plainly (no wasm build needed)', { skip: skipUnless() }, async () => {
  const error = await expectError('', (page) => page.route('**/pkg/jmvae-cpu.js', notFound));
  assert.match(error, /pkg\/jmvae-cpu\.js missing/);
  assert.match(error, /build the WebAssembly package/i, 'with what to do about it');
});

// Under ?backend=webgpu, `file` answered with a 404: the error, or null where this browser has
// no WebGPU adapter (the page then fails before it loads any package).
async function webgpuErrorWithout(file) {
  const { page, context, state, error } = await openDemo(session, '?backend=webgpu', { setup: (page) => page.route(`**/pkg/${file}`, notFound) });
  const adapter = await page.evaluate(async () => Boolean(navigator.gpu && (await navigator.gpu.requestAdapter())));
  await context.close();
  if (!adapter) return null;
  assert.equal(state, 'error');
  return error;
}

const NO_ADAPTER = 'no WebGPU adapter: ?backend=webgpu fails before it loads any package';

test('pkg/jmvae.js missing under ?backend=webgpu is said plainly', { skip: skipUnless() }, async (t) => {
  const error = await webgpuErrorWithout('jmvae.js');
  if (error === null) return t.skip(NO_ADAPTER);
  assert.match(error, /pkg\/jmvae\.js missing/);
  assert.match(error, /build the WebAssembly package/i, 'with what to do about it');
});

test('an unknown ?backend= is named in the link note, and the page runs on auto', { skip: skipUnless(PKG, MANIFEST), timeout: 5 * 60_000 }, async () => {
  const { page, context, state, error } = await openDemo(session, '?backend=cuda');
  try {
    assert.equal(state, 'ready', error);
    assert.match(await page.locator('#link-note').innerText(), /backend=cuda is not one of auto, webgpu, cpu; using auto/);
  } finally {
    await context.close();
  }
});

test('pkg/jmvae-cpu_bg.wasm missing', { skip: skipUnless(PKG) }, async () => {
  const error = await expectError('?backend=cpu', (page) => page.route('**/pkg/jmvae-cpu_bg.wasm', notFound));
  assert.match(error, /jmvae-cpu_bg\.wasm missing \(HTTP 404/);
});

test('pkg/jmvae_bg.wasm missing under ?backend=webgpu', { skip: skipUnless(PKG) }, async (t) => {
  const error = await webgpuErrorWithout('jmvae_bg.wasm');
  if (error === null) return t.skip(NO_ADAPTER);
  assert.match(error, /jmvae_bg\.wasm missing \(HTTP 404/);
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

test('?model= the faces manifest: the first tab shows the panels of that model, built from its modalities', { skip: skipUnless(PKG, MANIFEST, FACES_MANIFEST), timeout: 5 * 60_000 }, async () => {
  const { page, context, state, error } = await openDemo(session, '?backend=cpu&model=./models/celeba.json');
  try {
    assert.equal(state, 'ready', error);
    assert.equal(await page.evaluate(() => window.jmvae.model.modalities[1].kind), 'binary_attributes');
    assert.deepEqual(await page.evaluate(() => document.getElementById('demo').panels.map((p) => p.getAttribute('panel'))), ['generate', 'read', 'edit', 'walk', 'latent', 'about']);
    assert.ok(await page.locator(inPanel('generate', 'input[data-attribute="Smiling"]')).count() > 0, 'attribute toggles, not class buttons');
  } finally {
    await context.close();
  }
});

test('a digits manifest naming the faces weights is refused by the weights check, naming the file', { skip: skipUnless(PKG, MANIFEST), timeout: 5 * 60_000 }, async (t) => {
  const error = await expectError('?backend=cpu', (page) =>
    page.route('**/models/mnist.json', async (route) => {
      const response = await route.fetch();
      const manifest = JSON.parse(await response.text());
      manifest.weights = JSON.parse(await (await route.fetch({ url: route.request().url().replace('mnist.json', 'celeba.json') })).text()).weights;
      await route.fulfill({ response, body: JSON.stringify(manifest) });
    }),
  );
  t.diagnostic(error);
  assert.match(error, /celeba\.safetensors/);
  assertNoCrash(error);
});

test('nonsense URL parameters: the page opens and works, and names them harmlessly', { skip: skipUnless(PKG, MANIFEST), timeout: 5 * 60_000 }, async (t) => {
  const nonsense = [
    'seed=1e309', 'temperature=NaN', 'label=%E2%80%AE3', 'panel=..%2F..%2Fetc', '%ZZ=1', 'x=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E',
    `long=${'a'.repeat(8_000)}`, 'model=', 'backend=CPU',
  ];
  const dialogs = [];
  const { page, context, state, error, logs } = await openDemo(session, `?${nonsense.join('&')}`, {
    setup: (page) => page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      return dialog.dismiss();
    }),
  });
  try {
    assert.equal(state, 'ready', `the page should open: ${error}`);
    assert.equal(await page.evaluate(() => window.jmvae.model.backend), 'cpu', '?backend=CPU is read as cpu');
    const note = await page.evaluate(() => {
      const box = document.getElementById('link-note');
      return { text: box.innerText, elements: box.querySelectorAll('*').length };
    });
    t.diagnostic(note.text);
    for (const part of ['seed="1e309"', 'temperature="NaN"', 'Ignored x=']) assert.ok(note.text.includes(part), `the note names ${part}: ${note.text}`);
    assert.equal(note.elements, 0, 'the note is text: nothing in the URL became markup');
    assert.ok(note.text.length < 2000, `an 8 kB parameter is quoted short (${note.text.length} characters)`);
    const drawn = await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="6"]')));
    assert.equal(drawn.given.label, 6);
    assert.deepEqual(logs.filter((line) => /^pageerror:/.test(line)), []);
    assert.deepEqual(dialogs, [], 'no script from the URL ran');
  } finally {
    await context.close();
  }
});

test('?model=javascript:… and an unfetchable ?model= fail with a message naming the URL, and run nothing', { skip: skipUnless(PKG), timeout: 5 * 60_000 }, async (t) => {
  for (const model of ['javascript:alert(1)', 'http://127.0.0.1:1/nothing-listens-here.json']) {
    let dialogs = 0;
    const error = await expectError(`?backend=cpu&model=${encodeURIComponent(model)}`, (page) => page.on('dialog', (dialog) => {
      dialogs++;
      return dialog.dismiss();
    }));
    t.diagnostic(error);
    assert.ok(error.includes(model), `${model}: the message names it: ${error}`);
    assert.match(error, /cannot fetch/);
    assert.equal(dialogs, 0, 'no script ran');
  }
});
