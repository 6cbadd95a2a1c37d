// The Markdown report of runBench()'s record, one section per demo; every cell shows its
// measurement, or why it failed ('failed: <reason>'), or that the page lacks the feature.

import { CHROMIUM } from '../../tests/browser/helpers.mjs';
import { GROUPS, packageFiles, summarise } from './files.mjs';
import { generateFlops } from './flops.mjs';
import { adapterLine, cell, escape, gflops, kB, mflop, ms, table } from './format.mjs';
import { median } from './latency.mjs';

/** The report's section for `demo` from `run`. */
export function report(demo, run) {
  const m = run.machine;
  const adapter = run.paths.map((p) => p.adapter).find((a) => a && !a.error);
  return [
    `## ${demo.title}`,
    '',
    `Measured by \`node ${demo.script} --runs ${run.runs}\` on ${run.date}; weights \`${demo.manifest}\` ("${run.manifest.name}", ${run.manifest.epochs ?? '?'} epochs, ${run.manifest.dtype} storage).`,
    '',
    `- Browser: headless Chromium ${run.chromium} (${CHROMIUM}), the flags of tests/browser/helpers.mjs plus \`--enable-unsafe-webgpu\`.`,
    `- ${adapterLine(adapter)}`,
    `- Machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB; load average ${m.load.join(', ')} before the run, ${m.loadAfter.join(', ')} after (other work on the cores slows every number).`,
    `- Node ${process.version}; page served by scripts/serve.mjs on localhost (no network time; no HTTP compression, so "over the network" is raw bytes).`,
    `- Visitor paths: ${run.paths.map((p) => `\`${p.name}\``).join(', ')}, each in a fresh browser context (empty caches): a cold visit, then a warm one in the same context (HTTP cache and Cache API as the first left them). Latencies, the matmul rate and the grid's long tasks are measured on the warm page.`,
    '',
    ...bytesSection(demo, run),
    '',
    ...timeSection(demo, run),
    '',
    ...cacheSection(run),
    '',
    ...latencySection(demo, run),
    '',
    ...longTaskSection(demo, run),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// 1. Bytes

function bytesSection(demo, run) {
  const sums = run.paths.map((p) => (p.cold.error ? p.cold : summarise(p.cold.responses)));
  const head = ['group (files fetched on the cold visit)', ...run.paths.map((p) => `\`${p.name}\` raw / gzip -9`)];
  const both = (t) => `${kB(t.raw)} / ${kB(t.gzip)} (${t.count})`;
  const rows = GROUPS.map((g) => [g, ...sums.map((s) => cell(s, (s) => both(s.groups[g])))]);
  rows.push(['**total**', ...sums.map((s) => cell(s, (s) => `**${both(s.total)}**`))]);
  rows.push([`target: gzip ≤ ${kB(demo.targetGzip)}`, ...sums.map((s) => cell(s, (s) => (s.total.gzip <= demo.targetGzip ? 'within' : `over by ${kB(s.total.gzip - demo.targetGzip)}`)))]);
  rows.push(['over the network (cold visit; no compression here)', ...sums.map((s) => cell(s, (s) => kB(s.total.network)))]);
  return [
    '### Bytes per visitor path',
    '',
    'From the responses the page (and its workers) really received, by URL, with the sizes of those files on disk: raw, and gzip -9 as a compressing host would send them. Files fetched twice count once; (n) is the number of files.',
    '',
    ...table(head, rows),
    '',
    ...filesTable(run, sums),
    '',
    'The wasm package on disk:',
    '',
    ...table(['file', 'raw', 'gzip -9'], packageFiles().map((f) => [`\`${f.path}\``, f.missing ? 'not built' : kB(f.raw), f.missing ? 'not built' : kB(f.gzip)])),
  ];
}

// The fetched files but the page code one by one (those are summed above): which path fetched what.
function filesTable(run, sums) {
  const files = new Map();
  sums.forEach((s, i) => s.files?.forEach((f) => files.set(f.path, { ...f, by: [...(files.get(f.path)?.by ?? []), i] })));
  const listed = [...files.values()].filter((f) => f.group !== GROUPS[2]).sort((a, b) => a.path.localeCompare(b.path));
  const size = (f, key) => (f.size ? kB(f.size[key]) : `not on disk (HTTP ${f.status})`);
  return table(['file', 'raw', 'gzip -9', ...run.paths.map((p) => `\`${p.name}\``)], listed.map((f) => [`\`${f.path}\``, size(f, 'raw'), size(f, 'gzip'), ...run.paths.map((_, i) => (f.by.includes(i) ? 'fetched' : '–'))]));
}

