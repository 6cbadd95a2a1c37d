// The run both page benches share: for each visitor path (auto, ?backend=cpu, ?backend=webgpu),
// a fresh browser context, a cold visit and a warm one (same context), and on the warm page the
// latencies, the long tasks of a grid, and (on the WebGPU path) the raw WebGPU matmul rate.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, launchBrowser, startServer } from '../../tests/browser/helpers.mjs';
import { adapterInfo, guard, machine, writeSection } from './format.mjs';
import { timeGenerate } from './latency.mjs';
import { gridLongTasks } from './long-tasks.mjs';
import { matmulThroughput } from './matmul.mjs';
import { report } from './report.mjs';
import { freshContext, visit } from './visit.mjs';

// `latency`: time generate calls and a grid's long tasks; `matmul`: time raw WebGPU there.
export const PATHS = [
  { name: 'auto', backend: null },
  { name: '?backend=cpu', backend: 'cpu', latency: true },
  { name: '?backend=webgpu', backend: 'webgpu', latency: true, matmul: true },
];

/** The query string of `path` for a demo whose own parameters are `demo.query` ('' or 'panel=faces'). */
export function queryOf(demo, path) {
  const params = [demo.query, path.backend && `backend=${path.backend}`].filter(Boolean);
  return params.length ? `?${params.join('&')}` : '';
}

/** `--runs N` and `--out FILE`, or the usage and exit 2. */
export function parseArgs(argv, script) {
  const options = { runs: 5, out: join(ROOT, 'bench', 'page-results.md') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') options.runs = Number(argv[++i]);
    else if (argv[i] === '--out') options.out = argv[++i];
    else {
      console.error(`usage: node ${script} [--runs N (default 5)] [--out FILE]`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs needs a positive integer');
  return options;
}

/** Every measurement of `demo` (see bench/page.mjs for the fields), as plain JSON. */
export async function runBench(demo, runs) {
  const before = machine();
  const manifest = JSON.parse(readFileSync(join(ROOT, demo.manifest), 'utf8'));
  const server = await startServer();
  const browser = await launchBrowser({ webgpu: true });
  const paths = [];
  try {
    for (const path of PATHS) {
      console.error(`${demo.name}: ${path.name} (${server.url}${queryOf(demo, path)}) ...`);
      const measured = await guard(() => measurePath(browser, server.url + queryOf(demo, path), demo, path, runs));
      paths.push(measured.error ? { name: path.name, cold: measured, warm: measured, ...(path.latency ? unmeasured(demo, measured.error) : {}) } : measured);
    }
    return { date: new Date().toISOString(), chromium: browser.version(), runs, machine: { ...before, loadAfter: machine().load }, manifest: manifestInfo(manifest), config: manifest.config, paths };
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function measurePath(browser, url, demo, path, runs) {
  const context = await freshContext(browser);
  const result = { name: path.name };
  try {
    const cold = await guard(() => visit(context, url, demo));
    await cold.page?.close();
    const warm = await guard(() => visit(context, url, demo));
    [result.cold, result.warm] = [cold, warm].map(({ page, ...data }) => data);
    const page = warm.page;
    if (!page) return path.latency ? { ...result, ...unmeasured(demo, `the warm visit failed: ${warm.error}`) } : result;
    result.adapter = await guard(() => adapterInfo(page));
    if (path.latency) Object.assign(result, await modelMeasurements(page, demo, warm, runs));
    if (path.matmul) result.matmul = await guard(() => matmulThroughput(page));
    return result;
  } finally {
    await context.close();
  }
}

/** On the warm page: the generate latencies and the long tasks of a new grid (or why not). */
async function modelMeasurements(page, demo, warm, runs) {
  if (warm.state !== 'ready') return unmeasured(demo, `the demo did not get ready (${warm.state}: ${warm.error})`);
  const latency = {};
  for (const samples of demo.counts) latency[samples] = await guard(() => timeGenerate(page, demo.modelPath, demo.given, samples, runs));
  return { latency, gridTasks: await guard(() => gridLongTasks(page, demo)) };
}

function unmeasured(demo, reason) {
  const why = { error: reason };
  return { latency: Object.fromEntries(demo.counts.map((n) => [n, why])), gridTasks: why };
}

function manifestInfo(manifest) {
  return { name: manifest.name, epochs: manifest.training?.epochs, dtype: manifest.weights?.dtype };
}

/**
 * A bench script's whole run for `demo`: read the CLI, measure, write the Markdown as the
 * `section` of the results file, and print it, then the whole record as one JSON line.
 */
export async function main(demo, section) {
  const options = parseArgs(process.argv.slice(2), demo.script);
  const run = await runBench(demo, options.runs);
  const markdown = report(demo, run);
  writeSection(options.out, section, markdown);
  console.log(markdown);
  console.log(JSON.stringify(run));
}
