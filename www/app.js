// The JMVAE browser demo: load the WebAssembly package and the weights, then wire three panels
// to the model: label -> images, drawing -> label, and a walk between two labels' latents.
//
// Plain ES module, no framework, no build step. The page is served from the repository root
// (node scripts/serve.mjs) because the wasm package lives in ../pkg/, beside www/. Every URL
// is relative, so the page also works from a sub-directory or inside an iframe.
//
// For tests and the curious: `window.jmvae = { model, ready, run }`, and <body> carries
// data-state="loading|ready|error" and data-first-digit-ms (ms from navigation start to the
// first digit drawn). The pure helpers are exported so that Node can test them.

const PACKAGE_URL = new URL('../pkg/jmvae.js', import.meta.url);
const DEFAULT_MODEL = './models/mnist.json';
const BACKENDS = ['auto', 'webgpu', 'cpu'];
const GRID_SAMPLES = 16;
const FIRST_LABEL = 0; // what the grid shows before anyone clicks
const INTERP_DEFAULTS = [1, 7];
const SLOW_LOAD_MS = 30_000;

// MNIST geometry: 28x28 images whose digit was scaled to fit a 20x20 box, then centred by its
// centre of mass (LeCun et al.). Drawings go through the same steps before the model sees them.
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const BOX = 20;
// Where MNIST puts the centre of mass: pixel (14, 14), i.e. 14.5 with pixel i spanning [i, i+1).
const CENTRE = 14.5;
// On the 280x280 drawing canvas, about 2.2 MNIST pixels once a full-size digit is scaled down.
const STROKE_WIDTH = 22;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests)

/** The page's options from its query string: ?backend=auto|webgpu|cpu and ?model=URL. */
export function readOptions(search) {
  const params = new URLSearchParams(search);
  const backend = (params.get('backend') || 'auto').toLowerCase();
  if (!BACKENDS.includes(backend)) {
    throw new Error(`?backend=${backend} is not one of ${BACKENDS.join(', ')}`);
  }
  return { backend, model: params.get('model') || DEFAULT_MODEL };
}

/** "1.2 MB", "340.0 kB", "12 B". */
export function formatBytes(bytes) {
  const n = Number(bytes); // wasm may hand over a BigInt for a u64
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** "1.2 MB / 3.4 MB", or just "1.2 MB" while the total is unknown (0). */
export function progressText(loaded, total) {
  return Number(total) > 0 ? `${formatBytes(loaded)} / ${formatBytes(total)}` : formatBytes(loaded);
}

/** Index of the largest of `count` values starting at `offset`. */
export function argmax(values, offset = 0, count = values.length - offset) {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}

/**
 * The message of a Rust panic as console_error_panic_hook logs it ("panicked at file:line:col:\n
 * message\n\nStack: ..."), or null for any other text.
 */
export function panicMessage(text) {
  const match = /^panicked at [^\n]*\n([\s\S]*?)(?:\n\s*Stack:|$)/.exec(text);
  return match ? match[1].trim() : null;
}

// The first Rust panic logged (the cause; later ones follow from it). A panic reaches JS only as
// "RuntimeError: unreachable": its real message goes to the console alone.
let firstPanic = null;

/** Any thrown value (Error, string, wasm JsValue) as a readable sentence. */
export function messageOf(error) {
  if (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError && firstPanic) {
    return `the WebAssembly module panicked: ${firstPanic}`;
  }
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Runs async jobs one at a time: the wasm model is a single object, and overlapping calls on it
 * would interleave at their awaits. `latest(key, job)` also coalesces: while a job of that key
 * still waits for its turn, a newer one replaces it (a dragged slider decodes only where it
 * stops, not at every step it passed).
 */
export function createQueue() {
  let tail = Promise.resolve();
  const waiting = new Map();
  function run(job) {
    const result = tail.then(job);
    tail = result.catch(() => {}); // one failure must not block the jobs behind it
    return result;
  }
  function latest(key, job) {
    const pending = waiting.get(key);
    if (pending) {
      pending.job = job;
      return pending.result;
    }
    const entry = { job };
    entry.result = run(() => {
      waiting.delete(key);
      return entry.job();
    });
    waiting.set(key, entry);
    return entry.result;
  }
  return { run, latest };
}

/** Ink per pixel (0..1) from canvas RGBA bytes: the drawing is opaque ink on transparency. */
export function inkFromRgba(rgba) {
  const ink = new Float32Array(rgba.length / 4);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4 + 3] / 255;
  return ink;
}

/** Bounding box of the pixels with more than `threshold` ink, or null when there are none. */
export function inkBounds(ink, width, height, threshold = 0.02) {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] <= threshold) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

