// Fetching a model: its manifest (checked by Model.readManifest), then the weights file that
// it names, beside it, with the download's progress; Model.fromBytes (pkg/) then checks the two
// against each other and builds the model. This is the one place where the manifest's and the weights' URLs are
// resolved (the wasm takes bytes, not URLs), and an embedding page can use it as it is: it
// imports only its sibling weights-cache.js. Every error names the file it is about.
//
// The manifest states the weights' size (weights.bytes), so a server that announces more (a
// Content-Length of 10 GB) is refused before anything is downloaded, and a stream that runs past
// it is cut off there: a hostile or broken server cannot make the page buffer gigabytes.
//
// The weights are kept between visits in the browser's Cache API (the cache 'jmvae-weights-v1',
// keyed by the sha256 the manifest states; weights-cache.js): a second visit downloads none of
// them, an entry that does not match the manifest is deleted and downloaded again, and only
// bytes that match it are stored. The manifest itself is always fetched (the browser's HTTP
// cache may revalidate it), since it is how a new model version is found. Where the Cache API is
// missing, will not open or is full, the weights are simply downloaded; `cacheNote` says why.
// `{ cache: false }` leaves the Cache API alone.

import { cachedWeights } from './weights-cache.js';

// A manifest is a few kB; one far larger is not a manifest, and is not read to its end.
const MAX_MANIFEST_BYTES = 10_000_000;

/**
 * The model of the manifest at `manifest` (a URL, relative to the page), built by `Model` (from
 * a started pkg/jmvae.js) on `backend` ('auto' | 'webgpu' | 'cpu'); `onProgress(loaded, total)`
 * follows the weights' download in bytes (total 0 while the size is unknown); `cache: false`
 * downloads the weights without the Cache API.
 */
export async function fetchModel(Model, manifest, { backend = 'auto', onProgress, cache = true } = {}) {
  const { manifestJson, weights } = await fetchModelFiles(Model, manifest, { onProgress, cache });
  return Model.fromBytes(manifestJson, weights, { backend });
}

/**
 * The files of the manifest at `manifest`, downloaded and checked as far as JS can (the
 * manifest by Model.readManifest, the weights' size against it), not yet built into a model:
 * `{ url, manifestJson, weights, source, cacheNote }` (the manifest's absolute URL, its text,
 * the weights' bytes, 'cache' or 'network' for where they came from, and a sentence on the
 * cache for the reader), for `Model.fromBytes(manifestJson, weights, { backend })`. A page keeps
 * them to rebuild the model elsewhere (on the CPU, when the GPU is lost: gpu-loss.js).
 * `onProgress` is not called when the weights come from the cache.
 */
export async function fetchModelFiles(Model, manifest, { onProgress, cache = true } = {}) {
  // Absolute URLs, so that the weights resolve beside the manifest wherever the page is, and
  // error messages name exactly what was fetched.
  const url = new URL(manifest, document.baseURI).href;
  const manifestJson = new TextDecoder().decode(await fetchBytes(url, { limit: MAX_MANIFEST_BYTES, why: 'the most a manifest may have' }));
  const { weights: stated } = readManifest(Model, manifestJson, url);
  const weightsUrl = new URL(stated.file, url).href;
  const download = () => fetchBytes(weightsUrl, { onProgress, limit: Number(stated.bytes) || undefined, why: 'the size its manifest states' });
  if (!cache) return { url, manifestJson, weights: await download(), source: 'network', cacheNote: '' };
  const { weights, source, cacheNote } = await cachedWeights(stated, weightsUrl, download);
  return { url, manifestJson, weights, source, cacheNote };
}

// The manifest, checked before its weights are downloaded; what is wrong with it names its URL.
function readManifest(Model, manifestJson, url) {
  try {
    return Model.readManifest(manifestJson);
  } catch (error) {
    throw new Error(`${url}: ${error?.message ?? error}`);
  }
}

/**
 * Download `url` completely, calling `onProgress(loaded, total)` as bytes arrive; more than
 * `limit` bytes (announced, or received) are refused, and `why` says what the limit is.
 */
async function fetchBytes(url, { onProgress, limit, why } = {}) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot fetch ${url}: ${error?.message ?? error}`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  const announced = Number(response.headers.get('content-length')) || 0;
  if (limit && announced > allowedLength(limit, response)) {
    cancel(response.body);
    throw new Error(`${url} is refused before downloading: the server announces a Content-Length of ${size(announced)}, more than ${why}, ${size(limit)}`);
  }
  const tooLong = () => new Error(`${url} is refused: its download ran past ${size(limit)}, ${why}, and was stopped there`);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (limit && bytes.length > limit) throw tooLong();
    return bytes;
  }
  // The manifest's size is the better total: a Content-Length counts compressed bytes.
  const total = limit || announced;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (error) {
      throw new Error(`download of ${url} broke off: ${error?.message ?? error}`);
    }
    if (chunk.done) break;
    loaded += chunk.value.length;
    if (limit && loaded > limit) {
      reader.cancel().catch(() => {});
      throw tooLong();
    }
    chunks.push(chunk.value);
    onProgress?.(loaded, total);
  }
  return concat(chunks, loaded);
}

// The largest Content-Length a file of `limit` bytes may come with: its size, or a little more
// when compressed for the transfer (incompressible bytes grow slightly under gzip).
function allowedLength(limit, response) {
  const encoding = (response.headers.get('content-encoding') || 'identity').toLowerCase();
  return encoding === 'identity' ? limit : limit + Math.ceil(limit / 100) + 1024;
}

function cancel(body) {
  body?.cancel().catch(() => {});
}

// "4,085,796 bytes (4.1 MB)".
function size(bytes) {
  const n = Number(bytes);
  const short = n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(1)} kB`;
  return `${n.toLocaleString('en')} bytes (${short})`;
}

function concat(chunks, length) {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
