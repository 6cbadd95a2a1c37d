// The embeddable elements (www/jmvae-elements.js) on the fixture project page
// (tests/embed/project-page/), served as GitHub Pages serves a site (pages-server.mjs): one
// worker and one download of each file for many figures, lazy figures, outputs equal to the
// module API's, bad input and failed files in one line, a strict CSP, no JavaScript, no layout
// shift, and axe-core's accessibility rules.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, describe, test } from 'node:test';
import { PKG_CPU, skipUnless } from './helpers.mjs';
import { addFigure, count, createPagesSession, eventsOf, noteOf, openFixture, scrollThrough, waitForResult } from './elements-helpers.mjs';

const skip = skipUnless(PKG_CPU);
const session = createPagesSession();
after(() => session.close());

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

describe('the elements on a project page', { skip }, () => {
  test('a cold visit: one worker, each wasm and weights file fetched once, nothing below the fold until scrolled to', async () => {
    const { page, context, requests } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      // The next two are near (loaded) but not on screen: they compute nothing until scrolled to.
      await page.waitForFunction(() => ['fig-read', 'fig-latent'].every((id) => document.getElementById(id).dataset.state === 'ready'));
      assert.deepEqual(await page.evaluate(() => Object.keys(window.__results)), ['fig-generate'], 'offscreen figures draw nothing');
      await scrollThrough(page, ['fig-read', 'fig-latent']);
      assert.equal(count(requests, '/jmvae/shared/model-worker.js'), 1, 'one worker script');
      assert.equal(page.workers().length, 1, 'one worker');
      assert.equal(count(requests, '/jmvae/pkg/jmvae-cpu_bg.wasm'), 1);
      assert.equal(count(requests, '/jmvae/models/mnist.safetensors'), 1, 'three figures, one download');
      assert.equal(count(requests, '/jmvae/models/celeba.safetensors'), 0, 'the figure far below asks for nothing');
      assert.equal(await page.$eval('#fig-edit', (e) => e.dataset.state), 'waiting');

      await page.$eval('#fig-edit', (e) => e.scrollIntoView());
      await waitForResult(page, 'fig-edit');
      assert.equal(count(requests, '/jmvae/models/celeba.safetensors'), 1);
      assert.equal(page.workers().length, 1, 'still one worker');
      const [progress] = await eventsOf(page, 'fig-read', 'progress');
      assert.ok(progress.total > 0 && progress.source === 'network', JSON.stringify(progress));
      const [load] = await eventsOf(page, 'fig-generate', 'load');
      assert.deepEqual([load.backend, load.runsIn], ['cpu', 'worker']);
    } finally {
      await context.close();
    }
  });

  test("a figure draws exactly what the module API draws for the same model, given, seed and temperature", async () => {
    const { page, context } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      const same = await page.evaluate(async () => {
        const { default: init, Model } = await import('./jmvae/pkg/jmvae-cpu.js');
        await init();
        const manifestJson = await (await fetch('jmvae/models/mnist.json')).text();
        const weights = new Uint8Array(await (await fetch('jmvae/models/mnist.safetensors')).arrayBuffer());
        const model = await Model.fromBytes(manifestJson, weights, { backend: 'cpu' });
        const direct = await model.generate({ label: 3 }, { samples: 16, seed: 7, temperature: 1, readBack: true });
        const shown = window.__results['fig-generate'].outputs;
        const equal = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
        return { image: equal(direct.image, shown.image), label: equal(direct.label, shown.label), n: shown.image.length };
      });
      assert.deepEqual(same, { image: true, label: true, n: 16 * 784 });
    } finally {
      await context.close();
    }
  });

  test('bad input: the figure renders, a note names the value and what is accepted, and `error` says input', async () => {
    const { page, context } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      const cases = [
        [{ model: 'jmvae/models/mnist.json', given: 'label=12' }, /label=12.*accepted: `0`/, true],
        [{ model: 'jmvae/models/mnist.json', given: 'digit=3' }, /no modality `digit`.*`image`, `label`/, true],
        [{ model: 'jmvae/models/mnist.json', temperature: '9' }, /temperature="9" is not a number from 0 to 1.5/, true],
        [{ model: 'jmvae/models/mnist.json', panel: 'edit' }, /panel="edit" needs an image and binary attributes/, false],
        [{ model: 'jmvae/models/mnist-cvae.json', panel: 'read' }, /CVAE/, false],
        [{ model: 'jmvae/models/celeba-gan.json', given: 'attributes=Smiling,Wings', samples: '2' }, /no attribute `Wings`/, true],
      ];
      for (const [attributes, note, renders] of cases) {
        const id = await addFigure(page, attributes);
        if (renders) await waitForResult(page, id);
        else await page.waitForFunction((id) => document.getElementById(id).dataset.state === 'error', id, { timeout: 60_000 });
        assert.match(await noteOf(page, id), note, JSON.stringify(attributes));
        const errors = await eventsOf(page, id, 'error');
        assert.equal(errors[0]?.type, 'input', JSON.stringify(errors));
      }
    } finally {
      await context.close();
    }
  });

  test('a missing manifest or corrupt weights: the poster stays, one line says what failed, other figures are unaffected', async () => {
    const { page, context } = await openFixture(session, {
      setup: async (page) => {
        const manifest = JSON.parse(readFileSync(new URL('../../www/models/mnist.json', import.meta.url)));
        manifest.weights.file = 'broken.safetensors';
        manifest.weights.sha256 = 'ab'.repeat(32); // another file: not the cached weights of mnist.json
        await page.route('**/jmvae/models/broken.json', (route) => route.fulfill({ body: JSON.stringify(manifest), contentType: 'application/json' }));
        await page.route('**/jmvae/models/broken.safetensors', (route) => route.fulfill({ body: Buffer.alloc(Number(manifest.weights.bytes), 7) }));
      },
    });
    try {
      await waitForResult(page, 'fig-generate');
      for (const [model, type, said] of [['jmvae/models/missing.json', 'manifest', /missing\.json.*404/], ['jmvae/models/broken.json', 'weights', /sha256|safetensors|header/i]]) {
        const id = await addFigure(page, { model });
        await page.waitForFunction((id) => document.getElementById(id).dataset.state === 'error', id, { timeout: 60_000 });
        assert.match(await noteOf(page, id), said);
        assert.equal((await eventsOf(page, id, 'error'))[0].type, type);
        assert.ok(await page.$eval(`#${id} [slot="poster"]`, (p) => p.getBoundingClientRect().height > 0), 'the poster still shows');
      }
      assert.equal(await page.$eval('#fig-generate', (e) => e.dataset.state), 'ready');
    } finally {
      await context.close();
    }
  });

  test('the drawing pad from the keyboard: Space lowers the pen, the arrows draw, the figure reads it', async () => {
    const { page, context } = await openFixture(session);
    try {
      await scrollThrough(page, ['fig-read']);
      const pad = page.locator('#fig-read').locator('canvas.pad');
      await pad.focus();
      await pad.press(' ');
      for (let i = 0; i < 8; i++) await pad.press('ArrowDown');
      // The figure first read its example (a 5, drawn by the model); the stroke replaces it.
      await page.waitForFunction(() => {
        const p = window.__results['fig-read'].outputs.label;
        return p.indexOf(Math.max(...p)) !== 5;
      }, null, { timeout: 60_000, polling: 100 });
      await page.waitForTimeout(500); // the last key's reading
      const label = await page.evaluate(() => {
        const p = window.__results['fig-read'].outputs.label;
        return p.indexOf(Math.max(...p));
      });
      assert.equal(label, 1, 'a vertical stroke reads as a 1');
      assert.match(await page.locator('#fig-read').locator('.status').innerText(), /label read as 1/);
    } finally {
      await context.close();
    }
  });

  test('loading="interaction" fetches nothing until its poster is clicked', async () => {
    const { page, context, requests } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      const id = await addFigure(page, { model: 'jmvae/models/mnist-cvae.json', loading: 'interaction' });
      await page.waitForTimeout(500);
      assert.equal(count(requests, '/mnist-cvae.json'), 0);
      await page.locator(`#${id}`).getByRole('button', { name: 'Run this figure' }).click();
      await waitForResult(page, id);
      assert.equal(count(requests, '/mnist-cvae.safetensors'), 1);
    } finally {
      await context.close();
    }
  });

  test("a second visit takes the weights from the browser's cache, and says so in `progress`", async () => {
    const { page, context } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      const again = await context.newPage();
      await again.addInitScript(() => {
        window.__progress = [];
        document.addEventListener('progress', (event) => window.__progress.push(event.detail));
      });
      const { server } = await session.get();
      await again.goto(server.url);
      await again.waitForFunction(() => document.getElementById('fig-generate').dataset.state === 'ready', null, { timeout: 120_000 });
      const sources = await again.evaluate(() => window.__progress.map((p) => p.source));
      assert.ok(sources.length > 0 && sources.every((source) => source === 'cache'), JSON.stringify(sources));
    } finally {
      await context.close();
    }
  });

  test('<jmvae-demo>: a tab per model, each with the panels its model serves, the second model loaded when its tab opens', async () => {
    const { page, context, requests } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      await page.evaluate(() => {
        const demo = document.createElement('jmvae-demo');
        demo.id = 'demo';
        demo.setAttribute('models', 'jmvae/models/mnist.json jmvae/models/mnist-cvae.json');
        demo.setAttribute('tabs', 'JMVAE CVAE');
        document.querySelector('main').prepend(demo);
      });
      const panels = () => page.evaluate(() => [...document.getElementById('demo').shadowRoot.querySelectorAll('[role="tabpanel"]:not([hidden]) jmvae-panel')].map((p) => p.getAttribute('panel')));
      await page.waitForFunction(() => document.getElementById('demo').shadowRoot.querySelectorAll('jmvae-panel').length > 0);
      assert.deepEqual(await panels(), ['generate', 'read', 'walk', 'latent', 'about']);
      assert.equal(count(requests, '/mnist-cvae.safetensors'), 0, 'the second tab loads nothing until opened');
      await page.locator('#demo').getByRole('tab', { name: 'CVAE' }).click();
      await page.waitForFunction(() => document.getElementById('demo').shadowRoot.querySelectorAll('[role="tabpanel"]:not([hidden]) jmvae-panel').length > 0, null, { timeout: 60_000 });
      assert.deepEqual(await panels(), ['generate', 'walk', 'about'], 'a CVAE cannot read or show its encoders');
      await page.locator('#demo').getByRole('tab', { name: 'CVAE' }).press('ArrowLeft');
      assert.equal(await page.locator('#demo').getByRole('tab', { name: 'JMVAE' }).getAttribute('aria-selected'), 'true');
    } finally {
      await context.close();
    }
  });

  test('a removed figure releases its model, and the last release frees it after the grace period', async () => {
    const { page, context } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      await scrollThrough(page, ['fig-read', 'fig-latent']);
      const sizes = await page.evaluate(async () => {
        const { configureRegistry, registrySize } = await import('./jmvae/jmvae-elements.js');
        configureRegistry({ graceMs: 100 });
        const before = registrySize().models;
        document.getElementById('fig-generate').remove();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const one = registrySize().models; // two mnist figures still hold it
        document.getElementById('fig-read').remove();
        document.getElementById('fig-latent').remove();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return [before, one, registrySize().models];
      });
      assert.equal(sizes[0], sizes[1], 'held by the figures left');
      assert.equal(sizes[2], sizes[1] - 1, 'freed once none holds it');
    } finally {
      await context.close();
    }
  });
});