// How much of source pixel i (covering [i, i+1)) lies inside [a, b).
function overlap(i, a, b) {
  return Math.max(0, Math.min(i + 1, b) - Math.max(i, a));
}

/**
 * Area-average the `box` of `ink` into an outW x outH image: each output pixel is the mean ink
 * of the source area it covers, weighted by coverage (an anti-aliased resize, either way).
 */
export function resample(ink, width, box, outW, outH) {
  const out = new Float32Array(outW * outH);
  const sx = box.w / outW, sy = box.h / outH;
  for (let ty = 0; ty < outH; ty++) {
    const ya = box.y + ty * sy, yb = ya + sy;
    for (let tx = 0; tx < outW; tx++) {
      const xa = box.x + tx * sx, xb = xa + sx;
      let sum = 0, weight = 0;
      for (let y = Math.floor(ya); y < Math.ceil(yb); y++) {
        const wy = overlap(y, ya, yb);
        for (let x = Math.floor(xa); x < Math.ceil(xb); x++) {
          const w = wy * overlap(x, xa, xb);
          sum += w * ink[y * width + x];
          weight += w;
        }
      }
      out[ty * outW + tx] = weight > 0 ? sum / weight : 0;
    }
  }
  return out;
}

/** Centre of mass of an image, in pixel units (pixel i spans [i, i+1)). */
export function centreOfMass(values, width, height) {
  let total = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      total += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
    }
  }
  return total > 0 ? { x: sx / total, y: sy / total } : { x: width / 2, y: height / 2 };
}

/**
 * A drawing as MNIST would have it: the inked area scaled (aspect kept) to fit 20x20, placed
 * in a 28x28 image so that its centre of mass sits at the centre. Returns 784 values in [0, 1],
 * or null for an empty drawing.
 */
export function toMnist(ink, width, height) {
  const box = inkBounds(ink, width, height);
  if (!box) return null;
  const scale = BOX / Math.max(box.w, box.h);
  const w = Math.max(1, Math.round(box.w * scale));
  const h = Math.max(1, Math.round(box.h * scale));
  const small = resample(ink, width, box, w, h);
  const centre = centreOfMass(small, w, h);
  const clampOffset = (value, size) => Math.min(SIDE - size, Math.max(0, Math.round(value)));
  const ox = clampOffset(CENTRE - centre.x, w);
  const oy = clampOffset(CENTRE - centre.y, h);
  const out = new Float32Array(PIXELS);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Clamp: rounding may leave 1.0000001, and the model refuses values outside [0, 1].
      out[(oy + y) * SIDE + ox + x] = Math.min(1, Math.max(0, small[y * w + x]));
    }
  }
  return out;
}

/** Latent `a` moved a fraction `t` of the way to `b`. */
export function mix(a, b, t) {
  const z = new Float32Array(a.length);
  for (let i = 0; i < z.length; i++) z[i] = (1 - t) * a[i] + t * b[i];
  return z;
}

