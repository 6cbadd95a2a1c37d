// <jmvae-panel>: one panel of the demo as an element an author drops into a page.
//
//   <jmvae-panel model="models/mnist.json" panel="generate" given="label=3" seed="7"
//                samples="16" temperature="1"></jmvae-panel>
//
// Lifecycle: it renders its poster and caption slots at once (the size is reserved by
// jmvae-elements.css, before the module even loads); nothing is fetched until `loading` says
// so (`lazy`: about two screens before it scrolls into view; `eager`: at once; `interaction`: a
// click on its poster); then it holds its model (model-registry.js: one per manifest on the
// page), builds its panel from the model's modalities (panels/*.js) and draws, but only while it
// is on screen: an offscreen figure computes nothing. Events, all bubbling and composed:
// `progress`, `load`, `result`, `backend-change`, `error` (see jmvae-elements.d.ts).

import { messageOf } from '../shared/error-messages.js';
import { describeBackend } from '../shared/backend-choice.js';
import { progressText } from '../shared/format.js';
import { make } from './controls.js';
import { InputError, MAX_SAMPLES, MAX_SEED, STRENGTH, TEMPERATURE, parseGiven, parsePresets, readChoice, readImage, readNumber, roles } from './given.js';
import { holdModel } from './model-registry.js';
import { PANELS } from './panels/index.js';

const STYLESHEET = new URL('./panel.css', import.meta.url).href;
/** Lazy figures start this far before they scroll into view (Distill's figures: two screens). */
const LAZY_MARGIN = '200% 0px 200% 0px';

/** Attributes mirrored as properties; the numeric ones read back as numbers. */
const STRINGS = ['model', 'panel', 'image', 'given', 'to', 'presets', 'backend', 'loading', 'controls', 'alt'];
const NUMBERS = ['seed', 'samples', 'temperature', 'strength'];

export class JmvaePanel extends HTMLElement {
  static observedAttributes = [...STRINGS, ...NUMBERS];

  #view = null; // the shadow DOM's parts
  #state = 'idle'; // idle | waiting | loading | ready | error
  #held = null; // the registry's hold on the model
  #model = null;
  #panel = null; // the built panel: { refresh() }
  #visible = false;
  #pending = null; // the draw that waits for the figure to be on screen
  #seen = null; // the watch for being on screen
  #near = null; // the lazy figure's watch for coming near the viewport
  #generation = 0; // bumped by every restart, so that a late answer of an old one is dropped
  #url = ''; // the manifest's absolute URL
  #failedAction = false; // whether the note says why the last action failed
  #image = null; // an image given by useImage() before the panel was built
  #imageName = null; // the image modality the built panel takes

  connectedCallback() {
    this.#view ??= this.#buildShadow();
    this.#watchVisibility();
    this.#schedule();
  }

  disconnectedCallback() {
    this.#seen?.disconnect();
    this.#stop();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.#view) return;
    // A new model or backend starts over whatever the state; any other change rebuilds a figure
    // already shown (one still waiting to load reads its attributes when it loads).
    if (this.#state === 'ready' || this.#state === 'error' || name === 'model' || name === 'backend') this.#restart();
  }

  /** The model's stand-in once loaded (shared/worker-client.js), else null. */
  get loadedModel() {
    return this.#model;
  }

  /** Start loading now, whatever `loading` says (what a click on the poster does). */
  activate() {
    if (this.#state === 'idle' || this.#state === 'waiting') {
      this.#near?.disconnect();
      this.#start();
    }
  }

  /**
   * Give the panel an image of modality `name` (`values` as the model takes it), as a visitor
   * drawing or choosing one would: what <jmvae-demo> does with a `pick` of another panel. A
   * panel that takes no image (generate, walk, about) ignores it.
   */
  useImage(name, values) {
    this.#image = { name, values };
    if (this.#state === 'ready') this.#giveImage();
  }

  #giveImage() {
    const { name, values } = this.#image;
    this.#image = null;
    if (name === this.#imageName) this.#panel.useImage?.(values); // a figure of another image modality ignores it
  }

  // --- the shadow DOM -------------------------------------------------------------------------

  #buildShadow() {
    const root = this.attachShadow({ mode: 'open' });
    const sheet = make('link');
    sheet.rel = 'stylesheet';
    sheet.href = STYLESHEET; // a same-origin file: allowed under a host's style-src 'self'
    const frame = make('div', { className: 'frame', part: 'frame' });
    const poster = make('div', { className: 'poster', part: 'poster' });
    poster.append(make('slot', {}));
    poster.firstChild.name = 'poster';
    const start = make('button', { className: 'start', part: 'button start', text: 'Run this figure' });
    start.type = 'button';
    start.hidden = true;
    start.addEventListener('click', () => this.activate());
    poster.append(start);
    const body = make('div', { className: 'body', part: 'body' });
    const note = make('p', { className: 'note', part: 'note' });
    note.setAttribute('role', 'alert');
    note.hidden = true;
    const status = make('p', { className: 'status', part: 'status' });
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    const caption = make('slot', {});
    caption.name = 'caption';
    frame.append(poster, body, note, caption, status);
    root.append(sheet, frame);
    return { root, frame, poster, start, body, note, status };
  }

  #setState(state) {
    this.#state = state;
    this.#view.frame.dataset.state = state;
    this.dataset.state = state; // for the host page's CSS and for tests
  }

