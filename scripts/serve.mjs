#!/usr/bin/env node
// A tiny static file server for the browser demo, with no dependencies beyond Node itself.
//
// It serves the REPOSITORY ROOT, not www/, because the page (www/) imports the wasm package
// from its sibling folder pkg/. Usage:
//
//   node scripts/serve.mjs [--port N] [--host H] [--no-csp]
//
// Every response carries a strict Content-Security-Policy (CSP below), the one a careful
// project site would send, so that an inline script or style, or an eval, shows at once as a
// violation in the browser console (tests/browser/csp.test.mjs); --no-csp leaves it out.
//
// Files carry a strong ETag (their size and modification time) and `Cache-Control: no-cache`:
// the browser keeps them, asks each time whether they changed (If-None-Match), and gets a 304
// with no body when they did not, so a reload moves no wasm or JS, yet a rebuilt pkg/ shows at
// once. (The page keeps the weights in the Cache API itself: www/shared/weights-cache.js.)
//
// --port 0 picks a free port (the tests use that); the URL is printed as
// `jmvae demo: http://127.0.0.1:PORT/www/` so that a caller can read it from stdout.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Browsers refuse to compile wasm streamed with the wrong type and refuse module scripts that
// are not served as JavaScript, so these types matter; anything unknown is plain bytes.
const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The policy sent by default: scripts and styles from files of this origin only, and wasm. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

export function mimeType(path) {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

function parseArgs(argv) {
  const options = { port: 8080, host: '127.0.0.1', csp: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') options.port = parsePort(argv[++i]);
    else if (arg.startsWith('--port=')) options.port = parsePort(arg.slice('--port='.length));
    else if (arg === '--host') options.host = argv[++i];
    else if (arg.startsWith('--host=')) options.host = arg.slice('--host='.length);
    else if (arg === '--no-csp') options.csp = false;
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: node scripts/serve.mjs [--port N (default 8080, 0 = any free port)] [--host H] [--no-csp (no Content-Security-Policy header)]');
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${JSON.stringify(arg)} (try --help)`);
    }
  }
  if (!options.host) throw new Error('--host needs a value');
  return options;
}

function parsePort(text) {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port needs a number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** The file a URL path names, or null when it points outside the root (or is malformed). */
function resolveInsideRoot(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed %-escapes
  }
  if (decoded.includes('\0')) return null;
  // Hidden files (.git, .env ...) are never part of the demo; keep them private on a LAN too.
  if (decoded.split('/').some((part) => part.startsWith('.'))) return null;
  const path = resolve(root, '.' + decoded);
  return isInside(root, path) ? path : null;
}

function isInside(root, path) {
  return path === root || path.startsWith(root + sep);
}

function send(response, status, text, headers = {}) {
  // The policy (if any) was set on the response by serve(); writeHead keeps it.
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(text + '\n');
}

async function handle(root, request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return send(response, 405, 'only GET and HEAD', { Allow: 'GET, HEAD' });
  }
  const url = new URL(request.url, 'http://localhost');
  if (url.pathname === '/') return send(response, 302, 'see /www/', { Location: '/www/' });

  let path = resolveInsideRoot(root, url.pathname);
  if (!path) return send(response, 403, 'forbidden: outside the served folder, or hidden');
  let info;
  try {
    // A symbolic link inside the root may still point outside it: check where it really goes.
    path = await realpath(path);
    if (!isInside(root, path)) return send(response, 403, 'forbidden: outside the served folder, or hidden');
    info = await stat(path, { bigint: true });
    if (info.isDirectory()) {
      // Without the trailing slash, the page's relative URLs would resolve one folder too high.
      if (!url.pathname.endsWith('/')) {
        return send(response, 301, 'moved', { Location: url.pathname + '/' + url.search });
      }
      path = join(path, 'index.html');
      info = await stat(path, { bigint: true });
    }
  } catch {
    return send(response, 404, `not found: ${url.pathname}`);
  }
  if (!info.isFile()) return send(response, 404, `not found: ${url.pathname}`);

  const validators = {
    ETag: etag(info),
    // A development server: always revalidate, so that a rebuilt pkg/ or new weights show up.
    'Cache-Control': 'no-cache',
  };
  if (matches(request.headers['if-none-match'], validators.ETag)) {
    response.writeHead(304, validators);
    return response.end();
  }
  response.writeHead(200, { 'Content-Type': mimeType(path), 'Content-Length': String(info.size), ...validators });
  if (request.method === 'HEAD') return response.end();
  createReadStream(path)
    .on('error', () => response.destroy())
    .pipe(response);
}

/** A strong ETag for the file `info` (a bigint stat) describes: its size and mtime in ns. */
export function etag(info) {
  return `"${info.size.toString(16)}-${info.mtimeNs.toString(16)}"`;
}

/**
 * Whether an If-None-Match header (a list of tags, or *) names `tag`; the weak comparison that
 * RFC 9110 asks for here, so W/"x" matches "x".
 */
export function matches(header, tag) {
  if (!header) return false;
  const bare = (t) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(tag));
}

/** Start serving `root`; resolves to the listening http.Server. */
export async function serve({ root = ROOT, port = 8080, host = '127.0.0.1', csp = true } = {}) {
  const realRoot = await realpath(root);
  const server = createServer((request, response) => {
    if (csp) response.setHeader('Content-Security-Policy', csp === true ? CSP : csp);
    handle(realRoot, request, response).catch((error) => {
      if (!response.headersSent) send(response, 500, `server error: ${error.message}`);
      else response.destroy();
    });
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, done);
  });
  return server;
}

/** The host to print: a wildcard or loopback listener is reached locally as 127.0.0.1. */
function shownHost(host) {
  const local = ['0.0.0.0', '::', '127.0.0.1', 'localhost'];
  if (local.includes(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(2);
  }
  const server = await serve(options);
  const { port } = server.address();
  console.log(`jmvae demo: http://${shownHost(options.host)}:${port}/www/`);
  if (!options.csp) console.log('(no Content-Security-Policy header: --no-csp)');
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // a browser's keep-alive connections would delay the exit
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Run only when started as a script, so that the tests may import serve() instead.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(1);
  });
}
