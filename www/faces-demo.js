// The faces demo (the second tab), loaded the first time it is shown so that visitors of the
// digits never download its weights: load the faces model, then wire three panels to it:
// attributes -> faces (panels/faces-generate.js), face -> attributes (panels/faces-upload.js)
// and editing a face's attributes (panels/faces-edit.js).

import { $ } from './dom.js';
import { showError } from './error-display.js';
import { checkFaces } from './faces.js';
import { describeBackend, loadModel, loadPackage } from './loading.js';
import { readOptions } from './options.js';
import { FACES as view } from './page-state.js';
import { plain, showManifest } from './panels/about.js';
import { setupFacesEdit } from './panels/faces-edit.js';
import { setupFacesGenerate } from './panels/faces-generate.js';
import { setupFacesUpload } from './panels/faces-upload.js';

/** Load the faces model, show the first faces, and resolve to the model once the demo is ready. */
export async function startFaces(queue) {
  let step = 'Reading the URL options';
  view.setState('loading');
  try {
    const options = readOptions(location.search);
    step = 'Loading the WebAssembly package';
    view.setStatus('Loading the WebAssembly package…');
    const pkg = await loadPackage();

    step = `Loading the faces model ${options.facesModel}`;
    view.setStatus(`Loading the faces model (${options.backend === 'auto' ? 'WebGPU if available' : options.backend})…`);
    const model = await loadModel(pkg, { manifest: options.facesModel, backend: options.backend }, view);
    window.jmvae.faces.model = model;
    const faces = checkFaces(model);
    view.showBackend(model.backend, describeBackend(model, options));
    view.finishProgress();
    showManifest(model.manifest, $('faces-manifest'), $('faces-manifest-json'));
    showNotice(plain(model.manifest));

    step = 'Generating the first faces';
    const edit = setupFacesEdit(model, queue, view, faces);
    const { pick, showExamples } = setupFacesUpload(model, queue, view, faces, edit);
    const refreshGrid = setupFacesGenerate(model, queue, view, faces, pick);
    await refreshGrid();
    step = 'Generating the example faces';
    await showExamples();
    // 'ready' only once the demo is idle, so that a test's own model calls never overlap its own.
    view.setState('ready');
    return model;
  } catch (error) {
    showError(view, `${step} failed`, error, { fatal: true });
    throw error;
  }
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
