//! The browser API: a thin wasm-bindgen shell over `infer` that builds a model from the bytes
//! of its manifest and weights, picks WebGPU or the CPU fallback, and converts between JS values
//! and tensors. Fetching the files (and resolving the weights' URL beside the manifest) is the
//! page's, in one place: `www/shared/fetch-model.js`.
//!
//! ```js
//! import init, { Model } from './pkg/jmvae.js';
//! await init();
//! const manifest = Model.readManifest(manifestJson); // checked; manifest.weights.file: the weights
//! const model = await Model.fromBytes(manifestJson, weightsBytes, { backend: 'auto' });
//! const out = await model.generate({ label: 3 }, { samples: 16, seed: 7, temperature: 0.5, readBack: true });
//! // out.image, out.label; out.readBack.label: the model's reading of each generated digit
//! ```

use std::rc::Rc;

use burn::tensor::{Device, Tensor, TensorData};
use js_sys::{ArrayBuffer, Float32Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::infer::{Observation, Temperature, decode_all, latents, observe, read_back};
use crate::{Jmvae, Manifest};

/// Route Rust panics to the browser console with a stack trace.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

struct Inner {
    model: Jmvae,
    device: Device,
    backend: &'static str,
    fallback_reason: Option<String>,
    manifest: Manifest,
}

/// A loaded JMVAE, ready to generate in the browser.
#[wasm_bindgen]
pub struct Model {
    inner: Rc<Inner>,
}

fn error(message: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&message.to_string()).into()
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

#[wasm_bindgen]
impl Model {
    /// Build a model from its manifest (the JSON text) and its weights file (a `Uint8Array` or an
    /// `ArrayBuffer`), checked against each other, on a backend: `options.backend` is `'auto'`
    /// (WebGPU, else the CPU fallback), `'webgpu'` or `'cpu'`. Errors name the file at fault.
    #[wasm_bindgen(js_name = fromBytes)]
    pub async fn from_bytes(manifest_json: String, weights: JsValue, options: JsValue) -> Result<Model, JsValue> {
        let backend = get(&options, "backend").as_string().unwrap_or_else(|| "auto".into());
        let manifest = Manifest::from_json(&manifest_json).map_err(|e| error(format!("the manifest: {e}")))?;
        let file = &manifest.weights.file;
        let weights = bytes(&weights).ok_or_else(|| error(format!("{file}: give the weights as a Uint8Array or an ArrayBuffer")))?;
        let (device, backend, fallback_reason) = choose_device(&backend).await?;
        let model = manifest.load(weights, &device).map_err(|e| error(format!("{file}: {e}")))?;
        let inner = Inner { model, device, backend, fallback_reason, manifest };
        Ok(Model { inner: Rc::new(inner) })
    }

    /// The manifest (the JSON text), checked (its format and config) and returned as an object,
    /// so that a page can find the weights file it names (`weights.file`, beside the manifest)
    /// before downloading it; `fromBytes` then checks the weights against it.
    #[wasm_bindgen(js_name = readManifest)]
    pub fn read_manifest(manifest_json: &str) -> Result<JsValue, JsValue> {
        to_js(&Manifest::from_json(manifest_json).map_err(error)?)
    }

    /// `'webgpu'` or `'cpu'`: the backend that actually runs.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.inner.backend.into()
    }

    /// Why `'auto'` fell back to the CPU, if it did.
    #[wasm_bindgen(getter, js_name = fallbackReason)]
    pub fn fallback_reason(&self) -> Option<String> {
        self.inner.fallback_reason.clone()
    }

    /// The modalities: `[{ name, kind, shape, labels, condition }]`; `condition` is true for
    /// a CVAE's conditions, which it is given and never generates.
    #[wasm_bindgen(getter)]
    pub fn modalities(&self) -> Result<JsValue, JsValue> {
        let config = &self.inner.model.config;
        let list: Vec<serde_json::Value> = config
            .modalities
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let condition = config.is_condition(i);
                serde_json::json!({ "name": m.name, "kind": m.kind, "shape": m.shape, "labels": m.labels, "condition": condition })
            })
            .collect();
        to_js(&list)
    }

    /// The whole manifest (name, dataset, training, metrics, notice, ...).
    #[wasm_bindgen(getter)]
    pub fn manifest(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.manifest)
    }

    /// The latent size.
    #[wasm_bindgen(getter)]
    pub fn latent(&self) -> usize {
        self.inner.model.config.latent
    }

    /// The temperature `generate` uses when none is given (the manifest's `sampling.temperature`).
    #[wasm_bindgen(getter, js_name = defaultTemperature)]
    pub fn default_temperature(&self) -> f32 {
        self.inner.manifest.default_temperature().value()
    }

    /// Generate every modality from the given ones: `given` maps modality names to a class
    /// index (categorical) or an array of values in [0, 1]; `options.samples` latents
    /// z = μ + τ·σ·ε are drawn with `options.seed` at `options.temperature` τ (default: the
    /// manifest's; 0 samples: the posterior mean). Resolves to `{ <name>: Float32Array,
    /// samples, temperature }`, each array holding `max(samples, 1)` rows; with
    /// `options.readBack`, also `readBack: { <given name>: Float32Array }`, the model's own
    /// reading of what it generated (see `infer::read_back`; empty for a CVAE, which has no
    /// p(w|z)). A CVAE refuses an image without its label.
    pub fn generate(&self, given: JsValue, options: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let given = parse_given(&inner, &given)?;
            let samples = parse_count(&get(&options, "samples"), "samples", 1)?;
            let seed = parse_count(&get(&options, "seed"), "seed", 0)? as u64;
            let temperature = parse_temperature(&get(&options, "temperature"), inner.manifest.default_temperature())?;
            let q = inner.model.posterior(&given).map_err(error)?;
            let z = latents(&q, samples, seed, temperature);
            let rows = z.dims()[0];
            let outputs = decode_all(&inner.model, z, &given).map_err(error)?;
            let wants_read_back = get(&options, "readBack").is_truthy();
            // The readings of the given modalities, by name, beside the outputs.
            let readings: Vec<(&str, Tensor<2>)> = if wants_read_back {
                let read = read_back(&inner.model, &given, &outputs).map_err(error)?;
                inner.model.config.modalities.iter().zip(read).filter_map(|(m, values)| Some((m.name.as_str(), values?))).collect()
            } else {
                Vec::new()
            };
            // Every output and reading in one tensor: one submission, one readback.
            let modalities = outputs.len();
            let (read_names, read_tensors): (Vec<&str>, Vec<Tensor<2>>) = readings.into_iter().unzip();
            let mut parts = read_together(outputs.into_iter().chain(read_tensors).collect()).await?;
            let read_parts = parts.split_off(modalities);
            let out = outputs_object(&inner, parts, rows)?;
            set(&out, "temperature", &JsValue::from(temperature.value()))?;
            if wants_read_back {
                let by_name = Object::new();
                for (name, part) in read_names.into_iter().zip(read_parts) {
                    set(&by_name, name, &part)?;
                }
                set(&out, "readBack", &by_name)?;
            }
            Ok(out.into())
        })
    }

    /// The Gaussian q(z|given): resolves to `{ mean: Float32Array, std: Float32Array }`.
    pub fn encode(&self, given: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let given = parse_given(&inner, &given)?;
            let q = inner.model.posterior(&given).map_err(error)?;
            let std = q.std();
            let mut parts = read_together(vec![q.mean, std]).await?.into_iter();
            let out = Object::new();
            set(&out, "mean", &parts.next().expect("two parts"))?;
            set(&out, "std", &parts.next().expect("two parts"))?;
            Ok(out.into())
        })
    }

    /// Decode latent vectors (a Float32Array of `n * latent` values) into every modality.
    /// A CVAE refuses: its decoder needs its conditions beside z.
    pub fn decode(&self, z: JsValue) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let conditions = &inner.model.config.conditions;
            if !conditions.is_empty() {
                return Err(error(format!(
                    "this is a CVAE: it decodes z only together with `{}`; use generate with `{}` instead",
                    conditions.join("`, `"),
                    conditions.join("`, `")
                )));
            }
            let values = float_values(&z).ok_or_else(|| error("decode needs a Float32Array or an array of numbers"))?;
            let latent = inner.model.config.latent;
            if values.is_empty() || values.len() % latent != 0 {
                return Err(error(format!("decode needs a multiple of {latent} values, got {}", values.len())));
            }
            if values.iter().any(|v| !v.is_finite()) {
                return Err(error("decode: the latent vectors contain NaN or infinity"));
            }
            let rows = values.len() / latent;
            let z = Tensor::from_data(TensorData::new(values, [rows, latent]), &inner.device);
            let nothing_given = vec![None; inner.model.config.modalities.len()];
            Ok(read_all(&inner, decode_all(&inner.model, z, &nothing_given).map_err(error)?).await?.into())
        })
    }
}

