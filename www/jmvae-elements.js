// The public entry for authors: one module that defines the elements.
//
//   <link rel="stylesheet" href="jmvae/jmvae-elements.css">
//   <script type="module" src="jmvae/jmvae-elements.js"></script>
//   <jmvae-panel model="jmvae/models/mnist.json" panel="generate" given="label=3"></jmvae-panel>
//
// <jmvae-panel> is one panel of the demo (elements/panel-element.js); <jmvae-demo> the whole
// demo, a tab per model (elements/demo-element.js). Every element on a page shares one wasm
// compile, one model worker and one model per manifest (elements/model-registry.js). It imports
// only the files it ships with (elements/, shared/, digits/, faces/ and ../pkg/). Types:
// jmvae-elements.d.ts; guide: docs/EMBEDDING.md.

import { JmvaeDemo } from './elements/demo-element.js';
import { JmvaePanel } from './elements/panel-element.js';

export { JmvaeDemo, JmvaePanel };
export { configureRegistry, holdModel, registrySize } from './elements/model-registry.js';

// Defined once, even when two copies of the module are loaded (a page and a widget of it).
if (!customElements.get('jmvae-panel')) customElements.define('jmvae-panel', JmvaePanel);
if (!customElements.get('jmvae-demo')) customElements.define('jmvae-demo', JmvaeDemo);
