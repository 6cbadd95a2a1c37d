// The demo page: one <jmvae-demo> (the elements of jmvae-elements.js), and what only a page has:
// its URL, which opens a tab and gives the figures their settings and keeps following them (a
// copied link or a reload draws the same images), a Copy link button, the status line saying
// which backend runs the model, and hooks for tests.
//
// The URL: ?panel=faces (or #faces) opens a tab by name; ?backend=auto|webgpu|cpu; ?model= and
// ?faces-model= replace a tab's manifest; ?gpu=trust-software lets `auto` use a software WebGPU
// adapter (for testing); seed, temperature and strength go to every figure; any other
// `name=value` is a given of the modality `name` (label=3, attributes=Smiling,Male), shared out
// to the tabs whose models have it.
//
// For tests and the curious: window.jmvae = { model, ready, run, last, counts, show,
// <tab>: { the same } }, the first tab's at the top; `ready` resolves to the
// model once the tab has drawn; `last` holds each panel's last `result` (by panel name, with
// `:image` for a figure of another image modality), `counts` how many each has given.
// <body> carries data-panel (the tab shown), data-state (loading | ready | error, of the tab
// shown) and data-first-result-ms (from navigation to the first figure drawn).

import { describeBackend } from './shared/backend-choice.js';
import { hintFor, rememberPanics } from './shared/error-messages.js';
import { givenTexts } from './elements/given.js';
import { formatBytes, progressText } from './shared/format.js';

/** The page's tabs: the name a link uses, and the URL parameter that replaces its manifest. */
const TABS = [
  { name: 'digits', param: 'model', manifest: 'models/mnist.json' },
  { name: 'faces', param: 'faces-model', manifest: 'models/celeba-gan.json' },
];
const BACKENDS = ['auto', 'webgpu', 'cpu'];
/** Parameters that are the page's, not a given. */
const SETTINGS = ['panel', 'backend', 'gpu', 'seed', 'temperature', 'strength', ...TABS.map((t) => t.param)];
/** Settings given to every figure as they are. */
const FOLLOWED = ['seed', 'temperature', 'strength'];
/** The link's options, kept in the URL as they were. */
const OPTIONS = ['backend', 'gpu', ...TABS.map((t) => t.param)];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const demo = $('demo');
const notes = [];

function main() {
  rememberPanics();
  delete $('page-bar').dataset.off;
  const backend = readBackend();
  const urls = TABS.map((t) => new URL(params.get(t.param) || t.manifest, location.href).href);
  demo.setAttribute('models', urls.join(' '));
  demo.setAttribute('backend', backend);
  demo.setAttribute('tab', tabFrom(location.hash) ?? tabFrom(params.get('panel')) ?? TABS[0].name);
  demo.setAttribute('given', withDefaults(givenOf(params), demo.getAttribute('given')));
  for (const name of FOLLOWED) if (params.has(name)) demo.setAttribute(name, params.get(name));
  // Imported only now, so that the demo's first build reads the attributes above (and the
  // registry's settings: the registry module is the elements' own instance).
  import('./elements/model-registry.js')
    .then((registry) => registry.configureRegistry({ trustSoftware: params.get('gpu') === 'trust-software' }))
    .then(() => import('./jmvae-elements.js'))
    .then((elements) => start(elements, urls, backend), (error) => fail(`The elements' module could not load: ${error.message}`));
}

function readBackend() {
  const asked = (params.get('backend') || 'auto').toLowerCase();
  if (BACKENDS.includes(asked)) return asked;
  note(`?backend=${asked} is not one of ${BACKENDS.join(', ')}; using auto.`);
  return 'auto';
}

