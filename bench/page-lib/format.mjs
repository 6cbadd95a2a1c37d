// Small pieces of the Markdown report: guarded cells, numbers, tables, and the results file's
// sections (each script replaces its own, between its markers, and keeps the other's).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** `await fn()`, or `{ error }` with the reason when it throws: one failure, one cell. */
export async function guard(fn) {
  try {
    return await fn();
  } catch (error) {
    return { error: String(error?.message ?? error).split('\n')[0].slice(0, 200) };
  }
}

/** `show(value)`, 'failed: <reason>' for a guarded failure, '–' when not measured. */
export function cell(value, show) {
  if (value === undefined || value === null) return '–';
  if (value.error) return `failed: ${escape(value.error)}`;
  try {
    return show(value);
  } catch (error) {
    return `failed: ${escape(error.message)}`;
  }
}

export const escape = (text) => String(text).replace(/\|/g, '\\|').replace(/\s+/g, ' ');
export const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(v < 100 ? 1 : 0)} ms` : '–');
export const kB = (bytes) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`);
export const mflop = (flops) => `${(flops / 1e6).toFixed(1)} MFLOP`;
export const gflops = (v) => `${v >= 10 ? v.toFixed(1) : v.toPrecision(2)} GFLOP/s`;

/** A Markdown table: `head` (the first column's header, then the others'), rows of cells. */
export function table(head, rows) {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** The machine, now: CPU model, cores, memory and the load average. */
export function machine() {
  return { cpu: os.cpus()[0]?.model ?? 'unknown CPU', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), load: os.loadavg().map((x) => x.toFixed(2)) };
}

/** One line on the WebGPU adapter (or why there is none). */
export function adapterLine(adapter) {
  if (!adapter || adapter.error) return `WebGPU adapter: unknown (${adapter?.error ?? 'no page asked'}).`;
  if (!adapter.available) return `WebGPU adapter: none (${adapter.why}).`;
  const info = ['vendor', 'architecture', 'device', 'description'].filter((key) => adapter[key]).map((key) => `${key} \`${adapter[key]}\``).join(', ');
  const f16 = adapter.features.includes('shader-f16') ? 'with' : 'without';
  return `WebGPU adapter: ${info || '(no info)'}; ${f16} \`shader-f16\`; maxComputeWorkgroupStorageSize ${adapter.workgroupStorage}.`;
}

/** The WebGPU adapter `page` gets (asked in the demo's origin: navigator.gpu needs a secure context). */
export function adapterInfo(page) {
  return page.evaluate(async () => {
    if (!navigator.gpu) return { available: false, why: 'no navigator.gpu' };
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { available: false, why: 'requestAdapter() gave null' };
    const { vendor, architecture, device, description } = adapter.info ?? {};
    return { available: true, vendor, architecture, device, description, features: [...adapter.features].sort(), workgroupStorage: adapter.limits.maxComputeWorkgroupStorageSize };
  });
}

export const SECTIONS = {
  digits: { begin: '<!-- bench/page.mjs: begin -->', end: '<!-- bench/page.mjs: end -->' },
  faces: { begin: '<!-- bench/faces-page.mjs: begin -->', end: '<!-- bench/faces-page.mjs: end -->' },
};

function between(text, { begin, end }) {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  return from >= 0 && to > from ? text.slice(from, to + end.length) : '';
}

/**
 * Write `text` as section `name` of the results file at `path`, keeping the other section. (A
 * file from before the digits section had markers keeps its unmarked digits text.)
 */
export function writeSection(path, name, text) {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const kept = Object.fromEntries(Object.entries(SECTIONS).map(([key, markers]) => [key, between(old, markers)]));
  if (!kept.digits && old.includes(SECTIONS.faces.begin)) {
    const legacy = old.slice(0, old.indexOf(SECTIONS.faces.begin)).replace(/^# Page benchmark\s*/, '').trim();
    if (legacy) kept.digits = `${SECTIONS.digits.begin}\n${legacy}\n${SECTIONS.digits.end}`;
  }
  kept[name] = `${SECTIONS[name].begin}\n${text.trim()}\n${SECTIONS[name].end}`;
  const parts = ['# Page benchmark', ...Object.keys(SECTIONS).map((key) => kept[key]).filter(Boolean)];
  writeFileSync(path, `${parts.join('\n\n')}\n`);
}