  #say(text) {
    this.#view.status.textContent = text;
  }

  #note(text) {
    this.#view.note.textContent = text;
    this.#view.note.title = text; // the whole of a long message, where two lines cut it
    this.#view.note.hidden = !text;
  }

  #fire(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  // --- when to load ---------------------------------------------------------------------------

  #schedule() {
    let loading;
    try {
      loading = readChoice('loading', this.getAttribute('loading'), ['lazy', 'eager', 'interaction'], 'lazy');
    } catch (error) {
      this.#inputError(error);
      loading = 'lazy';
    }
    if (this.#state !== 'idle') return;
    this.#setState('waiting');
    if (loading === 'eager') return this.#start();
    if (loading === 'interaction') {
      this.#view.start.hidden = false;
      return;
    }
    this.#near = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        this.#near?.disconnect();
        this.#start();
      }
    }, { rootMargin: LAZY_MARGIN });
    this.#near.observe(this);
  }

  #watchVisibility() {
    this.#seen = new IntersectionObserver((entries) => {
      this.#visible = entries.at(-1).isIntersecting;
      if (this.#visible && this.#pending) {
        const draw = this.#pending;
        this.#pending = null;
        draw();
      }
    });
    this.#seen.observe(this);
  }

  // --- loading and building -------------------------------------------------------------------

  async #start() {
    const generation = ++this.#generation;
    this.#view.start.hidden = true;
    this.#setState('loading');
    this.#note('');
    let backend;
    try {
      backend = readChoice('backend', this.getAttribute('backend'), ['auto', 'cpu', 'webgpu'], 'auto');
      if (!this.getAttribute('model')) throw new InputError('model: give the URL of a manifest, such as model="models/mnist.json"');
    } catch (error) {
      return this.#fail(error);
    }
    const url = new URL(this.getAttribute('model'), document.baseURI).href;
    this.#url = url;
    this.#say('Loading the model…');
    this.#held = holdModel(url, backend, (event) => this.#heard(event));
    try {
      this.#model = await this.#held.model;
    } catch (error) {
      if (generation === this.#generation) this.#fail(error);
      return;
    }
    if (generation !== this.#generation) return;
    const model = this.#model;
    this.#fire('load', { backend: model.backend, why: model.fallbackReason ?? null, runsIn: model.runsIn, whyMainThread: model.whyMainThread ?? null });
    this.#build(generation);
  }

  #heard(event) {
    if (event.type === 'progress') {
      const { loaded, total, source, note = '', done = false } = event;
      if (this.#state === 'loading') this.#say(source === 'cache' ? 'Weights from the browser cache…' : `Downloading the weights: ${progressText(loaded, total)}`);
      this.#fire('progress', { model: this.#url, loaded, total, source, note, done });
    } else if (event.type === 'change' && this.#model) {
      this.#fire('backend-change', { backend: event.model.backend, change: event.change.type, why: describeBackend(event.model, {}) });
    }
  }

  // The panel, from the attributes and the model; a bad attribute leaves a note, not a blank.
  #build(generation) {
    const model = this.#model;
    this.#view.body.replaceChildren();
    this.#note('');
    const { options, problems } = this.#options(model);
    for (const problem of problems) this.#inputError(problem);
    if (problems.length > 1) this.#note(problems.map(messageOf).join('; '));
    const panel = PANELS[options.panel];
    this.#imageName = options.image?.name ?? null;
    try {
      this.#panel = panel(this.#context(model, options, generation));
    } catch (error) {
      this.#setState('error');
      return error instanceof InputError ? this.#inputError(error) : this.#fail(error);
    }
    this.#setState('ready');
    this.#say(this.#visible ? 'Drawing…' : 'Loaded; it draws when scrolled into view.');
    if (this.#image) this.#giveImage();
    else this.#panel.refresh();
    model.upgradeToWebGpu(); // only where the plan says so, and after the first figure
  }

  /**
   * The element's options, read against the model: `{ options, problems }`, where an attribute
   * that cannot be read takes its default and its error joins the `problems` to show.
   */
  #options(model) {
    const problems = [];
    const read = (fallback, fn) => {
      try {
        return fn(fallback);
      } catch (error) {
        problems.push(error);
        return fallback;
      }
    };
    const attr = (name) => this.getAttribute(name);
    const modalities = model.modalities;
    const options = {
      modalities, // read once: the stand-in's getter hands out a copy at each read
      panel: read('generate', (fallback) => readChoice('panel', attr('panel'), Object.keys(PANELS), fallback)),
      controls: read('full', (fallback) => readChoice('controls', attr('controls'), ['full', 'minimal', 'none'], fallback)),
      image: read(roles(modalities).images[0], (fallback) => readImage(attr('image'), modalities, fallback)),
      given: read({}, () => parseGiven(attr('given'), modalities)),
      to: read({}, () => parseGiven(attr('to'), modalities)),
      presets: read([], () => parsePresets(attr('presets'), modalities)),
      seed: read(7, (fallback) => readNumber('seed', attr('seed'), { min: 0, max: MAX_SEED, whole: true, fallback })),
      samples: read(16, (fallback) => readNumber('samples', attr('samples'), { min: 1, max: MAX_SAMPLES, whole: true, fallback })),
      temperature: read(model.defaultTemperature, (fallback) => readNumber('temperature', attr('temperature'), { ...TEMPERATURE, fallback })),
      strength: read(1, (fallback) => readNumber('strength', attr('strength'), { ...STRENGTH, fallback })),
      alt: attr('alt') ?? '',
    };
    return { options, problems };
  }

  // What a panel may use: the model, its modalities by role, the options, its container, and
  // the element's ways to draw (only on screen), speak, report and fail.
  #context(model, options, generation) {
    return {
      model,
      modalities: options.modalities,
      roles: roles(options.modalities),
      image: options.image, // the image modality the panel draws or reads (attribute `image`)
      options,
      body: this.#view.body,
      host: this,
      draw: (job, name = 'draw') => this.#draw(job, name, generation),
      say: (text) => this.#say(text),
      result: (detail) => this.#fire('result', { model: this.#url, ...detail }),
      pick: (modality, values) => this.#fire('pick', { modality: modality.name, values }),
      fail: (error) => this.#actionFailed(error),
    };
  }

  // Run `job` on the model's queue now if on screen, else once it is; its failure is shown.
  #draw(job, name, generation) {
    const go = () => {
      if (generation !== this.#generation) return Promise.resolve();
      return this.#held.run(job, name).then(() => {
        // An action that works clears the note of one that failed before it.
        if (this.#failedAction) this.#note('');
        this.#failedAction = false;
      }, (error) => this.#actionFailed(error));
    };
    if (this.#visible) return go();
    this.#pending = go; // the latest wins: an offscreen figure draws once, when seen
    return Promise.resolve();
  }

  #restart() {
    this.#stop(); // back to idle
    this.#schedule();
  }

  #stop() {
    this.#near?.disconnect();
    this.#near = null;
    this.#generation++;
    this.#pending = null;
    this.#panel = null;
    this.#model = null;
    this.#held?.release();
    this.#held = null;
    if (this.#view) this.#setState('idle');
  }

  // --- failures -------------------------------------------------------------------------------

  #inputError(error) {
    this.#note(messageOf(error));
    this.#fire('error', { model: this.#url, type: 'input', message: messageOf(error) });
  }

  // A failure to load: the poster and caption stay, one line says what failed.
  #fail(error) {
    if (error instanceof InputError) {
      this.#setState('error');
      return this.#inputError(error);
    }
    const message = messageOf(error);
    this.#setState('error');
    this.#say('');
    this.#note(`This figure could not load: ${message}${hintFor(message)}`);
    this.#fire('error', { model: this.#url, type: errorType(message), message });
  }

  // A failed action: the figure stays usable; the note says what failed.
  #actionFailed(error) {
    const message = messageOf(error);
    this.#note(message);
    this.#failedAction = true;
    this.#fire('error', { model: this.#url, type: error instanceof InputError ? 'input' : 'model', message });
  }
}

