// Whatever was thrown, as a sentence a reader can act on. Failures arrive as Errors, strings,
// wasm JsValues, or, when Rust panics, as a bare "RuntimeError: unreachable" whose real message
// only went to the console; this file recovers the message and suggests a next step.

// The first Rust panic logged (the cause; later ones follow from it).
let firstPanic = null;

/**
 * The message of a Rust panic as console_error_panic_hook logs it ("panicked at file:line:col:\n
 * message\n\nStack: ..."), or null for any other text.
 */
export function panicMessage(text) {
  const match = /^panicked at [^\n]*\n([\s\S]*?)(?:\n\s*Stack:|$)/.exec(text);
  return match ? match[1].trim() : null;
}

/** Keep the message of the first Rust panic, which messageOf() then shows instead of "unreachable". */
export function rememberPanics() {
  const log = console.error.bind(console);
  console.error = (...args) => {
    firstPanic ??= panicMessage(args.map(String).join(' '));
    log(...args);
  };
}

/** Any thrown value (Error, string, wasm JsValue) as a readable sentence. */
export function messageOf(error) {
  if (typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError && firstPanic) {
    return `the WebAssembly module panicked: ${firstPanic}`;
  }
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** A next step for the reader, for the failures we can recognise; '' for the others. */
export function hintFor(text) {
  if (location.protocol === 'file:') {
    return 'Pages opened from file:// cannot load modules or weights: run node scripts/serve.mjs and open the URL it prints.';
  }
  if (/pkg\/jmvae/.test(text) && /missing|404/.test(text)) {
    return 'Build the WebAssembly package into pkg/ first (see the README).';
  }
  if (/404/.test(text)) return 'Check the ?model= (or ?faces-model=) URL, or that the manifest and its weights file are in www/models/.';
  if (/refused before downloading|download ran past/.test(text)) return 'The server sends more than the file its manifest describes: check the files on the server.';
  if (/sha256|truncated|corrupt/i.test(text)) return 'The weights file does not match its manifest: download or export it again.';
  if (/device.*lost|lost.*device/i.test(text)) return 'The GPU device was lost: reload the page, or add ?backend=cpu to the URL.';
  if (/webgpu|adapter|navigator\.gpu/i.test(text)) return 'Add ?backend=cpu to the URL to run on the CPU instead.';
  if (/unreachable|RuntimeError|panicked/.test(text)) return 'The WebAssembly module crashed (details in the browser console): reload the page.';
  return '';
}
