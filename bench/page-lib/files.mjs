// Bytes: the files a page really fetched, found on disk from their URLs (the server serves the
// repository root), grouped, with their raw and gzip -9 sizes; and what went over the network.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { ROOT } from '../../tests/browser/helpers.mjs';

export const GROUPS = ['wasm module(s)', 'pkg JS glue', 'page code (www/**)', 'weights + manifest', 'other'];

// The package files that the split of issue 10 builds; those absent say "not built".
export const PACKAGE_FILES = ['pkg/jmvae-cpu_bg.wasm', 'pkg/jmvae-cpu.js', 'pkg/jmvae_bg.wasm', 'pkg/jmvae.js'];

/** The group of a repository path like 'pkg/jmvae_bg.wasm' or 'www/models/mnist.json'. */
export function groupOf(path) {
  if (path.startsWith('pkg/') && path.endsWith('.wasm')) return GROUPS[0];
  if (path.startsWith('pkg/')) return GROUPS[1];
  if (path.startsWith('www/models/')) return GROUPS[3];
  if (path.startsWith('www/')) return GROUPS[2];
  return GROUPS[4];
}

/** The repository path a URL of the demo server names ('www/' for the page itself). */
export function pathOfUrl(url) {
  const path = decodeURIComponent(new URL(url).pathname).replace(/^\/+/, '');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

const sizes = new Map();

/** { raw, gzip } of a repository path (gzip -9, computed once), or null when not on disk. */
export function fileSize(path) {
  if (!sizes.has(path)) {
    const full = join(ROOT, path);
    if (!existsSync(full) || !statSync(full).isFile()) sizes.set(path, null);
    else {
      const data = readFileSync(full);
      sizes.set(path, { raw: data.length, gzip: gzipSync(data, { level: 9 }).length });
    }
  }
  return sizes.get(path);
}

/** The package files on disk: `{ path, raw, gzip }` or `{ path, missing: true }` for each. */
export function packageFiles() {
  return PACKAGE_FILES.map((path) => ({ path, ...(fileSize(path) ?? { missing: true }) }));
}

/**
 * Per group and in total, what a visit fetched: distinct files (the same file twice counts
 * once), their raw and gzip sizes from disk, and the bytes that went over the network.
 */
export function summarise(responses) {
  const byPath = new Map();
  for (const r of responses) {
    const seen = byPath.get(r.path);
    byPath.set(r.path, { ...r, network: (seen?.network ?? 0) + (r.network ?? 0) });
  }
  const files = [...byPath.values()];
  const total = (list) => ({
    count: list.length,
    raw: list.reduce((s, f) => s + (f.size?.raw ?? 0), 0),
    gzip: list.reduce((s, f) => s + (f.size?.gzip ?? 0), 0),
    network: list.reduce((s, f) => s + (f.network ?? 0), 0),
  });
  const groups = Object.fromEntries(GROUPS.map((g) => [g, total(files.filter((f) => f.group === g))]));
  return { files, groups, total: total(files) };
}
