// Warm generate latency: one warm-up call, then `runs` calls of
// model.generate(given, { samples, seed }) queued behind the page's own calls (the shown tab's
// window.jmvae[tab].run),
// each timed in the page around the await (result back in the page's thread).

/** { firstMs, warmMs: [...] } for `samples` samples from `given` ({ label } or { attributes: [...] }). */
export function timeGenerate(page, modelPath, given, samples, runs, seed = 7) {
  return page.evaluate(
    async ({ modelPath, given, samples, runs, seed }) => {
      const model = modelPath.split('.').reduce((o, key) => o?.[key], window);
      const input = given.attributes ? { attributes: Float32Array.from(given.attributes) } : given;
      const time = (s) =>
        window.jmvae[document.body.dataset.panel].run(async () => {
          const started = performance.now();
          await model.generate(input, { samples, seed: s });
          return performance.now() - started;
        });
      const firstMs = await time(seed);
      const warmMs = [];
      for (let i = 0; i < runs; i++) warmMs.push(await time(seed + 1 + i));
      return { firstMs, warmMs };
    },
    { modelPath, given, samples, runs, seed },
  );
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
