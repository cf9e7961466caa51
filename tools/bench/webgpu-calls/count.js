// Counts the WebGPU calls made in this realm (the engine worker: tools/bench/webgpu_calls.mjs
// imports this module ahead of web/engine/worker.js). Every method of the WebGPU objects a
// trainer touches is wrapped on its prototype: a count and the milliseconds spent inside the
// call on the JS side (Dawn's validation and its hand-over to the GPU process happen there, the
// kernels themselves later); the compute dispatches are also counted by the label of the pipeline
// set before them, and setPipeline calls that change the pipeline are counted apart.
// Each dispatch is also kept (its pipeline, bind groups and grid) so that `replay()` can run one
// kernel's dispatches of a step again, each in its own submission, timed by
// `queue.onSubmittedWorkDone` (Chromium has no timestamp queries on SwiftShader): the kernels'
// own times, to compare two builds' WGSL as Dawn and Tint run it; given a variant of a kernel's
// WGSL (its source as compiled: `source(label)`), the same dispatches on the same buffers run
// that instead, to try a change of a kernel without rebuilding the engine.
// `self.webgpuCalls.reset()` starts over, `self.webgpuCalls.snapshot()` answers a plain object.

const CLASSES = ['GPUDevice', 'GPUQueue', 'GPUBuffer', 'GPUCommandEncoder', 'GPUComputePassEncoder'];

let calls = {}; // 'GPUQueue.writeBuffer' -> { n, ms }
let dispatches = {}; // pipeline label -> dispatches
let bytesWritten = 0; // queue.writeBuffer's bytes
let bufferBytes = 0; // createBuffer's sizes
let switches = 0; // setPipeline with another pipeline than the one set before in that pass
const current = new WeakMap(); // pass -> its pipeline
const groups = new WeakMap(); // pass -> its bind groups by index
let log = []; // { label, pipeline, groups, grid } of each dispatch since the reset
let device = null; // the device that made the last command encoder
const sources = new Map(); // shader module label -> its WGSL
const entries = new WeakMap(); // bind group -> the entries it was made with
const constants = new WeakMap(); // compute pipeline -> its pipeline-overridable constants (a matmul's ACT)

function tally(name, ms) {
  const c = (calls[name] ??= { n: 0, ms: 0 });
  c.n += 1;
  c.ms += ms;
}

function wrap(cls) {
  const proto = globalThis[cls]?.prototype;
  if (!proto) return;
  for (const key of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (key === 'constructor' || typeof d.value !== 'function') continue;
    const inner = d.value;
    const name = `${cls}.${key}`;
    proto[key] = function counted(...args) {
      const t0 = performance.now();
      try {
        return inner.apply(this, args);
      } finally {
        tally(name, performance.now() - t0);
      }
    };
  }
}

for (const cls of CLASSES) wrap(cls);

