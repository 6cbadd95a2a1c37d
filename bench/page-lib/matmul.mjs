// The adapter's matmul throughput, measured with raw WebGPU in the page (no wasm), f32,
// C[m,n] = A[m,k]·B[k,n], with two plain WGSL kernels: 'tiled' (16x16 workgroups, 16x16 tiles
// of A and B in workgroup memory, the textbook GPU kernel) and 'naive' (one invocation per
// element of C, no workgroup memory or barriers; SwiftShader runs barriers slowly, so on a
// software adapter this one may be the faster). Per kernel and shape: a warm-up dispatch,
// timed, sizes the batch; then a batch of dispatches (about 400 ms' worth, 2 to 100; 1 when
// one takes over a second) is submitted at once and timed from submit to the end of a mapAsync
// read-back of C, so the GPU work has completed. GFLOP/s = 2·m·k·n·dispatches / time. Three
// elements of C are checked against the same dot products in JS, so a kernel that does nothing
// cannot look fast.

export const MATMUL_SHAPES = [[1, 512, 512], [16, 512, 512], [64, 512, 512], [512, 512, 512]];

/** [{ kernel, m, k, n, dispatches, ms, gflops, checked }], or throws when WebGPU is unavailable. */
export function matmulThroughput(page, shapes = MATMUL_SHAPES) {
  return page.evaluate(runInPage, { shapes, wgsl: WGSL });
}

const WGSL = /* wgsl */ `
struct Dims { m: u32, k: u32, n: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;
const T = 16u;
var<workgroup> tileA: array<array<f32, 16>, 16>;
var<workgroup> tileB: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) l: vec3u, @builtin(workgroup_id) w: vec3u) {
  let row = w.y * T + l.y;
  let col = w.x * T + l.x;
  var acc = 0.0;
  for (var t = 0u; t < dims.k; t += T) {
    let ak = t + l.x;
    let bk = t + l.y;
    tileA[l.y][l.x] = select(0.0, a[min(row * dims.k + ak, arrayLength(&a) - 1u)], row < dims.m && ak < dims.k);
    tileB[l.y][l.x] = select(0.0, b[min(bk * dims.n + col, arrayLength(&b) - 1u)], bk < dims.k && col < dims.n);
    workgroupBarrier();
    for (var i = 0u; i < T; i++) { acc += tileA[l.y][i] * tileB[i][l.x]; }
    workgroupBarrier();
  }
  if (row < dims.m && col < dims.n) { c[row * dims.n + col] = acc; }
}

@compute @workgroup_size(64)
fn naive(@builtin(global_invocation_id) g: vec3u) {
  let index = g.x;
  if (index >= dims.m * dims.n) { return; }
  let row = index / dims.n;
  let col = index % dims.n;
  var acc = 0.0;
  for (var p = 0u; p < dims.k; p++) { acc += a[row * dims.k + p] * b[p * dims.n + col]; }
  c[index] = acc;
}`;

// In the page.
async function runInPage({ shapes, wgsl }) {
  if (!navigator.gpu) throw new Error('no navigator.gpu');
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('requestAdapter() gave null');
  const device = await adapter.requestDevice();
  const module = device.createShaderModule({ code: wgsl });
  const kernels = {
    tiled: { entryPoint: 'main', groups: (m, n) => [Math.ceil(n / 16), Math.ceil(m / 16)] },
    naive: { entryPoint: 'naive', groups: (m, n) => [Math.ceil((m * n) / 64)] },
  };
  const results = [];
  try {
    for (const [kernel, { entryPoint, groups }] of Object.entries(kernels)) {
      const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint } });
      for (const [m, k, n] of shapes) results.push({ kernel, ...(await timeShape(pipeline, groups, m, k, n)) });
    }
  } finally {
    device.destroy();
  }
  return results;

  async function timeShape(pipeline, groups, m, k, n) {
    const random = (count) => Float32Array.from({ length: count }, (_, i) => ((i * 2654435761) % 1000) / 1000 - 0.5);
    const [A, B] = [random(m * k), random(k * n)];
    const storage = (data, usage) => {
      const buffer = device.createBuffer({ size: data.byteLength, usage: usage | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(buffer, 0, data);
      return buffer;
    };
    const a = storage(A, GPUBufferUsage.STORAGE);
    const b = storage(B, GPUBufferUsage.STORAGE);
    const c = device.createBuffer({ size: m * n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const dims = storage(new Uint32Array([m, k, n, 0]), GPUBufferUsage.UNIFORM);
    const readback = device.createBuffer({ size: m * n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [a, b, c, dims].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    // `count` dispatches and a copy of C, submitted at once; resolves with C once read back.
    const run = async (count) => {
      const encoder = device.createCommandEncoder();
      for (let i = 0; i < count; i++) {
        const pass = encoder.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(...groups(m, n));
        pass.end();
      }
      encoder.copyBufferToBuffer(c, 0, readback, 0, m * n * 4);
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const out = new Float32Array(readback.getMappedRange().slice(0));
      readback.unmap();
      return { ms: performance.now() - started, out };
    };
    const first = await run(1); // warm-up, the batch's size, and the result to check
    const dot = (i, j) => { let s = 0; for (let p = 0; p < k; p++) s += A[i * k + p] * B[p * n + j]; return s; };
    const corners = [[0, 0], [m - 1, n - 1], [m >> 1, n >> 1]];
    const checked = corners.every(([i, j]) => Math.abs(first.out[i * n + j] - dot(i, j)) <= 1e-3 * (1 + Math.abs(dot(i, j))));
    const dispatches = first.ms > 1000 ? 1 : Math.min(100, Math.max(2, Math.round(400 / Math.max(first.ms, 0.1))));
    const { ms } = await run(dispatches);
    for (const buffer of [a, b, c, dims, readback]) buffer.destroy();
    return { m, k, n, dispatches, ms, gflops: (2 * m * n * k * dispatches) / (ms * 1e6), checked };
  }
}
