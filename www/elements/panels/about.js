// panel="about": the weights in words (elements/about.js), and the whole manifest one click away.

import { describeManifest } from '../about.js';
import { make } from '../controls.js';

export function aboutPanel(ctx) {
  const manifest = ctx.model.manifest;
  const list = make('dl', { className: 'about', part: 'about' });
  list.append(...describeManifest(manifest).flatMap(([term, text]) => [make('dt', { text: term }), make('dd', { text })]));
  const json = make('pre', { text: JSON.stringify(manifest, null, 2) });
  const details = make('details');
  details.append(make('summary', { text: 'The whole manifest' }), json);
  ctx.body.append(list, details);
  return { refresh: () => ctx.say(`About ${manifest.name}.`) };
}