// ---------------------------------------------------------------------------------------------
// 2. Time to the first output, 5. caches

const ready = (v) => (v.state === 'ready' ? v : { error: `demo ${v.state}: ${v.error}` });

function timeSection(demo, run) {
  const col = (show, which = 'cold') => run.paths.map((p) => cell(p[which].error ? p[which] : ready(p[which]), show));
  const rows = [
    ['backend that ran (`model.backend`)', ...col((v) => v.backend ?? 'n/a')],
    ['where it ran (`model.runsIn`)', ...col((v) => v.runsIn ?? 'n/a (page does not say)')],
    [`cold: navigation → ${demo.first}`, ...col((v) => ms(v.firstMs))],
    [`warm (second visit): navigation → ${demo.first}`, ...col((v) => ms(v.firstMs), 'warm')],
    ['backend on the warm visit', ...col((v) => `${v.backend ?? 'n/a'}, ${v.runsIn ?? 'runsIn n/a'}`, 'warm')],
  ];
  return [`### Time to the ${demo.first}`, '', `\`body[data-${demo.firstAttribute}]\`: ms from navigation start to the ${demo.first} drawn (downloads, compilation, model load, first generate).`, '', ...table(['', ...run.paths.map((p) => `\`${p.name}\``)], rows)];
}

function cacheSection(run) {
  const col = (show) => run.paths.map((p) => cell(p.warm, show));
  const group = (v, g) => v.responses.filter((r) => r.group === g);
  const weights = (v) => group(v, GROUPS[3]).filter((r) => !r.path.endsWith('.json'));
  const manifests = (v) => group(v, GROUPS[3]).filter((r) => r.path.endsWith('.json'));
  const served = (list) => (list.length ? [...new Set(list.map((r) => `${r.served} (HTTP ${r.status}, ${kB(r.network)})`))].join('; ') : 'not fetched');
  const rows = [
    ['**weights over the network**', ...col((v) => `**${kB(weights(v).reduce((s, r) => s + r.network, 0))}**`)],
    ['weights responses', ...col((v) => served(weights(v)))],
    ['manifest responses', ...col((v) => served(manifests(v)))],
    ['wasm module(s)', ...col((v) => served(group(v, GROUPS[0])))],
    ['everything over the network, warm (cold)', ...run.paths.map((p) => cell(p.warm, (v) => `${kB(summarise(v.responses).total.network)} (${cell(p.cold, (c) => kB(summarise(c.responses).total.network))})`))],
    ['status says "from cache"', ...col((v) => (/from cache/i.test(v.loadText) ? 'yes' : 'no'))],
    ['status text (warm)', ...col((v) => `“${escape(v.loadText).slice(0, 140)}”`)],
  ];
  return [
    '### Second visit: what the caches saved',
    '',
    'Bytes over the network are resource timing\'s `transferSize` (the page\'s and its workers\' entries), else Playwright\'s header + body sizes. "revalidated (304)": a conditional request answered without a body; "HTTP cache": no request at all (transferSize 0); a file read from the Cache API makes no response at all ("not fetched").',
    '',
    ...table(['second visit, same context', ...run.paths.map((p) => `\`${p.name}\``)], rows),
  ];
}

// ---------------------------------------------------------------------------------------------
// 3, 4. Warm latency, the matmul rate, arithmetic and ratio

