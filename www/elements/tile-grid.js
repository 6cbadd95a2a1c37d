// A grid of image tiles that fits the space its figure gives it: the tile side is the largest
// that fits `count` tiles in --jmvae-columns columns into the grid's box (the figure's height is
// fixed by the host page's CSS, so the page never shifts; the tiles follow it, in pure CSS). Each tile is a canvas
// with its own alt text and an optional badge under it.

import { make } from './controls.js';
import { drawImage, imageCanvas } from './pixels.js';

/**
 * A grid of `count` tiles for `modality`, labelled `label`; with `onPick(i)`, each tile is a
 * button that picks its image. Returns { node, draw(values, alts, badges) }.
 */
export function tileGrid(modality, count, label, { onPick = null, pickText = '' } = {}) {
  const node = make('div', { className: 'grid', part: 'grid' });
  node.setAttribute('role', 'group');
  node.setAttribute('aria-label', label);
  const tiles = Array.from({ length: count }, () => {
    const tile = make(onPick ? 'button' : 'figure', { className: 'tile', part: onPick ? 'tile pick' : 'tile' });
    const canvas = imageCanvas(modality, 'Not drawn yet: it draws when scrolled into view');
    const badge = make(onPick ? 'span' : 'figcaption', { className: 'badge', part: 'badge' });
    tile.append(canvas, badge);
    if (onPick) {
      tile.type = 'button';
      tile.title = pickText; // its name is its content: the image's alt text, then its badge
      tile.addEventListener('click', () => onPick(tiles.indexOf(entry)));
    }
    const entry = { tile, canvas, badge };
    node.append(tile);
    return entry;
  });
  // The tile side is CSS's (panel.css, .grid): from the grid's box and these two numbers, so
  // the first frame painted is the last, and nothing shifts.
  node.style.setProperty('--count', String(count)); // CSSOM: allowed under style-src 'self'
  const box = make('div', { className: 'grid-box' });
  box.append(node);
  return {
    node: box,
    /** Draw every tile from the flat `values`, with `alts[i]` and `badges[i]` (text or ''). */
    draw(values, alts = [], badges = []) {
      tiles.forEach(({ canvas, badge, tile }, i) => {
        drawImage(canvas, modality, values, i);
        canvas.setAttribute('aria-label', alts[i] ?? '');
        badge.textContent = badges[i]?.text ?? '';
        tile.dataset.agrees = badges[i]?.agrees === undefined ? '' : String(badges[i].agrees);
      });
    },
  };
}
