#!/usr/bin/env node
// What takes the space in the WebAssembly module, by crate.
//
//   node bench/wasm-size.mjs [MODULE.wasm] [--crates N]
//
// MODULE defaults to target/wasm32-unknown-unknown/wasm-release/jmvae.wasm: cargo's output
// before wasm-bindgen and wasm-opt, the last stage that still has function names (pkg/ is
// stripped). Any module with a name section works, e.g. one run through wasm-opt with -g.
// Needs twiggy (`cargo install twiggy`; or set TWIGGY=/path/to/twiggy).
//
// Every item twiggy lists (function, data segment, section) is charged to one group, by the
// crate that its symbol name starts with: `burn_flex::ops::cat::cat` to burn_flex, `<pliron::
// Operation as pliron::Parsable>::parse` to pliron, `<T as foo::Trait>::f` (a blanket impl) to
// foo. Legacy symbol names carry no generic arguments, so generic code of core/alloc (iterators,
// Vec, drop glue) stays with std/core/alloc even when instantiated for another crate's types;
// shares are therefore approximate, the big ones reliably so.

import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const DEFAULT_MODULE = join(ROOT, 'target', 'wasm32-unknown-unknown', 'wasm-release', 'jmvae.wasm');

// Groups in the order they are tried; the first whose test accepts the crate wins.
const GROUPS = [
  // <ctors>: __wasm_call_ctors runs the static constructors, nearly all cubecl_ir's and
  // cubecl_wgpu's registrations of IR operations (wasm-opt inlines them into it).
  ['cubecl* (runtime, IR, WGSL compiler, std)', (c) => c.startsWith('cubecl') || c === '<ctors>'],
  ['cubek* (cubecl kernels: matmul, reduce, quant, ...)', (c) => c.startsWith('cubek')],
  ['pliron + its parser (combine, rustc_apfloat, awint): cubecl IR', (c) => /^(pliron|combine|rustc_apfloat|awint)/.test(c)],
  ['wgpu* / naga*', (c) => /^(wgpu|naga)/.test(c)],
  ['burn_flex / gemm* (CPU fallback)', (c) => /^(burn_flex|gemm|seq_macro|pulp|raw_cpuid)/.test(c)],
  ['burn_* (other)', (c) => c.startsWith('burn')],
  ['serde*', (c) => c.startsWith('serde')],
  ['std / core / alloc (+ compiler_builtins, dlmalloc, rustc_demangle)', (c) => /^(std|core|alloc|compiler_builtins|dlmalloc|rustc_demangle|panic_abort)$/.test(c)],
  ['wasm-bindgen / js-sys / web-sys', (c) => /^(wasm_bindgen|js_sys|web_sys|console_error_panic_hook)/.test(c)],
  ['jmvae', (c) => c === 'jmvae'],
  ['data segments (.rodata, .data, ...)', (c) => c === '<data>'],
  ['name section (debug names; not shipped)', (c) => c === '<names>'],
  ['custom sections (not shipped)', (c) => c === '<custom>'],
  ["wasm-bindgen's describe functions (wasm-bindgen removes them; not shipped)", (c) => c === '<describe>'],
  ['wasm structure (tables, types, imports, exports)', (c) => c === '<wasm>'],
  ['other crates', () => true],
];
const NOT_SHIPPED = new Set(['<names>', '<custom>', '<describe>']);

// Features that cut across crates, found by symbol name; they overlap (a quantised matmul's
// kernel builder counts in three rows), so these rows do not add up.
const TOPICS = [
  ['quantisation (/quant/i: cubecl_std::quant views, cubek_quant, QTensorOps)', /quant/i],
  ['kernel builders (#[cube] fns expanded to IR at run time: __expand*)', /__expand|::expand::|expand_/],
  ['matmul kernels (matmul, cmma, multi_level, tiled:: in the name)', /matmul|cmma|multi_level|tiled::/i],
  ['pliron IR and its parser (pliron, combine, rustc_apfloat, awint)', /pliron|combine|rustc_apfloat|awint/],
  ['IR text parsing (/[Pp]ars/)', /[Pp]ars/],
  ['WGSL compiler (cubecl_wgpu::compiler)', /cubecl_wgpu::compiler/],
  ['CPU fallback (burn_flex, gemm*)', /burn_flex|gemm/],
  ['autotune (/tune/i)', /tune/i],
  ['fusion (/fusion/i)', /fusion/i],
  ['naga', /naga/i],
];