/** A next step for the author, for the failures we recognise ('' for the others). */
function hintFor(message) {
  if (/404/.test(message)) return ' Check the model attribute: a manifest URL relative to this page.';
  if (/unsafe-eval|CompileError|WebAssembly/.test(message)) return " The page's Content-Security-Policy must allow 'wasm-unsafe-eval' in script-src.";
  if (/sha256|truncated|corrupt/i.test(message)) return ' The weights file does not match its manifest: copy both again.';
  return '';
}

/** What kind of failure a load error is: 'network', 'manifest', 'weights', 'wasm', 'webgpu', 'worker'. */
export function errorType(message) {
  if (/WebAssembly|wasm|unsafe-eval|CompileError/i.test(message)) return 'wasm';
  if (/webgpu|adapter|navigator\.gpu/i.test(message)) return 'webgpu';
  if (/worker/i.test(message)) return 'worker';
  if (/sha256|\.safetensors|truncated|corrupt/i.test(message)) return 'weights';
  if (/\.json.*(HTTP|fetch)|manifest|\.json:/i.test(message)) return 'manifest';
  return 'network';
}

// Mirrored properties: el.seed = 3 sets seed="3"; el.seed reads 3 (null when absent).
for (const name of STRINGS) {
  Object.defineProperty(JmvaePanel.prototype, name, {
    get() { return this.getAttribute(name); },
    set(value) { value === null || value === undefined ? this.removeAttribute(name) : this.setAttribute(name, String(value)); },
  });
}
for (const name of NUMBERS) {
  Object.defineProperty(JmvaePanel.prototype, name, {
    get() { return this.hasAttribute(name) ? Number(this.getAttribute(name)) : null; },
    set(value) { value === null || value === undefined ? this.removeAttribute(name) : this.setAttribute(name, String(value)); },
  });
}
