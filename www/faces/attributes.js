// The attribute vocabulary the faces tab shows: the groups the toggles are arranged in, the
// names a reader sees, and attribute vectors to and from names. Nothing here counts the
// attributes: the groups name them, and a name the model does not know is simply left out.
// The presets are in attribute-presets.js.

// Groups a visitor can scan. The order inside a group is the order shown.
const GROUPS = [
  ['Hair', ['Bald', 'Bangs', 'Black_Hair', 'Blond_Hair', 'Brown_Hair', 'Gray_Hair', 'Receding_Hairline', 'Straight_Hair', 'Wavy_Hair']],
  ['Face', ['Chubby', 'Double_Chin', 'High_Cheekbones', 'Oval_Face', 'Pointy_Nose', 'Big_Nose', 'Big_Lips', 'Rosy_Cheeks',
    'Pale_Skin', 'Narrow_Eyes', 'Bags_Under_Eyes', 'Arched_Eyebrows', 'Bushy_Eyebrows']],
  ['Beard', ['5_o_Clock_Shadow', 'Goatee', 'Mustache', 'No_Beard', 'Sideburns']],
  ['Accessories & make-up', ['Eyeglasses', 'Wearing_Hat', 'Wearing_Earrings', 'Wearing_Lipstick', 'Wearing_Necklace',
    'Wearing_Necktie', 'Heavy_Makeup']],
  ['Expression', ['Smiling', 'Mouth_Slightly_Open']],
];
const OTHER = 'Other';

/**
 * The model's attributes in groups: `[{ name, members: [{ label, index }] }]`. Every label
 * appears exactly once; those no group names go to "Other" (Male, Young, Attractive, Blurry...,
 * and any attribute a future model adds). Empty groups are left out.
 */
export function groupAttributes(labels) {
  const index = new Map(labels.map((label, i) => [label, i]));
  const grouped = new Set();
  const groups = GROUPS.map(([name, members]) => ({
    name,
    members: members.filter((label) => index.has(label)).map((label) => {
      grouped.add(label);
      return { label, index: index.get(label) };
    }),
  }));
  const others = labels.flatMap((label, i) => (grouped.has(label) ? [] : [{ label, index: i }]));
  groups.push({ name: OTHER, members: others });
  return groups.filter((group) => group.members.length > 0);
}

// Where replacing underscores is not enough.
const DISPLAY_NAMES = { '5_o_Clock_Shadow': "5 o'clock shadow" };

/** "Blond_Hair" -> "Blond hair": the attribute as a reader would write it. */
export function displayName(label) {
  if (DISPLAY_NAMES[label]) return DISPLAY_NAMES[label];
  const words = label.split('_').filter(Boolean);
  return words.map((word, i) => (i === 0 || /^[A-Z0-9]+$/.test(word) ? word : word.toLowerCase())).join(' ');
}

/** The names of the attributes at or above 0.5 in `vector`. */
export function presentNames(labels, vector) {
  return labels.filter((_, i) => vector[i] >= 0.5);
}

/** 1 where the probability is above one half, else 0: a prediction as toggles. */
export function binarise(probabilities) {
  return Float32Array.from(probabilities, (p) => (p > 0.5 ? 1 : 0));
}