/** The crate (or pseudo-crate in <angle brackets>) an item of twiggy's list belongs to. */
export function crateOf(name) {
  if (/^"[^"]*" subsection$/.test(name)) return '<names>';
  if (name.startsWith('custom section')) return '<custom>';
  if (name.startsWith('data segment')) return '<data>';
  // wasm-bindgen's describe functions, which wasm-bindgen itself removes from the module.
  if (/^(export ")?__wbindgen_describe/.test(name)) return '<describe>';
  if (name === '__wasm_call_ctors') return '<ctors>';
  if (/^(elem|table|type|import|export|global|memory)\b|^code\[\d+\]$/.test(name)) return '<wasm>';
  // An impl for a type of no crate (`<T as krate::Trait>::f` for a generic T, `<u32 as ...>`,
  // `<&T as ...>`, `<[E; D] as ...>`): the code is the trait crate's.
  const anonymous = /^<(?:&(?:mut )?)?(?:[A-Z]\w*|[iu](?:8|16|32|64|128|size)|f32|f64|bool|char|str|\[[^\]]*\]|\([^)]*\))(?:\s+as\s+(\w+))?/.exec(name);
  if (anonymous) return anonymous[1] ?? 'core'; // `<u128>::fmt` is core's inherent impl
  const path = name.replace(/^(?:[<&(\[*\s]|mut |dyn |const )+/, '');
  const match = /^([A-Za-z_]\w*)(?:\[[0-9a-f]+\])?::/.exec(path);
  if (match) return match[1];
  return /^__(wbg|wbindgen|externref)/.test(name) ? 'wasm_bindgen' : 'other';
}

function groupOf(crate) {
  return GROUPS.find(([, test]) => test(crate))[0];
}

function twiggyTop(module) {
  const twiggy = process.env.TWIGGY || 'twiggy';
  try {
    const json = execFileSync(twiggy, ['top', '-f', 'json', module], { maxBuffer: 1 << 30, encoding: 'utf8' });
    return JSON.parse(json);
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error(`${twiggy} not found: cargo install twiggy (or set TWIGGY)`);
    throw error;
  }
}

function parseArgs(argv) {
  const options = { module: DEFAULT_MODULE, crates: 25 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--crates') options.crates = Number(argv[++i]);
    else if (argv[i].startsWith('-')) {
      console.error('usage: node bench/wasm-size.mjs [MODULE.wasm] [--crates N (default 25)]');
      process.exit(2);
    } else options.module = argv[i];
  }
  return options;
}

const kB = (bytes) => (bytes / 1e3).toFixed(1);
const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;

function main() {
  const options = parseArgs(process.argv.slice(2));
  const items = twiggyTop(options.module);
  const byCrate = new Map();
  for (const item of items) {
    const crate = crateOf(item.name);
    const entry = byCrate.get(crate) ?? { crate, bytes: 0, items: 0 };
    entry.bytes += item.shallow_size;
    entry.items += 1;
    byCrate.set(crate, entry);
  }
  const total = items.reduce((sum, item) => sum + item.shallow_size, 0);
  const shipped = [...byCrate.values()].filter((e) => !NOT_SHIPPED.has(e.crate)).reduce((sum, e) => sum + e.bytes, 0);

  const byGroup = new Map(GROUPS.map(([name]) => [name, { bytes: 0, items: 0, crates: [] }]));
  for (const entry of byCrate.values()) {
    const group = byGroup.get(groupOf(entry.crate));
    group.bytes += entry.bytes;
    group.items += entry.items;
    group.crates.push(entry);
  }

  const shown = relative(process.cwd(), options.module) || options.module;
  console.log(`${shown}: ${kB(statSync(options.module).size)} kB, ${items.length} items (twiggy top)`);
  console.log('"% of code+data" leaves out what is not shipped: the name and custom sections and wasm-bindgen\'s describe functions.\n');
  console.log('| group | kB | % of file | % of code+data | items | biggest crates (kB) |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const [name, group] of [...byGroup].sort((a, b) => b[1].bytes - a[1].bytes)) {
    if (!group.bytes) continue;
    const shippedShare = group.crates.some((e) => NOT_SHIPPED.has(e.crate)) ? '–' : pct(group.bytes, shipped);
    const biggest = group.crates
      .filter((e) => !e.crate.startsWith('<'))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 4)
      .map((e) => `${e.crate} ${kB(e.bytes)}`)
      .join(', ');
    console.log(`| ${name} | ${kB(group.bytes)} | ${pct(group.bytes, total)} | ${shippedShare} | ${group.items} | ${biggest} |`);
  }
  console.log(`| **total** | **${kB(total)}** | 100% | | ${items.length} | |`);

  console.log('\nAcross crates, by symbol name (rows overlap):\n');
  console.log('| what | kB | % of code+data | items |');
  console.log('|---|---:|---:|---:|');
  for (const [what, pattern] of TOPICS) {
    const matching = items.filter((item) => pattern.test(item.name));
    const bytes = matching.reduce((sum, item) => sum + item.shallow_size, 0);
    console.log(`| ${what} | ${kB(bytes)} | ${pct(bytes, shipped)} | ${matching.length} |`);
  }

  console.log(`\nTop ${options.crates} crates:\n`);
  console.log('| crate | kB | % of code+data | items |');
  console.log('|---|---:|---:|---:|');
  const crates = [...byCrate.values()].filter((e) => !e.crate.startsWith('<')).sort((a, b) => b.bytes - a.bytes);
  for (const e of crates.slice(0, options.crates)) {
    console.log(`| ${e.crate} | ${kB(e.bytes)} | ${pct(e.bytes, shipped)} | ${e.items} |`);
  }
}

main();
