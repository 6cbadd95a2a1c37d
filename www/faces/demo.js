// The faces demo (the second tab), loaded the first time it is shown so that visitors of the
// digits never download its weights: load the faces model, then wire three panels to it:
// attributes -> faces (attributes-to-faces.js), face -> attributes (face-to-attributes.js) and
// editing a face's attributes (edit-face.js).

import { showManifest } from '../shared/about-weights.js';
import { $ } from '../shared/dom.js';
import { showLoaded, startDemo } from '../shared/start-demo.js';
import { setupFacesGenerate } from './attributes-to-faces.js';
import { setupFacesEdit } from './edit-face.js';
import { setupFacesUpload } from './face-to-attributes.js';
import { showDecoder } from './decoder-note.js';
import { checkFaces } from './model-check.js';

/**
 * Load the faces model, show the first faces (as `link.initial` asks, from a permalink) in
 * `view` (the tab's load box and state), and resolve to the model once the demo is ready.
 */
export function startFaces(queue, link, view) {
  return startDemo(view, { title: 'faces model', manifestOf: (options) => options.facesModel }, async (model, options, step) => {
    window.jmvae.faces.model = model;
    const faces = checkFaces(model);
    showLoaded(view, model, options);
    showManifest(model.manifest, $('faces-manifest'), $('faces-manifest-json'));
    showNotice(model.manifest);
    showDecoder(model.manifest);

    step('Generating the first faces');
    const edit = setupFacesEdit(model, queue, view, faces, link);
    const { pick, showExamples } = setupFacesUpload(model, queue, view, faces, edit);
    const refreshGrid = setupFacesGenerate(model, queue, view, faces, pick, link);
    await refreshGrid();
    step('Generating the example faces');
    await showExamples();
  });
}

// Weights learnt from CelebA inherit its terms (non-commercial research only); the manifest's
// notice says so, and is shown under the demo. A CelebA manifest without one still gets the gist.
const CELEBA_NOTICE = 'Trained on CelebA, whose images are available for non-commercial research purposes only.';

function showNotice(manifest) {
  const notice = manifest.notice || (/celeb/i.test(String(manifest.dataset ?? '')) ? CELEBA_NOTICE : '');
  const box = $('faces-notice');
  box.textContent = notice;
  box.hidden = !notice;
}
