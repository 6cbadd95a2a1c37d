// Which image decoder made the faces shown: the JMVAE-GAN decoder (trained against a
// discriminator as well, as the paper does on CelebA) or the plain one (its Gaussian
// likelihood alone), as the manifest's `training.decoder` records; with a link to the other
// shipped model, so that a visitor can compare the two on the same attributes and seed.

import { $, element } from '../shared/dom.js';
import { DEFAULT_FACES_MODEL } from '../shared/options.js';

/** The shipped faces models, by decoder: the page's default and the plain one. */
export const SHIPPED_FACES = { gan: DEFAULT_FACES_MODEL, likelihood: './models/celeba.json' };

/** 'gan' or 'likelihood' (manifests written before JMVAE-GAN record none: theirs is plain). */
export function decoderOf(manifest) {
  return manifest?.training?.decoder === 'gan' ? 'gan' : 'likelihood';
}

const SAYS = {
  gan: ['These faces are drawn by the ', 'JMVAE-GAN decoder', ', trained against a discriminator as well as on the likelihood, which sharpens them.'],
  likelihood: ['These faces are drawn by the ', 'plain decoder', ' (its Gaussian likelihood alone, so they are the blurry average of the faces that fit).'],
};
const OTHER = { gan: 'Compare the plain decoder', likelihood: 'Compare the JMVAE-GAN decoder' };

/**
 * Fill `note` (#faces-decoder) for `manifest`, linking the other shipped model with the
 * page's other options and state (attributes, seed, ...) as they are when the link is followed.
 */
export function showDecoder(manifest, note = $('faces-decoder')) {
  const decoder = decoderOf(manifest);
  const [before, name, after] = SAYS[decoder];
  const link = element('a', OTHER[decoder]);
  link.href = otherModelUrl(location.href, decoder);
  // The permalink changes as the visitor plays: read it at the click, not at load.
  link.addEventListener('click', () => { link.href = otherModelUrl(location.href, decoder); });
  note.dataset.decoder = decoder;
  note.replaceChildren(before, element('strong', name), after, ' ', link, '.');
  note.hidden = false;
}

/** `href` with the faces tab and the shipped model of the decoder other than `decoder`. */
export function otherModelUrl(href, decoder) {
  const other = new URL(href);
  other.searchParams.set('faces-model', SHIPPED_FACES[decoder === 'gan' ? 'likelihood' : 'gan']);
  other.searchParams.set('panel', 'faces');
  other.hash = '';
  return other.href;
}
