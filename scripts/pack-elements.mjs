#!/usr/bin/env node
// The plain-files folder an author copies into any static site (GitHub Pages, Hugo, Jekyll):
//
//   node scripts/pack-elements.mjs [--out DIR] [--models mnist,celeba-gan]
//
// writes DIR (default dist/jmvae/) with jmvae-elements.js and .css, their types, every module
// they import (found by following the imports, the model worker's too), pkg/ (both wasm
// builds) and the chosen models from www/models/. Nothing else: no CDN, no other origin, and
// no file or folder whose name GitHub Pages' Jekyll would drop (a leading `_` or `.`): the
// script refuses to write one. In the repository, pkg/ sits beside www/; in the folder it sits
// beside shared/, so the one line of shared/pkg-location.js that says where is rewritten.
// The folder's JS and CSS are minified file by file with esbuild (the same modules under the
// same names, comments and whitespace gone: a page downloads a third of the bytes); `--no-minify`
// copies them as they are. `npm pack` ships the sources unminified, for the author's bundler.

import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WWW = join(ROOT, 'www');
const ENTRIES = ['jmvae-elements.js', 'shared/model-worker.js'];
const EXTRA = ['jmvae-elements.css', 'jmvae-elements.d.ts', 'elements/panel.css'];
const PKG_FILES = ['jmvae.js', 'jmvae_bg.wasm', 'jmvae-cpu.js', 'jmvae-cpu_bg.wasm'];
const LOCATION = 'shared/pkg-location.js';

/** Every module under www/ reachable from `entries` by static imports, as paths relative to www/. */
export function moduleGraph(entries = ENTRIES) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    const source = readFileSync(join(WWW, path), 'utf8');
    for (const [, target] of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      if (!target.startsWith('.')) throw new Error(`${path} imports '${target}', which is not a file the folder ships`);
      const next = relative(WWW, resolve(dirname(join(WWW, path)), target));
      if (next.startsWith('..')) throw new Error(`${path} imports ${target}, outside www/`);
      visit(next);
    }
  };
  entries.forEach(visit);
  return [...seen].sort();
}

/** The elements' own files, relative to www/: every module they import, the stylesheets, the types. */
export function elementFiles() {
  return [...moduleGraph(), ...EXTRA];
}

/**
 * The bytes the folder ships for `rel`, a file of www/: pkg-location.js says where the folder's
 * pkg/ is, and JS and CSS are minified unless `minify` is false.
 */
export function shippedBytes(rel, { minify = true } = {}) {
  let text = readFileSync(join(WWW, rel), 'utf8');
  if (rel === LOCATION) {
    const moved = text.replace("new URL('../../pkg/', import.meta.url)", "new URL('../pkg/', import.meta.url)");
    if (moved === text) throw new Error(`${LOCATION} no longer says where pkg/ is as this script expects`);
    text = moved;
  }
  const loader = rel.endsWith('.js') ? 'js' : rel.endsWith('.css') ? 'css' : null;
  if (minify && loader) text = transformSync(text, { loader, minify: true, legalComments: 'none', sourcefile: rel }).code;
  return Buffer.from(text);
}

/** Write the folder to `out` with the models named (files under www/models/, without .json). */
export function pack(out, models = ['mnist', 'celeba-gan'], { minify = true } = {}) {
  rmSync(out, { recursive: true, force: true });
  const files = elementFiles().map((path) => [null, path]); // written by shippedBytes
  for (const name of PKG_FILES) files.push([join(ROOT, 'pkg', name), `pkg/${name}`]);
  for (const model of models) {
    const manifest = join(WWW, 'models', `${model}.json`);
    if (!existsSync(manifest)) throw new Error(`no model www/models/${model}.json (there are: ${readdirSync(join(WWW, 'models')).filter((f) => f.endsWith('.json')).map((f) => basename(f, '.json')).join(', ')})`);
    const weights = JSON.parse(readFileSync(manifest, 'utf8')).weights.file;
    files.push([manifest, `models/${model}.json`], [join(WWW, 'models', weights), `models/${weights}`]);
  }
  for (const [from, to] of files) {
    const dropped = to.split('/').find((part) => /^[_.]/.test(part));
    if (dropped) throw new Error(`${to}: Jekyll (GitHub Pages) drops names starting with '_' or '.'; rename ${dropped}`);
    mkdirSync(dirname(join(out, to)), { recursive: true });
    if (from) copyFileSync(from, join(out, to));
    else writeFileSync(join(out, to), shippedBytes(to, { minify }));
  }
  return files.map(([, to]) => to);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const out = resolve(option('--out', join(ROOT, 'dist', 'jmvae')));
  const written = pack(out, option('--models', 'mnist,celeba-gan').split(','), { minify: !args.includes('--no-minify') });
  console.log(`wrote ${written.length} files to ${out}`);
}
