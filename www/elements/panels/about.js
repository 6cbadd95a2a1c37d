// panel="about": the weights in words (about.js), and the whole manifest one click away, as the
// page's "About these weights" shows them (shared/about-weights.js).

import { showManifest } from '../../shared/about-weights.js';
import { make } from '../controls.js';

export function aboutPanel(ctx) {
  const manifest = ctx.model.manifest;
  const list = make('dl', { className: 'about', part: 'about' });
  const json = make('pre');
  showManifest(manifest, list, json);
  const details = make('details');
  details.append(make('summary', { text: 'The whole manifest' }), json);
  ctx.body.append(list, details);
  return { refresh: () => ctx.say(`About ${manifest.name}.`) };
}
