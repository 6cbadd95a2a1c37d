// Types of the elements defined by jmvae-elements.js.

/** Where an element's model runs and why there. */
export interface JmvaeLoadDetail {
  backend: 'cpu' | 'webgpu';
  /** Why 'auto' runs on the CPU, if it does. */
  why: string | null;
  runsIn: 'worker' | 'main';
  /** Why the model runs on the page's main thread, when no worker could start. */
  whyMainThread: string | null;
}

/** The weights' download: bytes so far, bytes in all, and where they come from. */
export interface JmvaeProgressDetail {
  loaded: number;
  total: number;
  source: 'network' | 'cache';
}

/** What a figure drew; `outputs` holds a Float32Array per modality (module API's `generate`). */
export interface JmvaeResultDetail {
  panel: 'generate' | 'read' | 'edit' | 'walk' | 'latent' | 'about';
  given?: Record<string, number | Float32Array>;
  samples?: number;
  seed?: number;
  temperature?: number;
  outputs?: Record<string, Float32Array | number>;
  [key: string]: unknown;
}

export interface JmvaeBackendChangeDetail {
  backend: 'cpu' | 'webgpu';
  /** 'upgrading' | 'upgraded' | 'upgrade-failed' | 'lost' | 'recovered' */
  change: string;
  why: string;
}

export interface JmvaeErrorDetail {
  type: 'input' | 'network' | 'manifest' | 'weights' | 'wasm' | 'webgpu' | 'worker' | 'model';
  message: string;
}

export interface JmvaeEventMap {
  progress: CustomEvent<JmvaeProgressDetail>;
  load: CustomEvent<JmvaeLoadDetail>;
  result: CustomEvent<JmvaeResultDetail>;
  'backend-change': CustomEvent<JmvaeBackendChangeDetail>;
  error: CustomEvent<JmvaeErrorDetail>;
}

/** `<jmvae-panel>`: one panel of the demo, built from its model's modalities. */
export class JmvaePanel extends HTMLElement {
  /** URL of the model's manifest, relative to the page. */
  model: string | null;
  panel: 'generate' | 'read' | 'edit' | 'walk' | 'latent' | 'about' | null;
  /** `label=3`, `attributes=Smiling,Male`: by modality name, several joined by `&`. */
  given: string | null;
  /** The walk's other end, in `given`'s syntax. */
  to: string | null;
  backend: 'auto' | 'cpu' | 'webgpu' | null;
  loading: 'lazy' | 'eager' | 'interaction' | null;
  controls: 'full' | 'minimal' | 'none' | null;
  alt: string | null;
  seed: number | null;
  samples: number | null;
  temperature: number | null;
  strength: number | null;
  /** The model once loaded (the module API's Model, run in the shared worker), else null. */
  readonly loadedModel: unknown;
  /** Start loading now, whatever `loading` says. */
  activate(): void;
  addEventListener<K extends keyof JmvaeEventMap>(type: K, listener: (event: JmvaeEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** `<jmvae-demo>`: the whole demo, a tab per model (`models`, space-separated; `tabs`: names). */
export class JmvaeDemo extends HTMLElement {}

/** What the shared registry holds: runtimes (one per backend) and models (one per manifest). */
export function registrySize(): { runtimes: number; models: number };

declare global {
  interface HTMLElementTagNameMap {
    'jmvae-panel': JmvaePanel;
    'jmvae-demo': JmvaeDemo;
  }
}
