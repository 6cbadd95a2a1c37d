// The weights kept between visits, in the browser's Cache API (cache CACHE_NAME), keyed by the
// sha256 the manifest states: a second visit reads them from there and downloads nothing, and a
// new model version (a new sha256 in the manifest, which is always fetched) misses and downloads.
//
// Every entry is checked against the manifest (length and sha256, with crypto.subtle) when it
// is read, so that a corrupt one is deleted and downloaded again rather than handed to the wasm
// again at every visit; downloaded bytes are checked before they are stored, so bad bytes are
// never cached. The cache is only a shortcut: where it is missing (a private window, a page not
// on https or localhost), will not open, or is full, the weights load from the network as
// before and the note says why they were not cached. Nothing here throws but the download.
//
// It imports nothing and uses no `document`, so that it would run in a worker as it is.

/** The Cache API cache the weights are kept in; a new name would start afresh. */
export const CACHE_NAME = 'jmvae-weights-v1';

// Where an entry was downloaded from, so that storing a new version of that file drops the old.
const SOURCE_HEADER = 'X-Jmvae-Weights-Url';

/** The cache key (a URL on this origin, never fetched) of the weights with this sha256 (hex). */
export function cacheKey(sha256) {
  return new URL(`/jmvae-weights/sha256-${sha256}`, globalThis.location.origin).href;
}

/**
 * The weights `stated` by a manifest (`{ file, bytes, sha256 }`), found at `url`: from the cache
 * when a good copy is there, else from `download()` (then cached). Resolves to
 * `{ weights, source: 'cache' | 'network', cacheNote }`, the note a sentence for the reader.
 */
export async function cachedWeights(stated, url, download) {
  const opened = await openCache(stated);
  if (!opened.cache) return { weights: await download(), source: 'network', cacheNote: opened.note };
  const key = cacheKey(stated.sha256);
  const found = await readEntry(opened.cache, key, stated, url);
  if (found.weights) {
    return { weights: found.weights, source: 'cache', cacheNote: `${stated.file} loaded from cache (${short(found.weights.length)}): nothing downloaded.` };
  }
  const weights = await download();
  const stored = await storeEntry(opened.cache, key, weights, stated, url);
  return { weights, source: 'network', cacheNote: [found.note, stored].filter(Boolean).join(' ') };
}

// The cache, or why there is none: `{ cache }` or `{ note }`.
async function openCache(stated) {
  const not = `${stated.file} not cached:`;
  if (typeof globalThis.caches === 'undefined') {
    return { note: `${not} this browser offers no Cache API here (a private window, or a page not on https or localhost).` };
  }
  if (!globalThis.crypto?.subtle) return { note: `${not} this browser cannot check a sha256 here (no crypto.subtle).` };
  if (!/^[0-9a-f]{64}$/.test(String(stated.sha256))) return { note: `${not} its manifest states no sha256 to key it by.` };
  try {
    return { cache: await caches.open(CACHE_NAME) };
  } catch (error) {
    return { note: `${not} the browser's cache would not open (${describe(error)}).` };
  }
}

// The entry under `key` if it matches the manifest: `{ weights }`; a bad one is deleted and
// `{ note }` says so; `{}` when there is none.
async function readEntry(cache, key, stated, url) {
  let bytes;
  try {
    const response = await cache.match(key);
    if (!response) return {};
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return evict(cache, key, stated, url, `it could not be read: ${describe(error)}`);
  }
  const wrong = await mismatch(bytes, stated);
  return wrong ? evict(cache, key, stated, url, wrong) : { weights: bytes };
}

async function evict(cache, key, stated, url, why) {
  console.warn(`the cached copy of ${url} (${key}) is deleted: ${why}`);
  try {
    await cache.delete(key);
  } catch (error) {
    console.warn(`could not delete ${key} from the cache ${CACHE_NAME}: ${describe(error)}`);
  }
  return { note: `The cached ${stated.file} was corrupt (${why}) and was deleted; downloaded again.` };
}

// Store verified bytes; the sentence for the reader says whether that worked.
async function storeEntry(cache, key, weights, stated, url) {
  const wrong = await mismatch(weights, stated);
  // The wasm refuses these bytes with its own message; they are kept out of the cache.
  if (wrong) return `${stated.file} not cached: the download from ${url} does not match its manifest (${wrong}).`;
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(weights.length), [SOURCE_HEADER]: url };
  try {
    await cache.put(key, new Response(weights, { headers }));
  } catch (error) {
    const full = error?.name === 'QuotaExceededError' ? "the browser's storage for this site is full" : 'the browser refused to store it';
    console.warn(`could not cache ${url} as ${key}: ${describe(error)}`);
    return `${stated.file} could not be cached: ${full} (${describe(error)}).`;
  }
  await dropOlderVersions(cache, key, url);
  return `${stated.file} cached for the next visit.`;
}

// Entries for the same weights URL under another sha256 are older versions of this file: they
// would never be read again, only fill the site's storage.
async function dropOlderVersions(cache, key, url) {
  try {
    for (const request of await cache.keys()) {
      if (request.url === key) continue;
      const response = await cache.match(request);
      if (response?.headers.get(SOURCE_HEADER) === url) await cache.delete(request);
    }
  } catch (error) {
    console.warn(`could not tidy the cache ${CACHE_NAME}: ${describe(error)}`);
  }
}

// What is wrong with `bytes` as the weights `stated`, or '' when they are them.
async function mismatch(bytes, stated) {
  const expected = Number(stated.bytes);
  if (bytes.length !== expected) return `${bytes.length.toLocaleString('en')} bytes instead of ${expected.toLocaleString('en')}`;
  let actual;
  try {
    actual = await sha256Hex(bytes);
  } catch (error) {
    return `its sha256 could not be computed: ${describe(error)}`; // unchecked, so never used from the cache
  }
  return actual === stated.sha256 ? '' : `sha256 ${actual.slice(0, 12)}… instead of ${stated.sha256.slice(0, 12)}…`;
}

/** Lower-case hex sha256 of `bytes`, as the manifest states it. */
export async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function describe(error) {
  return error?.name && error?.message ? `${error.name}: ${error.message}` : String(error?.message ?? error);
}

// "4.1 MB".
function short(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}
