// The panels an element can show, by the name its `panel` attribute gives.

import { aboutPanel } from './about.js';
import { editPanel } from './edit.js';
import { generatePanel } from './generate.js';
import { latentPanel } from './latent.js';
import { readPanel } from './read.js';
import { walkPanel } from './walk.js';

export const PANELS = { generate: generatePanel, read: readPanel, edit: editPanel, walk: walkPanel, latent: latentPanel, about: aboutPanel };