/// Read every modality's outputs back to JS: `{ <name>: Float32Array, samples }`.
async fn read_all(inner: &Inner, outputs: Vec<Tensor<2>>) -> Result<Object, JsValue> {
    let rows = outputs.first().map_or(0, |t| t.dims()[0]);
    outputs_object(inner, read_together(outputs).await?, rows)
}

/// `{ <name>: Float32Array, samples }` from one array per modality, in the config's order.
fn outputs_object(inner: &Inner, parts: Vec<JsValue>, rows: usize) -> Result<Object, JsValue> {
    let out = Object::new();
    for (modality, part) in inner.model.config.modalities.iter().zip(parts) {
        set(&out, &modality.name, &part)?;
    }
    set(&out, "samples", &JsValue::from(rows as u32))?;
    Ok(out)
}

/// Read tensors of equal row counts back in one transfer (WebGPU reads asynchronously, and each
/// readback is a submission and a wait): they are joined column-wise on the device and split
/// again here, one `Float32Array` each, in order.
async fn read_together(tensors: Vec<Tensor<2>>) -> Result<Vec<JsValue>, JsValue> {
    let widths: Vec<usize> = tensors.iter().map(|t| t.dims()[1]).collect();
    let joined = if tensors.len() == 1 { tensors.into_iter().next().expect("one") } else { Tensor::cat(tensors, 1) };
    let data = joined.into_data_async().await.map_err(|e| error(format!("reading from the device failed: {e:?}")))?;
    let values = data.try_to_vec::<f32>().map_err(|e| error(format!("{e:?}")))?;
    let total: usize = widths.iter().sum();
    let rows = values.len() / total;
    let mut parts: Vec<Vec<f32>> = widths.iter().map(|w| Vec::with_capacity(rows * w)).collect();
    for row in values.chunks_exact(total) {
        let mut start = 0;
        for (part, width) in parts.iter_mut().zip(&widths) {
            part.extend_from_slice(&row[start..start + width]);
            start += width;
        }
    }
    Ok(parts.iter().map(|p| Float32Array::from(p.as_slice()).into()).collect())
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(object, &JsValue::from_str(key), value).map(|_| ())
}

fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error(e.to_string()))
}

fn float_values(value: &JsValue) -> Option<Vec<f32>> {
    if let Some(array) = value.dyn_ref::<Float32Array>() {
        return Some(array.to_vec());
    }
    if js_sys::Array::is_array(value) || value.is_instance_of::<js_sys::Object>() && get(value, "length").as_f64().is_some() {
        let array = js_sys::Array::from(value);
        return array.iter().map(|v| v.as_f64().map(|f| f as f32).or(Some(f32::NAN))).collect();
    }
    None
}

/// The bytes of a `Uint8Array` (a Node `Buffer` too) or an `ArrayBuffer`.
fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Some(array.to_vec());
    }
    value.dyn_ref::<ArrayBuffer>().map(|buffer| Uint8Array::new(buffer).to_vec())
}

/// A non-negative integer option, or `default` when absent.
fn parse_count(value: &JsValue, name: &str, default: usize) -> Result<usize, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(default);
    }
    let Some(n) = value.as_f64() else { return Err(error(format!("{name} must be a number"))) };
    if !(n >= 0.0) || n.fract() != 0.0 || n > 1e6 {
        return Err(error(format!("{name} must be a whole number from 0 to 1000000, got {n}")));
    }
    Ok(n as usize)
}

/// The `temperature` option, or `default` when absent; anything but a number in the allowed
/// range is refused with the value and the range.
fn parse_temperature(value: &JsValue, default: Temperature) -> Result<Temperature, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(default);
    }
    let Some(tau) = value.as_f64() else {
        let shown = value.as_bool().map(|b| b.to_string()).or_else(|| value.as_string().map(|s| format!("'{s}'")));
        let shown = shown.unwrap_or_else(|| "a value that is not a number".into());
        return Err(error(format!("temperature must be a number from 0 to {}, got {shown}", Temperature::MAX)));
    };
    Temperature::new(tau as f32).map_err(error)
}