// The page's tab named by `text` ('#faces', 'faces'), else undefined.
function tabFrom(text) {
  const name = String(text ?? '').replace(/^#/, '').toLowerCase();
  return TABS.some((t) => t.name === name) ? name : undefined;
}

// Every parameter that is not a setting, as the elements' `given` (name=value&...).
function givenOf(search) {
  return [...search].filter(([name]) => !SETTINGS.includes(name)).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

// The link's givens, then the page's default for each modality the link does not name.
function withDefaults(given, defaults) {
  const named = new Set(given.split('&').map((part) => part.split('=')[0]));
  return [given, ...String(defaults ?? '').split('&').filter((part) => part && !named.has(part.split('=')[0]))].filter(Boolean).join('&');
}

function start({ holdModel }, urls, backend) {
  const hooks = TABS.map((tab, i) => hookFor(holdModel, urls[i], backend));
  window.jmvae = { show, ...Object.fromEntries(TABS.map((t, i) => [t.name, hooks[i]])) };
  for (const key of Object.keys(hooks[0])) Object.defineProperty(window.jmvae, key, { get: () => hooks[0][key], enumerable: true });
  const shown = () => TABS[demo.selectedIndex];
  const tabOf = (url) => TABS[urls.indexOf(url)];

  function show(name) {
    demo.setAttribute('tab', name); // the demo fires tab-change
  }
  function opened(name) {
    document.body.dataset.panel = name;
    const hook = window.jmvae[name];
    hook.hold();
    showState(hook);
    // The terms the weights come with (CelebA's: non-commercial research only), under the demo.
    $('notice').hidden = true;
    hook.loaded.then((model) => {
      if (document.body.dataset.panel !== name || !model.manifest?.notice) return;
      $('notice').textContent = model.manifest.notice;
      $('notice').hidden = false;
    }, () => {});
  }

  demo.addEventListener('tab-change', (event) => {
    const name = event.detail.name.toLowerCase();
    opened(name);
    writeLink(name, window.jmvae[name].linkState); // each tab keeps its own state
  });
  demo.addEventListener('progress', (event) => tabOf(event.detail.model) === shown() && showDownload(event.detail));
  demo.addEventListener('load', () => showBackend(window.jmvae[shown().name]));
  demo.addEventListener('backend-change', (event) => showBackend(window.jmvae[shown().name], event.detail.why));
  demo.addEventListener('result', (event) => {
    const tab = tabOf(event.detail.model);
    if (!tab) return;
    const hook = window.jmvae[tab.name];
    // A figure of a model's second image modality has its own key: 'generate:fashion'.
    const image = event.composedPath()[0].getAttribute?.('image');
    const key = image ? `${event.detail.panel}:${image}` : event.detail.panel;
    hook.last[key] = event.detail;
    hook.counts[key] = (hook.counts[key] ?? 0) + 1;
    if (!hook.drawn) hook.firstDrawn();
    if (tab === shown()) {
      showState(hook);
      document.body.dataset.firstResultMs ??= String(Math.round(performance.now()));
      if (!image) Object.assign(hook.linkState, stateOf(event.detail, hook));
      writeLink(tab.name, hook.linkState);
    }
  });
  demo.addEventListener('error', (event) => {
    const { type, message, model } = event.detail;
    const tab = tabOf(model) ?? shown();
    if (type === 'input') note(`This link's settings: ${message}`);
    else if (type !== 'model') failed(window.jmvae[tab.name], message); // a failed action is the figure's to say
  });
  window.addEventListener('hashchange', () => tabFrom(location.hash) && show(tabFrom(location.hash)));
  $('copy-link').addEventListener('click', copyLink);
  opened(shown().name);
}

// A tab's hook: its model held from the registry (the very model its figures use) once shown.
function hookFor(holdModel, url, backend) {
  let held = null;
  let drawn;
  const hook = {
    model: null,
    loaded: null, // the model's promise, once held
    drawn: false,
    error: '', // why this tab's model could not load
    last: {}, // the last `result` of each panel: { generate: detail, ... }
    counts: {}, // how many results each panel has given
    linkState: {}, // what the URL says of this tab's figures
    ready: new Promise((resolve) => { drawn = resolve; }),
    hold() {
      if (held) return;
      held = holdModel(url, backend, () => {});
      hook.loaded = held.model;
      held.model.then((model) => {
        hook.model = model;
        nameStrangers(model.modalities);
      }, (error) => failed(hook, error.message));
    },
    firstDrawn() {
      hook.drawn = true;
      held?.model.then(drawn);
    },
    /** Run `job` on the model's queue, behind the figures' own calls. */
    run: (job) => held.run(job, Symbol('page')),
  };
  return hook;
}

// A link's parameters that are neither the page's settings nor a modality of the model shown
// are named (quoted short), so that a mistyped link says what it ignored.
function nameStrangers(modalities) {
  for (const [name, value] of params) {
    if (SETTINGS.includes(name) || modalities.some((m) => m.name === name)) continue;
    const quoted = `${name}=${value}`;
    note(`Ignored ${quoted.length > 40 ? `${quoted.slice(0, 40)}…` : quoted} (${name} is not a setting of this page or a modality of this model).`);
  }
}

// The URL parameters of a figure's `result`: the generated grid's given (by class and attribute
// names), seed and temperature, and the edit's strength.
function stateOf(detail, hook) {
  const state = {};
  const modalities = hook.model?.modalities ?? [];
  const given = Object.fromEntries(Object.entries(detail.panel === 'generate' ? detail.given ?? {} : {}).filter(([name]) => modalities.some((m) => m.name === name)));
  for (const [name, text] of givenTexts(given, modalities)) state[name] = text;
  const reported = detail.panel === 'generate' ? ['seed', 'temperature'] : detail.panel === 'edit' ? ['strength'] : [];
  // Four decimals: a model's default τ is an f32 (0.949999988 for 0.95), the same f32 either way.
  for (const name of reported) if (detail[name] !== undefined) state[name] = String(Number(detail[name].toFixed(4)));
  return state;
}

// The URL, rewritten for `tab` and its figures' `state`: the link's options as they were (the
// backend, the manifests), the tab, then the state. A parameter the page did not use is dropped.
function writeLink(tab, state) {
  const next = new URLSearchParams();
  for (const name of OPTIONS) if (params.has(name)) next.set(name, params.get(name));
  if (tab !== TABS[0].name) next.set('panel', tab);
  const order = ([name]) => FOLLOWED.indexOf(name); // the givens (-1) first, then seed, temperature, strength
  for (const [name, value] of Object.entries(state).sort((a, b) => order(a) - order(b))) next.set(name, value);
  const query = next.toString().replace(/%2C/g, ',');
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}`);
}

// The status line: which backend runs the shown tab's model, where, and why (shared/backend-choice.js).
function showBackend(hook, said) {
  if (!hook.model) return;
  $('status').textContent = said ?? describeBackend(hook.model, { backend: demo.getAttribute('backend') });
  $('status').dataset.backend = hook.model.backend;
}

// The weights' download under the status line: its progress, then where they came from.
function showDownload({ loaded, total, source, note, done }) {
  const line = $('progress-text');
  line.dataset.source = source;
  if (!done) line.textContent = `Downloading the weights: ${progressText(loaded, total)}`;
  else line.textContent = source === 'cache' ? note : [`Downloaded ${formatBytes(total)}.`, note].filter(Boolean).join(' ');
}

// Copy link: to the clipboard, or where there is none (plain http from another host, an iframe
// without the permission), shown selected for the visitor to copy.
async function copyLink() {
  const field = Object.assign($('link-field'), { value: location.href });
  const copied = await Promise.resolve().then(() => navigator.clipboard.writeText(location.href)).then(() => true, () => false);
  if (!copied) Object.assign(field, { hidden: false }).select();
  $('copy-status').textContent = copied ? 'Copied' : 'Press Ctrl+C (⌘C on a Mac) to copy the selected link';
}

// The page's state and error box say the tab shown's.
function showState(hook) {
  if (document.body.dataset.state === 'error' && !$('error').dataset.tab) return; // the page itself failed
  document.body.dataset.state = hook.error ? 'error' : hook.drawn ? 'ready' : 'loading';
  const hint = hook.error ? hintFor(hook.error) : '';
  $('error').textContent = hint ? `${hook.error} ${hint}` : hook.error;
  $('error').dataset.tab = 'yes';
  $('error').hidden = !hook.error;
}

// A tab's model failed to load: said once, in the error box while that tab is shown.
function failed(hook, message) {
  hook.error ||= message;
  if (window.jmvae[document.body.dataset.panel] === hook) showState(hook);
}

function note(text) {
  if (notes.includes(text)) return;
  notes.push(text);
  $('link-note').textContent = notes.join(' ');
  $('link-note').hidden = false;
}

// The page itself could not start (its modules): said in the error box, for every tab.
function fail(message) {
  document.body.dataset.state = 'error';
  $('error').textContent = message;
  $('error').hidden = false;
}

main();