function latencySection(demo, run) {
  const matmul = run.paths.find((p) => p.matmul)?.matmul ?? { error: 'no WebGPU path measured it' };
  const rateAt = (kernel, m) => (matmul.error ? undefined : matmul.find((r) => r.kernel === kernel && r.m === m)?.gflops);
  const rows = run.paths.filter((p) => p.latency).flatMap((p) => demo.counts.map((n) => latencyRow(demo, run, p.name, p.latency[n], n, rateAt)));
  const matmulRows = matmul.error
    ? [[`failed: ${escape(matmul.error)}`, '', '', '', '', '']]
    : matmul.map((r) => [r.kernel, `${r.m} × ${r.k} × ${r.n}`, String(r.dispatches), ms(r.ms), gflops(r.gflops), r.checked ? 'ok' : '**wrong result**']);
  return [
    '### Warm generate latency and its arithmetic',
    '',
    `\`window.jmvae.run(() => model.generate(${demo.givenText}, { samples: n, seed }))\`, timed in the page around the await: one first call, then the median and range of ${run.runs} warm calls (seeds differ). Arithmetic from the manifest's config (bench/page-lib/flops.mjs: ${demo.flopsNote}; biases and activations left out; no read-back, which these calls do not ask for). "achieved" = FLOPs / warm latency. "ratio" = warm latency / (FLOPs / the adapter's raw WebGPU matmul rate at m = n rows, table below), for the tiled kernel / the naive one: how many times longer the call takes than its arithmetic at that rate (on the CPU path it compares the CPU with the adapter).`,
    '',
    ...table(['path', 'call', 'first', 'warm (median)', 'warm (min – max)', 'arithmetic', 'achieved', 'matmul rate at m = n (tiled / naive)', 'ratio (tiled / naive)'], rows),
    '',
    'Adapter matmul throughput, raw WebGPU (no wasm) in the same page as the WebGPU path\'s latencies (bench/page-lib/matmul.mjs: f32; "tiled": 16×16 workgroups with 16×16 tiles in workgroup memory; "naive": one invocation per output, no barriers; a batch of dispatches timed from submit to the end of a mapAsync read-back; GFLOP/s = 2·m·k·n·dispatches / time):',
    '',
    ...table(['kernel', 'm × k × n', 'dispatches', 'time', 'rate', 'result checked'], matmulRows),
  ];
}

function latencyRow(demo, run, path, timed, n, rateAt) {
  let flops;
  try {
    flops = generateFlops(run.config, demo.givenName, n);
  } catch (error) {
    flops = { error: `not computed: ${error.message}` };
  }
  const warm = timed && !timed.error ? median(timed.warmMs) : NaN;
  const rates = ['tiled', 'naive'].map((kernel) => rateAt(kernel, n));
  const both = (show) => (rates.some(Boolean) ? rates.map((r) => (r ? show(r) : '–')).join(' / ') : 'no matmul rate (see below)');
  const ratio = (rate) => `${(warm / (flops / (rate * 1e6))).toPrecision(2)}×`;
  return [
    path,
    `${n} ${n === 1 ? demo.one : demo.many}`,
    cell(timed, (t) => ms(t.firstMs)),
    cell(timed, () => ms(warm)),
    cell(timed, (t) => `${ms(Math.min(...t.warmMs))} – ${ms(Math.max(...t.warmMs))}`),
    cell(flops, mflop),
    cell(timed, () => cell(flops, (f) => gflops(f / (warm * 1e6)))),
    both(gflops),
    cell(timed, () => cell(flops, () => both(ratio))),
  ];
}

// ---------------------------------------------------------------------------------------------
// 6. Long tasks

function longTaskSection(demo, run) {
  const tasks = (t) => `${t.count} (longest ${ms(t.longestMs)}, total ${ms(t.totalMs)})`;
  const rows = [
    ['during the cold load (navigation → ready)', ...run.paths.map((p) => cell(p.cold, (v) => tasks(v.longTasks)))],
    ['during the warm load', ...run.paths.map((p) => cell(p.warm, (v) => tasks(v.longTasks)))],
    [`while the page draws a new 16-${demo.one} grid (Resample, after ready)`, ...run.paths.map((p) => (p.latency ? cell(p.gridTasks, (g) => `${tasks(g)}; grid took ${ms(g.elapsedMs)}`) : 'not measured on this path'))],
  ];
  return [
    '### Long tasks on the main thread',
    '',
    'A `PerformanceObserver({ type: \'longtask\', buffered: true })` installed by `context.addInitScript` before the page\'s scripts: count of tasks over 50 ms, the longest, and their sum. The grid row clicks the page\'s own Resample button (its generate with read-back, and the drawing) and waits for the new grid.',
    '',
    ...table(['', ...run.paths.map((p) => `\`${p.name}\``)], rows),
  ];
}
