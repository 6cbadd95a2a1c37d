// <jmvae-demo>: the whole demo as one element, a tab per model, each tab the panels its model
// can serve (chosen from its modalities: edit needs binary attributes; read and latent need a
// model that is not a CVAE). The demo page is one of these; an author who copied the whole page
// before can drop one in instead.
//
//   <jmvae-demo models="models/mnist.json models/celeba-gan.json" tabs="Digits Faces"
//               tab="faces" given="label=3&attributes=Smiling" seed="7"></jmvae-demo>
//
// `given` and `presets` are shared out: each tab's panels get the parts naming their model's
// modalities. A tile picked in a tab's generated grid goes to that tab's read, edit and latent
// panels. Events: the panels' (bubbling out of the demo), and `tab-change` { index, name, model }.

import { make } from './controls.js';
import { servedFigures, shareFor } from './given.js';
import { holdModel } from './model-registry.js';

const STYLESHEET = new URL('./panel.css', import.meta.url).href;
const DEFAULT_MODELS = ['../models/mnist.json', '../models/celeba-gan.json'].map((path) => new URL(path, import.meta.url).href);
/** Attributes a tab's panels take from the demo as they are. */
const PASSED = ['backend', 'seed', 'samples', 'temperature', 'strength'];
/** Panels that take a picked image. */
const TAKES_IMAGES = ['read', 'edit', 'latent'];

export class JmvaeDemo extends HTMLElement {
  static observedAttributes = ['models', 'tabs', 'tab', 'given', 'presets', ...PASSED];

  #tabs = null; // [{ tab, panel, url, name, model, filled }]
  #shown = 0;

  connectedCallback() {
    if (!this.#tabs) this.#build();
  }

  attributeChangedCallback(name, before, after) {
    if (before === after || !this.#tabs) return;
    if (name === 'tab') return this.#show(this.#indexOf(after));
    if (name === 'models' || name === 'tabs' || name === 'backend') return this.#build();
    for (const tab of this.#tabs.filter((t) => t.filled)) this.#configure(tab); // the panels redraw
  }

  /** The index of the tab shown. */
  get selectedIndex() {
    return this.#shown;
  }

  /** The <jmvae-panel> elements of the tab shown (none before its model has loaded). */
  get panels() {
    return [...(this.#tabs?.[this.#shown]?.panel.querySelectorAll('jmvae-panel') ?? [])];
  }

  #build() {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    const sheet = make('link');
    sheet.rel = 'stylesheet';
    sheet.href = STYLESHEET;
    const frame = make('div', { className: 'frame', part: 'frame' });
    frame.dataset.state = 'ready';
    const models = (this.getAttribute('models') ?? '').split(/\s+/).filter(Boolean);
    const urls = models.length ? models.map((m) => new URL(m, document.baseURI).href) : DEFAULT_MODELS;
    const names = (this.getAttribute('tabs') ?? '').split(/\s+/).filter(Boolean);
    const strip = make('div', { className: 'tabs', part: 'tabs' });
    strip.setAttribute('role', 'tablist');
    strip.setAttribute('aria-label', 'Models');
    this.#tabs = urls.map((url, i) => this.#tab(url, names[i] ?? url.split('/').pop().replace(/\.json$/, ''), i, urls.length));
    strip.append(...this.#tabs.map((t) => t.tab));
    frame.append(strip, ...this.#tabs.map((t) => t.panel));
    root.replaceChildren(sheet, frame);
    this.#show(this.#indexOf(this.getAttribute('tab')), { quiet: true });
  }

  #tab(url, name, i, count) {
    const tab = make('button', { part: 'button tab', text: name });
    tab.type = 'button';
    tab.setAttribute('role', 'tab');
    tab.id = `tab-${i}`;
    tab.dataset.name = name.toLowerCase();
    const panel = make('div', { className: 'demo-grid', part: 'tab-panel' });
    panel.setAttribute('role', 'tabpanel');
    panel.id = `tab-panel-${i}`;
    tab.setAttribute('aria-controls', panel.id);
    panel.setAttribute('aria-labelledby', tab.id);
    tab.addEventListener('click', () => this.#show(i));
    // The tabs pattern of WAI-ARIA: arrows move between tabs, Home and End to the ends.
    tab.addEventListener('keydown', (event) => {
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: count - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const to = (next + count) % count;
      this.#show(to);
      this.#tabs[to].tab.focus();
    });
    // A picked image goes to the panels of this tab that read images.
    panel.addEventListener('pick', (event) => {
      for (const other of panel.querySelectorAll('jmvae-panel')) {
        if (TAKES_IMAGES.includes(other.getAttribute('panel'))) other.useImage(event.detail.modality, event.detail.values);
      }
      panel.querySelector('jmvae-panel[panel="edit"], jmvae-panel[panel="read"]')?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    });
    return { tab, panel, url, name, model: null, filled: false };
  }

  // A tab by its index or its name (any case); the first for anything else.
  #indexOf(text) {
    if (text === null || text === undefined || !this.#tabs) return 0;
    const byName = this.#tabs.findIndex((t) => t.name.toLowerCase() === String(text).toLowerCase());
    if (byName >= 0) return byName;
    const n = Number(text);
    return Number.isInteger(n) && n >= 0 && n < this.#tabs.length ? n : 0;
  }

  #show(index, { quiet = false } = {}) {
    this.#shown = index;
    this.#tabs.forEach((t, i) => {
      t.tab.setAttribute('aria-selected', String(i === index));
      t.tab.tabIndex = i === index ? 0 : -1;
      t.panel.hidden = i !== index;
    });
    const shown = this.#tabs[index];
    if (!shown.filled) {
      shown.filled = true;
      this.#fill(shown);
    }
    if (!quiet) this.dispatchEvent(new CustomEvent('tab-change', { detail: { index, name: shown.name, model: shown.url }, bubbles: true, composed: true }));
  }

  // The panels the tab's model can serve, one <jmvae-panel> each, sharing that one model.
  async #fill(tab) {
    const held = holdModel(tab.url, this.getAttribute('backend') || 'auto', () => {});
    try {
      tab.model = await held.model;
    } catch {
      tab.model = null; // the one panel says why, with the same error
    }
    const figures = tab.model ? servedFigures(tab.model.modalities) : [{ panel: 'generate', image: null }];
    for (const { panel, image } of figures) {
      const element = document.createElement('jmvae-panel');
      element.setAttribute('model', tab.url);
      element.setAttribute('panel', panel);
      if (image) element.setAttribute('image', image);
      element.setAttribute('loading', 'eager');
      this.#settle(element, tab); // before it connects: it loads on its backend at once
      tab.panel.append(element);
    }
    held.release(); // the panels hold it now
  }

  // The demo's settings on each panel of `tab`.
  #configure(tab) {
    for (const element of tab.panel.querySelectorAll('jmvae-panel')) this.#settle(element, tab);
  }

  // The demo's settings on one panel: `given` and `presets` shared out by modality, the rest as is.
  #settle(element, tab) {
    for (const name of PASSED) {
      if (this.hasAttribute(name)) element.setAttribute(name, this.getAttribute(name));
      else element.removeAttribute(name);
    }
    const modalities = tab.model?.modalities ?? [];
    for (const [name, separator] of [['given', '&'], ['presets', ';']]) {
      const share = shareFor(this.getAttribute(name), modalities, separator);
      if (share) element.setAttribute(name, share);
      else element.removeAttribute(name);
    }
  }
}