// A serde map may reach JS as a Map; the page wants plain objects for display and JSON.
function plain(value) {
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Page state: status line, progress, errors

function setState(state) {
  document.body.dataset.state = state;
  $('demo').inert = state !== 'ready';
}

function setStatus(text) {
  $('status').textContent = text;
}

function showProgress(loaded, total) {
  const bar = $('progress');
  if (Number(total) > 0) {
    bar.max = Number(total);
    bar.value = Number(loaded);
  } else {
    bar.removeAttribute('value'); // an indeterminate bar while the size is unknown
  }
  $('progress-text').textContent = progressText(loaded, total);
}

// A next step for the reader, for the failures we can recognise.
function hintFor(text) {
  if (location.protocol === 'file:') {
    return 'Pages opened from file:// cannot load modules or weights: run node scripts/serve.mjs and open the URL it prints.';
  }
  if (/pkg\/jmvae/.test(text) && /missing|404/.test(text)) {
    return 'Build the WebAssembly package into pkg/ first (see the README).';
  }
  if (/404/.test(text)) return 'Check the ?model= URL, or that the manifest and its weights file are in www/models/.';
  if (/sha256|truncated|corrupt/i.test(text)) return 'The weights file does not match its manifest: download or export it again.';
  if (/device.*lost|lost.*device/i.test(text)) return 'The GPU device was lost: reload the page, or add ?backend=cpu to the URL.';
  if (/webgpu|adapter|navigator\.gpu/i.test(text)) return 'Add ?backend=cpu to the URL to run on the CPU instead.';
  if (/unreachable|RuntimeError|panicked/.test(text)) return 'The WebAssembly module crashed (details in the browser console): reload the page.';
  return '';
}

/** Show a readable message in #error; the page stays usable unless `fatal`. */
function showError(context, error, { fatal = false } = {}) {
  const text = `${context}: ${messageOf(error)}`;
  const box = $('error');
  box.replaceChildren(paragraph(text));
  const hint = hintFor(text);
  if (hint) box.append(paragraph(hint, 'hint'));
  box.hidden = false;
  console.error(context, error);
  if (fatal) {
    setState('error');
    setStatus('The demo could not start.');
    $('progress').hidden = true;
  }
}

function clearActionError() {
  if (document.body.dataset.state === 'ready') $('error').hidden = true;
}

function paragraph(text, className) {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}

/** Run a user action; its failure is shown (not thrown), and the page stays usable. */
async function act(context, job) {
  try {
    const result = await job();
    clearActionError();
    return result;
  } catch (error) {
    showError(context, error);
    return undefined;
  }
}

// Keep the message of the first Rust panic, which messageOf() then shows instead of "unreachable".
function rememberPanics() {
  const log = console.error.bind(console);
  console.error = (...args) => {
    firstPanic ??= panicMessage(args.map(String).join(' '));
    log(...args);
  };
}

// Errors nobody caught (in event handlers, in wasm callbacks) still reach the reader.
function reportUncaughtErrors() {
  const fatal = () => document.body.dataset.state === 'loading';
  window.addEventListener('error', (event) => {
    showError('Unexpected error', event.error ?? event.message, { fatal: fatal() });
  });
  window.addEventListener('unhandledrejection', (event) => {
    showError('Unexpected error', event.reason, { fatal: fatal() });
  });
}

// ---------------------------------------------------------------------------------------------
// Loading

async function importPackage() {
  try {
    return await import(PACKAGE_URL.href);
  } catch (error) {
    // The import error says little ("Failed to fetch dynamically imported module"): ask the
    // server whether the file is there at all, which is by far the most common problem.
    const status = await httpStatus(PACKAGE_URL);
    if (status === 404) throw new Error(`pkg/jmvae.js missing (HTTP 404 for ${PACKAGE_URL.pathname})`);
    throw new Error(`pkg/jmvae.js could not be loaded: ${messageOf(error)}`);
  }
}

async function httpStatus(url) {
  try {
    return (await fetch(url, { method: 'HEAD', cache: 'no-store' })).status;
  } catch {
    return null;
  }
}

async function startWasm(pkg) {
  try {
    await pkg.default(); // fetches and instantiates pkg/jmvae_bg.wasm beside jmvae.js
  } catch (error) {
    throw new Error(`pkg/jmvae_bg.wasm could not be started: ${messageOf(error)}`);
  }
}

async function loadModel(pkg, options) {
  // An absolute URL, so that the weights beside the manifest resolve however the package
  // joins paths, and error messages name exactly what was fetched.
  const url = new URL(options.model, document.baseURI).href;
  const slow = setTimeout(() => {
    setStatus(`Still loading after ${SLOW_LOAD_MS / 1000} s… if it stays stuck, try ?backend=cpu.`);
  }, SLOW_LOAD_MS);
  try {
    return await pkg.Model.load(url, { backend: options.backend, onProgress: showProgress });
  } finally {
    clearTimeout(slow);
  }
}

/** The page draws 28x28 digits and 10 label bars: refuse any other model clearly. */
function checkMnist(model) {
  const image = model.modalities.find((m) => m.name === 'image');
  const label = model.modalities.find((m) => m.name === 'label');
  const ok = image && String(image.shape) === `${SIDE},${SIDE}` && label && label.labels.length === 10;
  if (!ok) {
    const seen = model.modalities.map((m) => `${m.name} [${m.shape}]`).join(', ');
    throw new Error(`this page needs an MNIST model (image [28,28] + label [10]), got ${seen}`);
  }
  return { labels: [...label.labels] };
}

function describeBackend(model, options) {
  if (model.backend === 'webgpu') return 'Running on WebGPU (GPU).';
  const cpu = 'Running on the CPU (WebAssembly)';
  if (model.fallbackReason) return `${cpu}, as WebGPU is unavailable: ${model.fallbackReason}.`;
  if (options.backend === 'cpu') return `${cpu}, as ?backend=cpu asks.`;
  return `${cpu}.`;
}

function showLoaded(model, options) {
  const status = $('status');
  status.dataset.backend = model.backend;
  setStatus(describeBackend(model, options));
  $('progress').hidden = true;
  const text = $('progress-text');
  if (text.textContent) text.textContent = `Downloaded ${text.textContent.split(' / ').pop()}.`;
  showManifest(plain(model.manifest));
}

// ---------------------------------------------------------------------------------------------
// Drawing digits

/** Draw 784 probabilities (from `offset`) as dark ink on white paper. */
function drawDigit(canvas, values, offset = 0) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  for (let i = 0; i < PIXELS; i++) {
    const paper = Math.round(255 * (1 - Math.min(1, Math.max(0, values[offset + i]))));
    image.data[i * 4] = paper;
    image.data[i * 4 + 1] = paper;
    image.data[i * 4 + 2] = paper;
    image.data[i * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

function digitCanvas() {
  const canvas = document.createElement('canvas');
  canvas.width = SIDE;
  canvas.height = SIDE;
  canvas.className = 'digit';
  return canvas;
}

function percent(p) {
  return `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;
}

function markFirstDigit() {
  if (!document.body.dataset.firstDigitMs) {
    document.body.dataset.firstDigitMs = performance.now().toFixed(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Panel: label -> 16 images

/** Shows "first call" (shader compilation and all) apart from the latest, warm, call. */
function createTimer(element) {
  let first = null;
  return (ms) => {
    first ??= ms;
    element.dataset.firstMs = first.toFixed(1);
    element.dataset.lastMs = ms.toFixed(1);
    element.textContent = `Generated in ${ms.toFixed(0)} ms (first call: ${first.toFixed(0)} ms, which includes warm-up).`;
  };
}

function readSeed(input) {
  const seed = Math.trunc(Number(input.value));
  return Number.isFinite(seed) && seed >= 0 ? seed : 0;
}

function setupGenerate(model, queue, labels) {
  const grid = $('grid');
  const seedInput = $('seed');
  const cells = Array.from({ length: GRID_SAMPLES }, digitCanvas);
  grid.replaceChildren(...cells);
  const record = createTimer($('timing'));
  let label = FIRST_LABEL;

  async function show() {
    const seed = readSeed(seedInput);
    const started = performance.now();
    const out = await model.generate({ label }, { samples: GRID_SAMPLES, seed });
    record(performance.now() - started);
    cells.forEach((canvas, i) => {
      drawDigit(canvas, out.image, i * PIXELS);
      // The label decoder's reading of each sample: does the image agree with its label?
      const read = argmax(out.label, i * labels.length, labels.length);
      canvas.title = `reads as ${labels[read]} (${percent(out.label[i * labels.length + read])})`;
    });
    grid.dataset.label = String(label);
    grid.dataset.seed = String(seed);
    markFirstDigit();
  }
  const refresh = () => queue.latest('grid', show);
  const refreshShown = () => act('Generating digits', refresh);

  for (const button of document.querySelectorAll('#labels button[data-label]')) {
    button.addEventListener('click', () => {
      label = Number(button.dataset.label);
      pressOnly(button);
      refreshShown();
    });
  }
  $('resample').addEventListener('click', () => {
    seedInput.value = String(readSeed(seedInput) + 1);
    refreshShown();
  });
  seedInput.addEventListener('change', refreshShown);
  pressOnly(document.querySelector(`#labels button[data-label="${FIRST_LABEL}"]`));
  return refresh;
}

function pressOnly(pressed) {
  for (const button of document.querySelectorAll('#labels button')) {
    button.setAttribute('aria-pressed', String(button === pressed));
  }
}

// ---------------------------------------------------------------------------------------------
// Panel: drawing -> label probabilities and reconstruction

/** Pointer drawing (mouse, pen and touch alike) on a canvas; calls onStrokeEnd after each stroke. */
function createPad(canvas, onStrokeEnd) {
  const context = canvas.getContext('2d', { willReadFrequently: true });
  let pointer = null; // the pointer that draws; other fingers are ignored
  let last = null;

  const at = (event) => {
    const rect = canvas.getBoundingClientRect(); // the canvas is scaled by CSS on small screens
    return {
      x: ((event.clientX - rect.left) * canvas.width) / rect.width,
      y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    };
  };
  const line = (from, to) => {
    context.lineWidth = STROKE_WIDTH;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.strokeStyle = '#000';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  };

  canvas.addEventListener('pointerdown', (event) => {
    if (pointer !== null || event.button !== 0) return;
    event.preventDefault();
    pointer = event.pointerId;
    canvas.setPointerCapture(pointer);
    last = at(event);
    line(last, last); // a tap leaves a dot
  });
  canvas.addEventListener('pointermove', (event) => {
    if (event.pointerId !== pointer) return;
    // Coalesced events keep fast strokes smooth where the browser batches moves per frame.
    const coalesced = event.getCoalescedEvents?.() ?? [];
    for (const e of coalesced.length ? coalesced : [event]) {
      const point = at(e);
      line(last, point);
      last = point;
    }
  });
  const end = (event) => {
    if (event.pointerId !== pointer) return;
    pointer = null;
    onStrokeEnd();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  return {
    ink: () => inkFromRgba(context.getImageData(0, 0, canvas.width, canvas.height).data),
    clear: () => context.clearRect(0, 0, canvas.width, canvas.height),
  };
}

/** Ten bars, one per label, each with data-label and its probability in data-p. */
function showBars(container, labels, probabilities) {
  if (container.children.length !== labels.length) {
    container.replaceChildren(...labels.map(barElement));
  }
  const best = argmax(probabilities, 0, labels.length);
  labels.forEach((_, i) => {
    const bar = container.children[i];
    const p = probabilities[i];
    bar.dataset.p = String(p);
    bar.classList.toggle('best', i === best);
    bar.querySelector('.bar-fill').style.width = `${(100 * p).toFixed(2)}%`;
    bar.querySelector('.bar-value').textContent = percent(p);
  });
  $('prediction').textContent = `Reads as ${labels[best]} (${percent(probabilities[best])}).`;
}

function barElement(label, i) {
  const bar = document.createElement('div');
  bar.className = 'bar';
  bar.dataset.label = String(i);
  bar.innerHTML = '<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>';
  bar.querySelector('.bar-label').textContent = label;
  return bar;
}

function blank(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}

function setupDrawing(model, queue, labels) {
  let drawing = 0; // bumped by Clear, so that a late answer does not redraw a cleared pad
  const pad = createPad($('draw'), () => act('Reading the drawing', () => queue.latest('draw', read)));

  async function read() {
    const version = drawing;
    const pixels = toMnist(pad.ink(), $('draw').width, $('draw').height);
    if (!pixels) return;
    drawDigit($('input28'), pixels);
    const out = await model.generate({ image: pixels }, { samples: 0, seed: 0 });
    if (version !== drawing) return;
    drawDigit($('recon'), out.image);
    showBars($('bars'), labels, out.label);
  }

  $('clear').addEventListener('click', () => {
    drawing++;
    pad.clear();
    blank($('input28'));
    blank($('recon'));
    $('bars').replaceChildren();
    $('prediction').textContent = '';
  });
}

// ---------------------------------------------------------------------------------------------
// Panel: walk between the latents of two labels

function setupInterpolation(model, queue, labels) {
  const from = $('interp-from');
  const to = $('interp-to');
  const slider = $('interp');
  for (const select of [from, to]) {
    select.replaceChildren(...labels.map((label, i) => new Option(label, String(i))));
  }
  [from.value, to.value] = INTERP_DEFAULTS.map(String);

  const means = new Map(); // label -> mean of q(z | label); it never changes, so keep it
  async function meanOf(label) {
    if (!means.has(label)) means.set(label, (await model.encode({ label })).mean);
    return means.get(label);
  }

  async function showEnds() {
    const a = await meanOf(Number(from.value));
    const b = await meanOf(Number(to.value));
    const out = await model.decode(Float32Array.from([...a, ...b]));
    drawDigit($('interp-start'), out.image, 0);
    drawDigit($('interp-end'), out.image, PIXELS);
  }
  async function showMix() {
    const t = Number(slider.value) / 100;
    const z = mix(await meanOf(Number(from.value)), await meanOf(Number(to.value)), t);
    const out = await model.decode(z);
    drawDigit($('interp-digit'), out.image);
    $('interp-digit').dataset.t = String(t);
    $('interp-value').textContent = t.toFixed(2);
  }
  const refreshAll = () => Promise.all([queue.latest('ends', showEnds), queue.latest('mix', showMix)]);

  from.addEventListener('change', () => act('Interpolating', refreshAll));
  to.addEventListener('change', () => act('Interpolating', refreshAll));
  slider.addEventListener('input', () => act('Interpolating', () => queue.latest('mix', showMix)));
  return refreshAll;
}

// ---------------------------------------------------------------------------------------------
// Panel: what the weights are

function showManifest(manifest) {
  const rows = [
    ['Name', manifest.name],
    ['Dataset', manifest.dataset],
    ['Weights', manifest.weights && `${manifest.weights.file} (${manifest.weights.dtype}, ${formatBytes(manifest.weights.bytes)})`],
    ['Training', trainingSummary(manifest.training)],
    ...flatten(manifest.metrics, 'Metric ').slice(0, 12),
    ['Notice', manifest.notice],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  $('manifest').replaceChildren(...rows.flatMap(([term, value]) => [element('dt', term), element('dd', value)]));
  $('manifest-json').textContent = JSON.stringify(manifest, null, 2);
}

// "24 epochs, 3061402 parameters, alpha 0.1" from whichever of those the trainer recorded.
function trainingSummary(training) {
  if (!training || typeof training !== 'object') return undefined;
  const parts = [
    training.epochs !== undefined && `${training.epochs} epochs`,
    training.parameters !== undefined && `${Number(training.parameters).toLocaleString('en')} parameters`,
    training.alpha !== undefined && `alpha ${training.alpha}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

// Numbers and strings of a nested object as [dotted key, value] rows.
function flatten(value, prefix) {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    if (typeof v === 'number') return [[prefix + key, Number.isInteger(v) ? String(v) : v.toPrecision(4)]];
    if (typeof v === 'string') return [[prefix + key, v]];
    return Array.isArray(v) ? [] : flatten(v, `${prefix}${key}.`);
  });
}

function element(tag, text) {
  const node = document.createElement(tag);
  node.textContent = String(text);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Start

async function start(queue) {
  let step = 'Reading the URL options';
  try {
    const options = readOptions(location.search);
    step = 'Loading the WebAssembly package';
    setStatus('Loading the WebAssembly package…');
    const pkg = await importPackage();
    await startWasm(pkg);

    step = `Loading the model ${options.model}`;
    setStatus(`Loading the model (${options.backend === 'auto' ? 'WebGPU if available' : options.backend})…`);
    const model = await loadModel(pkg, options);
    window.jmvae.model = model;
    const { labels } = checkMnist(model);
    showLoaded(model, options);

    step = 'Generating the first digits';
    const refreshGrid = setupGenerate(model, queue, labels);
    setupDrawing(model, queue, labels);
    const refreshInterpolation = setupInterpolation(model, queue, labels);
    await refreshGrid();
    await refreshInterpolation();
    // 'ready' only once the page is idle, so that a test's own model calls never overlap its own.
    setState('ready');
    return model;
  } catch (error) {
    showError(`${step} failed`, error, { fatal: true });
    throw error;
  }
}

function main() {
  rememberPanics();
  reportUncaughtErrors();
  const queue = createQueue();
  window.jmvae = { model: null, ready: null, run: queue.run };
  window.jmvae.ready = start(queue);
  window.jmvae.ready.catch(() => {}); // already shown in #error; not an "unhandled" rejection
}

// Node imports this file for the helpers' tests: there is no page to start there.
if (typeof document !== 'undefined') main();