// what the counts above cannot tell: which kernel each dispatch ran, bytes moved
const pass = globalThis.GPUComputePassEncoder?.prototype;
if (pass) {
  const setPipeline = pass.setPipeline;
  pass.setPipeline = function setPipelineLabelled(pipeline) {
    if (current.get(this) !== pipeline) switches += 1;
    current.set(this, pipeline);
    return setPipeline.call(this, pipeline);
  };
  const dispatch = pass.dispatchWorkgroups;
  const setBindGroup = pass.setBindGroup;
  pass.setBindGroup = function setBindGroupKept(index, group, ...rest) {
    if (rest.length) throw new Error('webgpu-calls: dynamic offsets are not replayed');
    groups.set(this, { ...groups.get(this), [index]: group });
    return setBindGroup.call(this, index, group);
  };
  pass.dispatchWorkgroups = function dispatchLabelled(...args) {
    const pipeline = current.get(this);
    const label = pipeline?.label || '(unlabelled)';
    dispatches[label] = (dispatches[label] ?? 0) + 1;
    log.push({ label, pipeline, groups: { ...groups.get(this) }, grid: args });
    return dispatch.apply(this, args);
  };
}
const queue = globalThis.GPUQueue?.prototype;
if (queue) {
  const writeBuffer = queue.writeBuffer;
  queue.writeBuffer = function writeBufferSized(buffer, offset, data, dataOffset = 0, size) {
    const unit = data.BYTES_PER_ELEMENT ?? 1;
    bytesWritten += size !== undefined ? size * unit : data.byteLength - dataOffset * unit;
    return writeBuffer.apply(this, arguments);
  };
}
const devices = globalThis.GPUDevice?.prototype;
if (devices) {
  const createBuffer = devices.createBuffer;
  devices.createBuffer = function createBufferSized(descriptor) {
    bufferBytes += descriptor.size;
    return createBuffer.call(this, descriptor);
  };
  const createShaderModule = devices.createShaderModule;
  devices.createShaderModule = function createShaderModuleKept(descriptor) {
    sources.set(descriptor.label, descriptor.code);
    return createShaderModule.call(this, descriptor);
  };
  for (const name of ['createComputePipeline', 'createComputePipelineAsync']) {
    const create = devices[name];
    devices[name] = function createComputePipelineKept(descriptor) {
      const made = create.call(this, descriptor);
      const keep = (pipeline) => { constants.set(pipeline, descriptor.compute?.constants ?? {}); return pipeline; };
      return made instanceof Promise ? made.then(keep) : keep(made);
    };
  }
  const createBindGroup = devices.createBindGroup;
  devices.createBindGroup = function createBindGroupKept(descriptor) {
    const group = createBindGroup.call(this, descriptor);
    entries.set(group, [...descriptor.entries]);
    return group;
  };
  const createCommandEncoder = devices.createCommandEncoder;
  devices.createCommandEncoder = function createCommandEncoderKept(...args) {
    device = this;
    return createCommandEncoder.apply(this, args);
  };
}

/**
 * Runs the dispatches of pipeline `label` among the last `count` kept since the reset (one
 * step's) again, each alone in its own submission, and answers their wall milliseconds from
 * submit to `onSubmittedWorkDone`, summed, and how many ran. The calls made here are not
 * counted. Buffers are overwritten: the model is not usable for training afterwards.
 */
async function replay(count, label, variant = null) {
  const kept = log.slice(-count).filter((d) => d.label === label);
  const [all, saved] = [log, { calls, dispatches, switches }];
  log = [];
  const run = variant ? await rebuilt(kept, variant) : kept;
  let ms = 0;
  for (const d of run) {
    const encoder = device.createCommandEncoder();
    const p = encoder.beginComputePass();
    p.setPipeline(d.pipeline);
    for (const [index, group] of Object.entries(d.groups)) p.setBindGroup(Number(index), group);
    p.dispatchWorkgroups(...d.grid);
    p.end();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    ms += performance.now() - t0;
  }
  [log, { calls, dispatches, switches }] = [all, saved];
  return { n: kept.length, ms };
}

/**
 * The dispatches `kept` with their kernel compiled from `wgsl` instead (a variant of its source,
 * `sources`), with the constants each dispatch's pipeline was built with, and bind groups of the
 * same buffers made for the new pipeline's layout.
 */
const variants = new Map(); // WGSL and constants -> its pipeline
async function rebuilt(kept, wgsl) {
  const run = [];
  for (const d of kept) {
    const own = constants.get(d.pipeline) ?? {};
    const key = `${JSON.stringify(own)}\n${wgsl}`;
    if (!variants.has(key)) variants.set(key, await compileVariant(d.label, wgsl, own));
    const pipeline = variants.get(key);
    run.push({ ...d, pipeline, groups: Object.fromEntries(Object.entries(d.groups).map(([index, group]) => [index,
      device.createBindGroup({ layout: pipeline.getBindGroupLayout(Number(index)), entries: entries.get(group) })])) });
  }
  return run;
}

async function compileVariant(label, wgsl, constants) {
  const module = device.createShaderModule({ label: `${label} (variant)`, code: wgsl });
  return device.createComputePipelineAsync({ label: `${label} (variant)`, layout: 'auto', compute: { module, entryPoint: 'main', constants } });
}

self.webgpuCalls = {
  source: (label) => sources.get(label),
  available: Boolean(globalThis.GPUDevice),
  reset() {
    calls = {};
    dispatches = {};
    bytesWritten = 0;
    bufferBytes = 0;
    switches = 0;
    log = [];
  },
  replay,
  snapshot() {
    return { calls: structuredClone(calls), dispatches: { ...dispatches }, bytes_written: bytesWritten, buffer_bytes: bufferBytes, pipeline_switches: switches };
  },
};
