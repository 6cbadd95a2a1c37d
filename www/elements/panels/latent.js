// panel="latent": where each encoder puts the same example. JMVAE-kl trains the unimodal
// encoders q(z | image) and q(z | w) to agree with the joint q(z | image, w), by a KL term; this
// panel shows them as 1-σ ellipses (diagonal Gaussians, so axis-aligned) in the plane of the two
// latent units the joint encoder is surest of, over the prior N(0, I)'s circle, redrawn as the
// visitor draws or changes w, with the KLs over all units in words.

import { imageInput, make } from '../controls.js';
import { InputError } from '../given.js';
import { conditionsOf, exampleImage } from './example.js';
import { drawImage, imageCanvas } from '../pixels.js';
import { figure } from './read.js';
import { startValue, valueControl } from './sources.js';

const SPAN = 3; // the view shows [-3, 3] on both axes, in units of the prior's σ
const COLOURS = ['--jmvae-joint-colour', '--jmvae-image-colour', '--jmvae-other-colour'];
const FALLBACK = ['#6b3fa0', '#1f6fb2', '#c2571a'];

export function latentPanel(ctx) {
  const { roles, options, body } = ctx;
  const { image } = ctx;
  const other = roles.others.find((m) => m.name in options.given) ?? roles.others[0];
  if (!image || !other) throw new InputError('panel="latent" needs an image modality and another (this model has none)');
  const conditions = conditionsOf(ctx.modalities);
  if (conditions.length) throw new InputError(`panel="latent": this model is a CVAE, with no encoder of \`${conditions.join('`, `')}\` alone to compare (its panels: generate, walk)`);
  let value = startValue(other, options.given);
  let pixels = null;
  let units = null; // the two latent units shown, chosen at the first drawing
  const redraw = () => ctx.draw(render, 'latent');
  const canvas = make('canvas', { className: 'plane', part: 'plane' });
  canvas.width = 320;
  canvas.height = 320;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'Where each encoder puts the example: drawn when scrolled into view');
  const legend = make('ul', { className: 'legend', part: 'legend' });
  const layout = make('div', { className: 'split' });
  if (options.controls !== 'none') {
    const inputs = make('div', { className: 'inputs' });
    const set = (next) => { value = next; redraw(); };
    inputs.append(valueControl(other, value, set).node);
    inputs.append(imageInput(image, (next) => { pixels = next; redraw(); }, ctx.fail).node);
    layout.append(inputs);
  }
  const input = imageCanvas(image, `The ${image.name} encoded`);
  const side = make('div', { className: 'side' });
  const top = make('div', { className: 'pair' });
  top.append(canvas, figure(input, `the ${image.name} encoded`));
  side.append(top, legend);
  layout.append(side);
  body.append(layout);

  async function render() {
    pixels ??= await exampleImage(ctx, image, [other]);
    drawImage(input, image, pixels);
    const names = [`q(z | ${image.name}, ${other.name})`, `q(z | ${image.name})`, `q(z | ${other.name})`];
    const encoders = [
      await ctx.model.encode({ [image.name]: pixels, [other.name]: value }),
      await ctx.model.encode({ [image.name]: pixels }),
      await ctx.model.encode({ [other.name]: value }),
    ];
    units ??= surest(encoders[0].std);
    const colours = COLOURS.map((name, i) => getComputedStyle(ctx.host).getPropertyValue(name).trim() || FALLBACK[i]);
    plot(canvas, encoders, units, colours);
    const kls = [kl(encoders[0], encoders[1]), kl(encoders[0], encoders[2])];
    legend.replaceChildren(...names.map((name, i) => {
      const item = make('li', { text: i === 0 ? name : `${name}: KL from the joint ${kls[i - 1].toFixed(1)} nats` });
      item.prepend(make('span', { className: 'swatch' }));
      item.firstChild.style.background = colours[i]; // CSSOM: allowed under style-src 'self'
      return item;
    }));
    const text = `Latent units ${units[0]} and ${units[1]}: KL(${names[0]} ‖ ${names[1]}) = ${kls[0].toFixed(1)} nats, ‖ ${names[2]} = ${kls[1].toFixed(1)} nats over all ${encoders[0].mean.length} units.`;
    canvas.setAttribute('aria-label', text);
    ctx.say(text);
    ctx.result({ panel: 'latent', units, encoders: Object.fromEntries(names.map((n, i) => [n, encoders[i]])), kl: kls });
  }
  return { refresh: redraw, useImage: (next) => { pixels = next; redraw(); } };
}

/** The two units of smallest σ: where the encoder is surest, the dimensions it uses. */
export function surest(std) {
  return [...std.keys()].sort((a, b) => std[a] - std[b]).slice(0, 2).sort((a, b) => a - b);
}

/** KL(p ‖ q) of two diagonal Gaussians `{ mean, std }`, summed over units, in nats. */
export function kl(p, q) {
  let sum = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const ratio = p.std[i] / q.std[i];
    const d = (p.mean[i] - q.mean[i]) / q.std[i];
    sum += 0.5 * (ratio * ratio + d * d - 1) - Math.log(ratio);
  }
  return sum;
}

// The prior's 1-σ circle and axes, then each encoder's 1-σ ellipse and mean, the joint on top.
function plot(canvas, encoders, [u, v], colours) {
  const c = canvas.getContext('2d');
  const { width, height } = canvas;
  const scale = width / (2 * SPAN);
  const at = (x, y) => [width / 2 + x * scale, height / 2 - y * scale];
  c.clearRect(0, 0, width, height);
  c.strokeStyle = '#999';
  c.lineWidth = 1;
  c.setLineDash([4, 4]);
  c.beginPath();
  c.arc(width / 2, height / 2, scale, 0, 2 * Math.PI);
  c.stroke();
  c.setLineDash([]);
  c.beginPath();
  c.moveTo(0, height / 2); c.lineTo(width, height / 2);
  c.moveTo(width / 2, 0); c.lineTo(width / 2, height);
  c.stroke();
  for (const i of [2, 1, 0]) {
    const { mean, std } = encoders[i];
    const [x, y] = at(mean[u], mean[v]);
    c.strokeStyle = colours[i];
    c.fillStyle = colours[i];
    c.lineWidth = i === 0 ? 3 : 2;
    c.beginPath();
    c.ellipse(x, y, Math.max(1, std[u] * scale), Math.max(1, std[v] * scale), 0, 0, 2 * Math.PI);
    c.stroke();
    c.beginPath();
    c.arc(x, y, 3, 0, 2 * Math.PI);
    c.fill();
  }
}
