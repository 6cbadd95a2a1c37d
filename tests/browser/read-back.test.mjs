// Coherence shown live, on the CPU backend: each grid is read back by the model in the call that
// generates it (`readBack: true`: every generated image encoded by q(z|x), its mean decoded by
// p(w|z)), and each tile of the generate panel carries its reading.
// - digits: each tile's badge is the label an independent reading in the page gives (each drawn
//   digit encoded and decoded through model.encode/decode); exactly the tiles whose reading
//   differs from the label asked are marked (data-agrees="false", shown in the warning colour),
//   and the status line's "k of 16 read back as asked" is that count;
// - faces: each tile's badge counts the attributes asked for that the model reads back above 1/2,
//   the same count made in the page.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { faceLabels, openFaces, pagePresets } from './faces-helpers.mjs';
import { FACES_MANIFEST, MANIFEST, PKG, afterResult, createSession, inPanel, openReadyDemo, skipUnless } from './helpers.mjs';

const session = createSession();
after(() => session.close());

const TIMEOUT = 5 * 60_000;

// Runs in the page: the shown tab's last grid read again by hand, one image at a time: q(z|x)'s
// mean decoded by p(w|z), for the modality `name`. Also the tiles as drawn and the status line.
async function readGrid(name) {
  const hook = window.jmvae[document.body.dataset.panel];
  const { outputs, samples } = hook.last.generate;
  const size = outputs.image.length / samples;
  const byHand = await hook.run(async () => {
    const rows = [];
    for (let i = 0; i < samples; i++) {
      const { mean } = await hook.model.encode({ image: outputs.image.subarray(i * size, (i + 1) * size) });
      rows.push(Array.from((await hook.model.decode(mean))[name]));
    }
    return rows;
  });
  const panel = document.querySelector('jmvae-demo').shadowRoot.querySelector('[role="tabpanel"]:not([hidden]) jmvae-panel[panel="generate"]').shadowRoot;
  const tiles = [...panel.querySelectorAll('.grid .tile')].map((tile) => ({
    agrees: tile.dataset.agrees, badge: tile.querySelector('.badge').textContent, colour: getComputedStyle(tile.querySelector('.badge')).color,
  }));
  return { byHand, tiles, status: panel.querySelector('.status').textContent };
}

const argmax = (row) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

test('digits: each badge is the independent reading, exactly the misread are marked, and the status counts them', {
  skip: skipUnless(PKG, MANIFEST), timeout: TIMEOUT,
}, async (t) => {
  const { page, context } = await openReadyDemo(session, '?backend=cpu&temperature=1.5');
  try {
    await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[data-index="5"]')));
    // At τ = 1.5 some digits stray; look for a grid with a misread one (a few seeds at most).
    let grid;
    for (let tries = 0; tries < 8; tries++) {
      grid = await page.evaluate(readGrid, 'label');
      if (grid.tiles.some((tile) => tile.agrees === 'false')) break;
      await afterResult(page, 'generate', (page) => page.click(inPanel('generate', 'button[part~="resample"]')));
    }
    const readings = grid.byHand.map(argmax);
    t.diagnostic(`read back: ${readings.join(' ')}`);
    readings.forEach((reading, i) => {
      assert.equal(grid.tiles[i].badge, String(reading), `tile ${i + 1}'s badge is its reading`);
      assert.equal(grid.tiles[i].agrees, String(reading === 5), `tile ${i + 1} is marked exactly when misread`);
    });
    const agree = readings.filter((r) => r === 5).length;
    assert.match(grid.status, new RegExp(`^16 drawn from label 5; ${agree} of 16 read back as asked\\.$`));
    const misread = grid.tiles.find((tile) => tile.agrees === 'false');
    const good = grid.tiles.find((tile) => tile.agrees === 'true');
    if (misread && good) assert.notEqual(misread.colour, good.colour, 'a misread digit is shown in another colour');
  } finally {
    await context.close();
  }
});

test('faces: each badge counts the attributes asked for that the model reads back, as the page counts them', {
  skip: skipUnless(PKG, FACES_MANIFEST), timeout: TIMEOUT,
}, async (t) => {
  const { page, context } = await openFaces(session, '&backend=cpu');
  try {
    const labels = faceLabels();
    for (const preset of pagePresets().slice(0, 3)) {
      await afterResult(page, 'generate', (page) => page.click(inPanel('generate', `button[data-preset="${preset.name}"]`)));
      const grid = await page.evaluate(readGrid, 'attributes');
      const asked = labels.flatMap((label, i) => (preset.present.includes(label) ? [i] : []));
      const held = grid.byHand.map((row) => asked.filter((i) => row[i] > 0.5).length);
      t.diagnostic(`${preset.name}: ${held.join(' ')} of ${asked.length}`);
      held.forEach((n, i) => {
        assert.equal(grid.tiles[i].badge, `${n}/${asked.length}`, `face ${i + 1}`);
        assert.equal(grid.tiles[i].agrees, String(n === asked.length));
      });
      const all = held.filter((n) => n === asked.length).length;
      assert.match(grid.status, new RegExp(`${all} of 16 read back as asked\\.$`));
    }
  } finally {
    await context.close();
  }
});
