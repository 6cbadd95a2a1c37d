// <jmvae-demo>: the whole demo as one element, a tab per model, each tab the panels its model
// can serve (chosen from its modalities: edit needs binary attributes; read and latent need a
// model that is not a CVAE), for authors who copied the whole page before.
//
//   <jmvae-demo models="models/mnist.json models/celeba-gan.json" tabs="Digits Faces"></jmvae-demo>

import { make } from './controls.js';
import { servedPanels } from './given.js';
import { holdModel } from './model-registry.js';

const STYLESHEET = new URL('./panel.css', import.meta.url).href;
const DEFAULT_MODELS = ['../models/mnist.json', '../models/celeba-gan.json'].map((path) => new URL(path, import.meta.url).href);

export class JmvaeDemo extends HTMLElement {
  #built = false;

  connectedCallback() {
    if (this.#built) return;
    this.#built = true;
    const root = this.attachShadow({ mode: 'open' });
    const sheet = make('link');
    sheet.rel = 'stylesheet';
    sheet.href = STYLESHEET;
    const frame = make('div', { className: 'frame', part: 'frame' });
    frame.dataset.state = 'ready';
    const models = (this.getAttribute('models') ?? '').split(/\s+/).filter(Boolean);
    const urls = models.length ? models.map((m) => new URL(m, document.baseURI).href) : DEFAULT_MODELS;
    const names = (this.getAttribute('tabs') ?? '').split(/\s+/).filter(Boolean);
    const tabs = make('div', { className: 'tabs', part: 'tabs' });
    tabs.setAttribute('role', 'tablist');
    const panels = urls.map((url, i) => {
      const tab = make('button', { part: 'button tab', text: names[i] ?? url.split('/').pop().replace(/\.json$/, '') });
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      const panel = make('div', { className: 'demo-grid', part: 'tab-panel' });
      panel.setAttribute('role', 'tabpanel');
      panel.id = `tab-panel-${i}`;
      tab.id = `tab-${i}`;
      tab.setAttribute('aria-controls', panel.id);
      panel.setAttribute('aria-labelledby', tab.id);
      tab.addEventListener('click', () => this.#show(panels, i));
      // The tabs pattern of WAI-ARIA: arrows move between tabs, Home and End to the ends.
      tab.addEventListener('keydown', (event) => {
        const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: urls.length - 1 }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        const to = (next + urls.length) % urls.length;
        this.#show(panels, to);
        panels[to].tab.focus();
      });
      tabs.append(tab);
      return { tab, panel, url, filled: false };
    });
    frame.append(tabs, ...panels.map((p) => p.panel));
    root.append(sheet, frame);
    this.#show(panels, 0);
  }

  #show(panels, index) {
    panels.forEach((p, i) => {
      p.tab.setAttribute('aria-selected', String(i === index));
      p.tab.tabIndex = i === index ? 0 : -1;
      p.panel.hidden = i !== index;
    });
    const shown = panels[index];
    if (!shown.filled) {
      shown.filled = true;
      this.#fill(shown);
    }
  }

  // The panels the tab's model can serve, one <jmvae-panel> each, sharing that one model.
  async #fill({ panel, url }) {
    const held = holdModel(url, this.getAttribute('backend') || 'auto', () => {});
    let model;
    try {
      model = await held.model;
    } catch {
      model = null; // each panel says why, with the same error
    }
    const names = model ? servedPanels(model.modalities) : ['generate'];
    for (const name of names) {
      const element = document.createElement('jmvae-panel');
      for (const attribute of ['backend', 'seed', 'temperature']) {
        if (this.hasAttribute(attribute)) element.setAttribute(attribute, this.getAttribute(attribute));
      }
      element.setAttribute('model', url);
      element.setAttribute('panel', name);
      element.setAttribute('loading', 'eager');
      panel.append(element);
    }
    held.release(); // the panels hold it now
  }
}
