/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const __wbg_model_free: (a: number, b: number) => void;
export const model_backend: (a: number) => [number, number];
export const model_decode: (a: number, b: any) => any;
export const model_defaultTemperature: (a: number) => number;
export const model_encode: (a: number, b: any) => any;
export const model_fallbackReason: (a: number) => [number, number];
export const model_fromBytes: (a: number, b: number, c: any, d: any) => any;
export const model_generate: (a: number, b: any, c: any) => any;
export const model_latent: (a: number) => number;
export const model_manifest: (a: number) => [number, number, number];
export const model_modalities: (a: number) => [number, number, number];
export const model_readManifest: (a: number, b: number) => [number, number, number];
export const start: () => void;
export const wasm_bindgen__convert__closures_____invoke__h60702a48838d1764: (a: number, b: number, c: any) => [number, number];
export const wasm_bindgen__convert__closures_____invoke__hb98d63cc49481475: (a: number, b: number, c: any, d: any) => void;
export const __wbindgen_malloc: (a: number, b: number) => number;
export const __wbindgen_realloc: (a: number, b: number, c: number, d: number) => number;
export const __wbindgen_free: (a: number, b: number, c: number) => void;
export const __wbindgen_exn_store: (a: number) => void;
export const __externref_table_alloc: () => number;
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_destroy_closure: (a: number, b: number) => void;
export const __externref_table_dealloc: (a: number) => void;
export const __wbindgen_start: () => void;
