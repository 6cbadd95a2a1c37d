// Fetching a model: its manifest (checked by Model.readManifest), then the weights file that
// it names, beside it, with the download's progress; Model.fromBytes (pkg/) then checks the two
// against each other and builds the model. This is the one place where the manifest's and the weights' URLs are
// resolved (the wasm takes bytes, not URLs), and an embedding page can use it as it is: it
// imports nothing. Every error names the file it is about.

/**
 * The model of the manifest at `manifest` (a URL, relative to the page), built by `Model` (from
 * a started pkg/jmvae.js) on `backend` ('auto' | 'webgpu' | 'cpu'); `onProgress(loaded, total)`
 * follows the weights' download in bytes (total 0 while the size is unknown).
 */
export async function fetchModel(Model, manifest, { backend = 'auto', onProgress } = {}) {
  // Absolute URLs, so that the weights resolve beside the manifest wherever the page is, and
  // error messages name exactly what was fetched.
  const url = new URL(manifest, document.baseURI).href;
  const manifestJson = new TextDecoder().decode(await fetchBytes(url));
  const weightsUrl = new URL(readManifest(Model, manifestJson, url).weights.file, url).href;
  const weights = await fetchBytes(weightsUrl, onProgress);
  return Model.fromBytes(manifestJson, weights, { backend });
}

// The manifest, checked before its weights are downloaded; what is wrong with it names its URL.
function readManifest(Model, manifestJson, url) {
  try {
    return Model.readManifest(manifestJson);
  } catch (error) {
    throw new Error(`${url}: ${error?.message ?? error}`);
  }
}

// Download `url` completely, calling `onProgress(loaded, total)` as bytes arrive.
async function fetchBytes(url, onProgress) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`cannot fetch ${url}: ${error?.message ?? error}`);
  }
  if (!response.ok) throw new Error(`cannot fetch ${url}: HTTP ${response.status} ${response.statusText}`);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const total = Number(response.headers.get('content-length')) || 0;
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
    chunks.push(chunk.value);
    loaded += chunk.value.length;
    onProgress?.(loaded, total);
  }
  return concat(chunks, loaded);
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
