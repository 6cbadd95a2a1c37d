// Panel "About these weights": the manifest shipped beside them (name, dataset, training,
// evaluated metrics) as a short list, and in full as JSON.

import { $, element } from './dom.js';
import { formatBytes } from './format.js';

/** Fill the list `list` (#manifest) and the <pre> `json` (#manifest-json) from a manifest. */
export function showManifest(manifest, list = $('manifest'), json = $('manifest-json')) {
  const rows = [
    ['Name', manifest.name],
    ['Dataset', manifest.dataset],
    ['Weights', manifest.weights && `${manifest.weights.file} (${manifest.weights.dtype}, ${formatBytes(manifest.weights.bytes)})`],
    ['Training', trainingSummary(manifest.training)],
    ...flatten(manifest.metrics, 'Metric ').slice(0, 12),
    ['Notice', manifest.notice],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  list.replaceChildren(...rows.flatMap(([term, value]) => [element('dt', term), element('dd', value)]));
  json.textContent = JSON.stringify(manifest, null, 2);
}

// "24 epochs, 3061402 parameters, alpha 0.1" from whichever of those the trainer recorded.
function trainingSummary(training) {
  if (!training || typeof training !== 'object') return undefined;
  const parts = [
    training.epochs !== undefined && `${training.epochs} epochs`,
    training.parameters !== undefined && `${Number(training.parameters).toLocaleString('en')} parameters`,
    training.alpha !== undefined && `alpha ${training.alpha}`,
    training.decoder === 'gan' && 'JMVAE-GAN decoder',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

// Numbers and strings of a nested object as [dotted key, value] rows.
function flatten(value, prefix) {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => {
    // snake_case keys read (and wrap) better as words: "mean attribute accuracy".
    const term = prefix + key.replaceAll('_', ' ');
    if (typeof v === 'number') return [[term, Number.isInteger(v) ? String(v) : v.toPrecision(4)]];
    if (typeof v === 'string') return [[term, v]];
    return Array.isArray(v) ? [] : flatten(v, `${prefix}${key}.`);
  });
}
