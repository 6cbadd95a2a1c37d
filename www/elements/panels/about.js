// panel="about": the weights in words (about.js), and the whole manifest one click away.

import { make } from '../controls.js';
import { describeManifest } from '../about.js';

export function aboutPanel(ctx) {
  const manifest = ctx.model.manifest;
  const list = make('dl', { className: 'about', part: 'about' });
  for (const [term, text] of describeManifest(manifest)) list.append(make('dt', { text: term }), make('dd', { text }));
  const details = make('details');
  details.append(make('summary', { text: 'The whole manifest' }), make('pre', { text: JSON.stringify(manifest, null, 2) }));
  ctx.body.append(list, details);
  return { refresh: () => ctx.say(`About ${manifest.name}.`) };
}