describe('the elements under a host page\'s rules', { skip }, () => {
  for (const where of ['header', 'meta']) {
    test(`a strict Content-Security-Policy as a ${where}: no violation, no console error`, async () => {
      const { server } = await session.get();
      const setup = where === 'meta'
        ? (page) => page.route('**/project-page/', async (route) => {
          const response = await route.fetch();
          const body = (await response.text()).replace('<meta charset="utf-8">', `<meta charset="utf-8">\n  <meta http-equiv="Content-Security-Policy" content="${CSP}">`);
          await route.fulfill({ response, body });
        })
        : undefined;
      if (where === 'header') server.setCsp(CSP);
      const { page, context, logs } = await openFixture(session, { setup });
      try {
        await scrollThrough(page, ['fig-generate', 'fig-read', 'fig-latent']);
        assert.deepEqual(await page.evaluate(() => window.__violations), []);
        assert.deepEqual(logs.filter((line) => /^(error|pageerror)/.test(line)), []);
      } finally {
        server.setCsp('');
        await context.close();
      }
    });
  }

  test("a host policy without 'wasm-unsafe-eval': the poster stays, one line says why, `error` says wasm", async () => {
    const { server } = await session.get();
    server.setCsp("default-src 'self'; script-src 'self'; style-src 'self'");
    const { page, context } = await openFixture(session);
    try {
      await page.waitForFunction(() => document.getElementById('fig-generate').dataset.state === 'error', null, { timeout: 60_000 });
      assert.match(await noteOf(page, 'fig-generate'), /could not load.*WebAssembly.*'wasm-unsafe-eval'/s);
      assert.equal((await eventsOf(page, 'fig-generate', 'error'))[0].type, 'wasm');
      assert.ok(await page.$eval('#fig-generate [slot="poster"]', (p) => p.getBoundingClientRect().height > 0));
    } finally {
      server.setCsp('');
      await context.close();
    }
  });

  test('a host policy that forbids workers: the figures run on the main thread and say so', async () => {
    const { server } = await session.get();
    server.setCsp(`${CSP}; worker-src 'none'`);
    const { page, context } = await openFixture(session);
    try {
      await waitForResult(page, 'fig-generate');
      const [load] = await eventsOf(page, 'fig-generate', 'load');
      assert.equal(load.runsIn, 'main');
      assert.match(load.whyMainThread, /model-worker\.js/);
    } finally {
      server.setCsp('');
      await context.close();
    }
  });

  test('with JavaScript off: the poster, the caption and the link show at the reserved size', async () => {
    const { page, context } = await openFixture(session, { contextOptions: { javaScriptEnabled: false } });
    try {
      const box = await page.$eval('#fig-generate', (e) => {
        const rect = (selector) => e.querySelector(selector).getBoundingClientRect();
        return { height: e.getBoundingClientRect().height, poster: rect('[slot="poster"]').height, caption: rect('[slot="caption"]').height, link: rect('a').height };
      });
      assert.equal(box.height, 24 * 16, 'the reserved 24rem');
      assert.ok(box.poster > 0 && box.caption > 0 && box.link > 0, JSON.stringify(box));
    } finally {
      await context.close();
    }
  });

  test('no layout shift as the figures upgrade and draw (CLS under 0.01)', async () => {
    const { page, context } = await openFixture(session, {
      setup: (page) => page.addInitScript(() => {
        window.__shift = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shift += entry.value;
        }).observe({ type: 'layout-shift', buffered: true });
      }),
    });
    try {
      await scrollThrough(page, ['fig-generate', 'fig-read', 'fig-latent']);
      const shift = await page.evaluate(() => window.__shift);
      assert.ok(shift <= 0.01, `cumulative layout shift ${shift}`);
    } finally {
      await context.close();
    }
  });

  test('axe-core finds no accessibility violation on the project page with its figures drawn', async () => {
    const { page, context } = await openFixture(session);
    try {
      await scrollThrough(page, ['fig-generate', 'fig-read', 'fig-latent']);
      const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
      await page.evaluate(source);
      const violations = await page.evaluate(async () => (await window.axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
});
