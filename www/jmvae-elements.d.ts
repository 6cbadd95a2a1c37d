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
  /** The absolute URL of the manifest. */
  model: string;
  loaded: number;
  total: number;
  source: 'network' | 'cache';
  /** What the browser's cache of the weights said (cached for the next visit, could not be cached...). */
  note: string;
  /** The last one: the weights are all here. */
  done: boolean;
}

/** What a figure drew; `outputs` holds a Float32Array per modality (module API's `generate`). */
export interface JmvaeResultDetail {
  /** The absolute URL of the manifest. */
  model: string;
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
  /** The absolute URL of the manifest ('' before one was read). */
  model: string;
  type: 'input' | 'network' | 'manifest' | 'weights' | 'wasm' | 'webgpu' | 'worker' | 'model';
  message: string;
}

/** A generated tile clicked: its image, as the model takes it (give it to another panel's `useImage`). */
export interface JmvaePickDetail {
  modality: string;
  values: Float32Array;
}

/** The tab a `<jmvae-demo>` shows now. */
export interface JmvaeTabChangeDetail {
  index: number;
  name: string;
  /** The absolute URL of the tab's manifest. */
  model: string;
}

export interface JmvaeEventMap {
  progress: CustomEvent<JmvaeProgressDetail>;
  load: CustomEvent<JmvaeLoadDetail>;
  result: CustomEvent<JmvaeResultDetail>;
  'backend-change': CustomEvent<JmvaeBackendChangeDetail>;
  error: CustomEvent<JmvaeErrorDetail>;
  pick: CustomEvent<JmvaePickDetail>;
}

/** `<jmvae-panel>`: one panel of the demo, built from its model's modalities. */
export class JmvaePanel extends HTMLElement {
  /** URL of the model's manifest, relative to the page. */
  model: string | null;
  panel: 'generate' | 'read' | 'edit' | 'walk' | 'latent' | 'about' | null;
  /** The image modality drawn or read, where the model has several (default: the first). */
  image: string | null;
  /** `label=3`, `attributes=Smiling,Male`: by modality name, several joined by `&`. */
  given: string | null;
  /** The walk's other end, in `given`'s syntax. */
  to: string | null;
  /** Buttons above the controls: `Name: given; Name: given` (`Smiling: attributes=Smiling`). */
  presets: string | null;
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
  /** Give the panel an image of modality `name`, as if drawn or chosen (read, edit and latent take it). */
  useImage(name: string, values: Float32Array): void;
  addEventListener<K extends keyof JmvaeEventMap>(type: K, listener: (event: JmvaeEventMap[K]) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/**
 * `<jmvae-demo>`: the whole demo, a tab per model (`models`, space-separated; `tabs`: names;
 * `tab`: the one shown, by name or index). `given` and `presets` are shared out to each tab by
 * modality name; `backend`, `seed`, `samples`, `temperature` and `strength` pass to every panel.
 * A tile picked in a tab's grid goes to that tab's read, edit and latent panels.
 */
export class JmvaeDemo extends HTMLElement {
  /** The index of the tab shown. */
  readonly selectedIndex: number;
  /** The panels of the tab shown. */
  readonly panels: JmvaePanel[];
  addEventListener(type: 'tab-change', listener: (event: CustomEvent<JmvaeTabChangeDetail>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** Hold the model of a manifest (the one the elements share): `{ model, run(job, key), release() }`. */
export function holdModel(url: string, backend: 'auto' | 'cpu' | 'webgpu', listener: (event: unknown) => void): {
  model: Promise<unknown>;
  run<T>(job: () => Promise<T>, key: unknown): Promise<T>;
  release(): void;
};

/** How long a released model is kept (ms), and whether `auto` may use a software WebGPU adapter (testing). */
export function configureRegistry(options: { graceMs?: number; trustSoftware?: boolean }): void;

/** What the shared registry holds: runtimes (one per backend) and models (one per manifest). */
export function registrySize(): { runtimes: number; models: number };

declare global {
  interface HTMLElementTagNameMap {
    'jmvae-panel': JmvaePanel;
    'jmvae-demo': JmvaeDemo;
  }
}
