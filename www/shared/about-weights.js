// Panel "About these weights": the manifest shipped beside them in words (name, data, training,
// what it measured: elements/about.js, which the `about` panel of the elements shows too), and
// in full as JSON.

import { describeManifest } from '../elements/about.js';
import { $, element } from './dom.js';

/** Fill the list `list` (#manifest) and the <pre> `json` (#manifest-json) from a manifest. */
export function showManifest(manifest, list = $('manifest'), json = $('manifest-json')) {
  list.replaceChildren(...describeManifest(manifest).flatMap(([term, text]) => [element('dt', term), element('dd', text)]));
  json.textContent = JSON.stringify(manifest, null, 2);
}
