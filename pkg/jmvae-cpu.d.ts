/* tslint:disable */
/* eslint-disable */

/**
 * A loaded JMVAE, ready to generate in the browser.
 */
export class Model {
    private constructor();
    free(): void;
    [Symbol.dispose](): void;
    /**
     * Decode latent vectors (a Float32Array of `n * latent` values) into every modality.
     * A CVAE refuses: its decoder needs its conditions beside z.
     */
    decode(z: any): Promise<any>;
    /**
     * The Gaussian q(z|given): resolves to `{ mean: Float32Array, std: Float32Array }`.
     */
    encode(given: any): Promise<any>;
    /**
     * Build a model from its manifest (the JSON text) and its weights file (a `Uint8Array` or an
     * `ArrayBuffer`), checked against each other, on a backend: `options.backend` is `'auto'`
     * (WebGPU, else the CPU fallback), `'webgpu'` or `'cpu'`. Errors name the file at fault.
     */
    static fromBytes(manifest_json: string, weights: any, options: any): Promise<Model>;
    /**
     * Generate every modality from the given ones: `given` maps modality names to a class
     * index (categorical) or an array of values in [0, 1]; `options.samples` latents
     * z = μ + τ·σ·ε are drawn with `options.seed` at `options.temperature` τ (default: the
     * manifest's; 0 samples: the posterior mean). Resolves to `{ <name>: Float32Array,
     * samples, temperature }`, each array holding `max(samples, 1)` rows; with
     * `options.readBack`, also `readBack: { <given name>: Float32Array }`, the model's own
     * reading of what it generated (see `infer::read_back`; empty for a CVAE, which has no
     * p(w|z)). A CVAE refuses an image without its label.
     */
    generate(given: any, options: any): Promise<any>;
    /**
     * The manifest (the JSON text), checked (its format and config) and returned as an object,
     * so that a page can find the weights file it names (`weights.file`, beside the manifest)
     * before downloading it; `fromBytes` then checks the weights against it.
     */
    static readManifest(manifest_json: string): any;
    /**
     * `'webgpu'` or `'cpu'`: the backend that actually runs.
     */
    readonly backend: string;
    /**
     * The temperature `generate` uses when none is given (the manifest's `sampling.temperature`).
     */
    readonly defaultTemperature: number;
    /**
     * Why `'auto'` fell back to the CPU, if it did.
     */
    readonly fallbackReason: string | undefined;
    /**
     * The latent size.
     */
    readonly latent: number;
    /**
     * The whole manifest (name, dataset, training, metrics, notice, ...).
     */
    readonly manifest: any;
    /**
     * The modalities: `[{ name, kind, shape, labels, condition }]`; `condition` is true for
     * a CVAE's conditions, which it is given and never generates.
     */
    readonly modalities: any;
}

/**
 * Route Rust panics to the browser console with a stack trace.
 */
export function start(): void;

export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

export interface InitOutput {
    readonly memory: WebAssembly.Memory;
    readonly __wbg_model_free: (a: number, b: number) => void;
    readonly model_backend: (a: number) => [number, number];
    readonly model_decode: (a: number, b: any) => any;
    readonly model_defaultTemperature: (a: number) => number;
    readonly model_encode: (a: number, b: any) => any;
    readonly model_fallbackReason: (a: number) => [number, number];
    readonly model_fromBytes: (a: number, b: number, c: any, d: any) => any;
    readonly model_generate: (a: number, b: any, c: any) => any;
    readonly model_latent: (a: number) => number;
    readonly model_manifest: (a: number) => [number, number, number];
    readonly model_modalities: (a: number) => [number, number, number];
    readonly model_readManifest: (a: number, b: number) => [number, number, number];
    readonly start: () => void;
    readonly wasm_bindgen__convert__closures_____invoke__h60702a48838d1764: (a: number, b: number, c: any) => [number, number];
    readonly wasm_bindgen__convert__closures_____invoke__hb98d63cc49481475: (a: number, b: number, c: any, d: any) => void;
    readonly __wbindgen_malloc: (a: number, b: number) => number;
    readonly __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
    readonly __wbindgen_free: (a: number, b: number, c: number) => void;
    readonly __wbindgen_exn_store: (a: number) => void;
    readonly __externref_table_alloc: () => number;
    readonly __wbindgen_externrefs: WebAssembly.Table;
    readonly __wbindgen_destroy_closure: (a: number, b: number) => void;
    readonly __externref_table_dealloc: (a: number) => void;
    readonly __wbindgen_start: () => void;
}

export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * Instantiates the given `module`, which can either be bytes or
 * a precompiled `WebAssembly.Module`.
 *
 * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.
 *
 * @returns {InitOutput}
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/**
 * If `module_or_path` is {RequestInfo} or {URL}, makes a request and
 * for everything else, calls `WebAssembly.instantiate` directly.
 *
 * @param {{ module_or_path: InitInput | Promise<InitInput> }} module_or_path - Passing `InitInput` directly is deprecated.
 *
 * @returns {Promise<InitOutput>}
 */
export default function __wbg_init (module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>): Promise<InitOutput>;