/// `{ label: 3 }` or `{ image: Float32Array(784) }` -> model inputs, refusing nonsense.
fn parse_given(inner: &Inner, given: &JsValue) -> Result<crate::Inputs, JsValue> {
    if !given.is_object() {
        return Err(error("give an object such as { label: 3 } or { image: pixels }"));
    }
    let mut observations = Vec::new();
    for entry in Object::entries(given.unchecked_ref::<Object>()).iter() {
        let pair = js_sys::Array::from(&entry);
        let name = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1);
        let observation = if let Some(n) = value.as_f64() {
            if !(n >= 0.0) || n.fract() != 0.0 {
                return Err(error(format!("`{name}`: a class must be a whole number >= 0, got {n}")));
            }
            Observation::Class(n as usize)
        } else if let Some(values) = float_values(&value) {
            Observation::Values(values)
        } else {
            return Err(error(format!("`{name}` must be a class index or an array of values in [0, 1]")));
        };
        observations.push((name, observation));
    }
    observe(&inner.model.config, &observations, &inner.device).map_err(error)
}

/// The WebGPU fallback choice: the device for `requested`, the backend name, and why `auto`
/// fell back to the CPU (the page's side of it: `www/shared/backend-choice.js`). A module built
/// with one backend only (`pkg/jmvae-cpu.js` has no WebGPU) refuses the other by name.
async fn choose_device(requested: &str) -> Result<(Device, &'static str, Option<String>), JsValue> {
    match requested {
        "cpu" => cpu().map(|d| (d, "cpu", None)).map_err(error),
        "webgpu" => webgpu().await.map(|d| (d, "webgpu", None)).map_err(error),
        "auto" => match webgpu().await {
            Ok(device) => Ok((device, "webgpu", None)),
            Err(reason) => cpu().map(|d| (d, "cpu", Some(reason))).map_err(error),
        },
        other => Err(error(format!("backend must be 'auto', 'webgpu' or 'cpu', got '{other}'"))),
    }
}

/// The CPU backend, when this module has it.
fn cpu() -> Result<Device, String> {
    #[cfg(feature = "flex")]
    return Ok(Device::flex());
    #[cfg(not(feature = "flex"))]
    Err("this WebAssembly module was built without the CPU backend (feature `flex`)".into())
}

/// Start WebGPU and check that it computes, or say why not.
#[cfg(feature = "webgpu")]
async fn webgpu() -> Result<Device, String> {
    let navigator = get(&js_sys::global(), "navigator");
    if get(&navigator, "gpu").is_undefined() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| format!("WebGPU could not start: {e}"))?;
    // A tiny computation read back proves the adapter works before the page relies on it.
    let probe = Tensor::<1>::from_floats([1.0, 2.0], &device).mul_scalar(2.0);
    let values = probe
        .into_data_async()
        .await
        .map_err(|e| format!("WebGPU failed its first computation: {e:?}"))?;
    match values.try_to_vec::<f32>() {
        Ok(v) if v == [2.0, 4.0] => Ok(device),
        other => Err(format!("WebGPU computed a wrong result ({other:?})")),
    }
}

/// This module has no WebGPU: the page loads `pkg/jmvae.js` for it.
#[cfg(not(feature = "webgpu"))]
async fn webgpu() -> Result<Device, String> {
    Err("this WebAssembly module is the CPU-only build (pkg/jmvae-cpu.js); WebGPU is in pkg/jmvae.js".into())
}
