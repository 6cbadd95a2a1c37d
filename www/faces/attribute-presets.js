// The attribute presets (the buttons above the faces' toggles and the example faces to pick)
// and Random, which draws a face description from the training frequencies.

/**
 * Presets: the attributes present in each; every other attribute is absent, so each preset is
 * a full vector. CelebA flags the beardless with No_Beard, so every beardless preset names it.
 */
export const PRESETS = [
  { name: 'Young woman, smiling', present: ['Young', 'Smiling', 'No_Beard', 'Attractive', 'Heavy_Makeup', 'Wearing_Lipstick',
    'High_Cheekbones', 'Mouth_Slightly_Open', 'Arched_Eyebrows', 'Wavy_Hair', 'Brown_Hair'] },
  { name: 'Man with beard', present: ['Male', 'Young', 'Goatee', 'Mustache', '5_o_Clock_Shadow', 'Black_Hair', 'Bushy_Eyebrows',
    'Big_Nose'] },
  { name: 'Glasses', present: ['Male', 'Eyeglasses', 'No_Beard', 'Young', 'Straight_Hair', 'Black_Hair'] },
  { name: 'Blond', present: ['Blond_Hair', 'Young', 'No_Beard', 'Attractive', 'Wavy_Hair', 'Wearing_Lipstick', 'Heavy_Makeup',
    'Smiling'] },
  { name: 'Grey-haired man', present: ['Male', 'Gray_Hair', 'No_Beard', 'Receding_Hairline', 'Big_Nose', 'Bags_Under_Eyes'] },
];

/** The vector (1 present, 0 absent) with exactly the named attributes present. */
export function presetVector(labels, present) {
  const wanted = new Set(present);
  return Float32Array.from(labels, (label) => (wanted.has(label) ? 1 : 0));
}

/**
 * A random face description: each attribute present with its frequency in the training set
 * (0.5 each when the manifest has no frequencies), drawn from `seed` so that a seed always
 * gives the same attributes. Independent draws: the correlations between attributes are lost.
 */
export function randomAttributes(count, frequencies, seed) {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, (_, i) => (next() < (frequencies ? frequencies[i] : 0.5) ? 1 : 0));
}

// A small seeded generator (Tommy Ettinger's Mulberry32): uniform numbers in [0, 1).
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
