// The Train page's plain-JavaScript parts, in Node without a browser: its URL state, the
// presets and the checks that run before anything is allocated, the TrainConfig it builds,
// the prompts and probes, the safetensors header reader, and the chart's ticks and smoothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deserializeTrain, serializeTrain, isTrainHash, TRAIN_PROPS } from '../state.js';
import {
  FAMILIES, PRESETS, check, estimate, evalEvery, familyTakes, formatBytes, modelConfig, normalize, paramCount, presetOf, settingsOfConfig, trainConfig,
} from '../train/presets.js';
import { noWebGpu, chooseEngine, tabMemory } from '../train/engine-choice.js';
import { variantOf } from '../train/compare.js';
import { balanced, maskPositions } from '../train/predict.js';
import { lessonExample, minTextChars, runInputs, taskPrompt, textStats } from '../train/data.js';
import { checkpointName, runInfo, safetensorsMetadata, withHistory } from '../train/files.js';
import { smooth, ticks } from '../views/loss-chart.js';
import { useLanguage } from '../i18n/i18n.js';

await useLanguage('en', { setDocument: false }); // the messages under test come from the catalogs

const TASKS = [
  { name: 'copy', lesson: 'cafe>cafe — after the \'>\' each position …' },
  { name: 'addition', lesson: '37+48=85 — each digit …' },
  { name: 'brackets', lesson: '([]{}) — a closing bracket …' },
  { name: 'grammar', lesson: 'the big cat sees a small dog . — the verb agrees …' },
];

test('the Train settings round-trip through the URL; bad values fall back with a message', () => {
  const { state, messages } = deserializeTrain('#page=train');
  assert.deepEqual(messages, []);
  assert.equal(state.data, 'grammar');
  assert.equal(state.preset, 'tiny');
  const custom = { ...state, data: 'sort', preset: 'custom', layers: 3, heads: 4, embd: 48, ctx: 24, batch: 8, lr: 0.003, steps: 321, seed: 9, engine: 'cpu' };
  const hash = serializeTrain(custom);
  assert.match(hash, /^page=train&data=sort&preset=custom&layers=3&heads=4&embd=48&ctx=24&batch=8&lr=0\.003&steps=321&seed=9&engine=cpu$/);
  assert.deepEqual(deserializeTrain(hash).state, custom);
  // the architecture is written only where it differs from GPT-2's
  const variant = { ...custom, norm: 'rms_norm', positions: 'rotary', ffn: 'swi_glu', head: 'untied' };
  const variantHash = serializeTrain(variant);
  assert.match(variantHash, /engine=cpu&norm=rms_norm&positions=rotary&ffn=swi_glu&head=untied$/);
  assert.deepEqual(deserializeTrain(variantHash).state, variant);
  assert.ok(isTrainHash('#' + hash) && isTrainHash('page=train&x=1') && !isTrainHash('#text=page%3Dtrain') && !isTrainHash('#%'));
  const bad = deserializeTrain('#page=train&data=poems&layers=0&lr=1e-3&steps=-5&engine=gpu&what=1');
  assert.equal(bad.messages.length, 6);
  assert.deepEqual({ ...bad.state }, { ...deserializeTrain('').state });
  assert.match(bad.messages.join('\n'), /data must be one of copy, reverse, sort, addition, brackets, grammar, balanced, reversal, text/);
  assert.match(bad.messages.join('\n'), /layers must be from 1 to 12/);
  assert.equal(TRAIN_PROPS[0].name, 'page', 'page=train leads the hash');
});

test('presets fix every size and the recipe; editing one makes it Custom', () => {
  const s = normalize({ ...deserializeTrain('').state, preset: 'small' });
  assert.deepEqual([s.layers, s.heads, s.embd, s.ctx, s.batch, s.lr, s.steps], [2, 4, 64, 64, 16, 0.005, 1000]);
  assert.equal(presetOf({ ...s, lr: 0.004 }), 'custom');
  assert.equal(normalize({ ...s, preset: 'custom', ...PRESETS.tiny }).preset, 'tiny', 'a custom setting equal to a preset is named after it');
  for (const p of Object.values(PRESETS)) assert.equal(p.embd % p.heads, 0);
});

test('the checks name the field and the fix; the estimate counts the weights as the engine does', () => {
  const s = normalize(deserializeTrain('').state);
  assert.deepEqual(check(s, 25), { errors: {}, refused: [], warnings: [] });
  const split = check({ ...s, heads: 3 }, 25);
  assert.match(split.errors.embd, /Width C = 32 must be divisible by the 3 heads.*try 30 or 33/);
  assert.match(check({ ...s, layers: NaN }, 25).errors.layers, /Layers must be a whole number from 1 to 12/);
  assert.match(check({ ...s, lr: 2 }, 25).errors.lr, /Learning rate must be from 0\.00001 to 1 \(it is 2\)/);
  assert.match(check({ ...s, batch: 2.5 }, 25).errors.batch, /whole number/);
  const huge = check({ ...s, heads: 16, embd: 256, ctx: 256, batch: 512 }, 25);
  assert.deepEqual(huge.errors, {});
  assert.match(huge.warnings.join('\n'), /attention weights .* would need 2\.1 GB in one buffer/);
  // the explore page's default model (2 layers, 4 heads, C 64, context 64, V 96), counted by ModelConfig::param_count
  assert.equal(paramCount({ layers: 2, embd: 64, ctx: 64 }, 96), 96 * 64 + 64 * 64 + 2 * (12 * 64 * 64 + 13 * 64) + 2 * 64);
  // a variant of every kind (V 13, C 18, 3 heads, context 8, 2 layers): ModelConfig::param_count
  // gives 8706 (asserted in crates/playground-core/src/config.rs)
  const all = { layers: 2, heads: 3, embd: 18, ctx: 8, norm: 'rms_norm', normpos: 'post', positions: 'rotary', ffn: 'swi_glu', head: 'untied' };
  assert.equal(paramCount(all, 13), 8706);
  assert.deepEqual(modelConfig(all), {
    block_size: 8, n_layer: 2, n_head: 3, n_embd: 18, norm: 'rms_norm', norm_position: 'post', positions: 'rotary', ffn: 'swi_glu', tie_head: false,
    family: 'decoder', n_classes: 0,
  });
  assert.match(check({ ...s, positions: 'rotary', heads: 3, embd: 33 }, 25).errors.embd, /Rotary positions turn pairs of channels.*C \/ heads = 11/);
  assert.deepEqual(check({ ...s, positions: 'rotary' }, 25).errors, {});
  const e = estimate(s, 25);
  assert.equal(e.params, 14_592);
  assert.equal(e.tokensPerStep, 512);
});

test('the TrainConfig has every field the engine requires: warmup a tenth (at most 100), decay to a tenth', () => {
  const t = trainConfig({ batch: 8, lr: 0.01, steps: 100, seed: 3 });
  assert.deepEqual(t, { batch_size: 8, learning_rate: 0.01, min_lr: 0.001, warmup_steps: 10, max_steps: 100, weight_decay: 0.1, beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1, seed: 3 });
  assert.equal(trainConfig({ batch: 8, lr: 0.01, steps: 5000, seed: 3 }).warmup_steps, 100);
  assert.deepEqual([evalEvery(100), evalEvery(500), evalEvery(2000), evalEvery(10_000)], [25, 25, 50, 250]);
});

test('samples continue the start of a task line; the probe is the lesson’s example; a text gives its first characters', () => {
  assert.equal(lessonExample(TASKS[0].lesson), 'cafe>cafe');
  assert.equal(taskPrompt('cafe>cafe'), '\ncafe>');
  assert.equal(taskPrompt('37+48=85'), '\n37+48=');
  assert.equal(taskPrompt('([]{})'), '\n([');
  assert.equal(taskPrompt('the big cat sees a small dog .'), '\nthe big cat ');
  assert.deepEqual(runInputs({ task: 'grammar' }, TASKS, 16), { prompt: '\nthe big cat ', probe: '\nthe big cat see' });
  assert.deepEqual(runInputs({ task: 'copy' }, TASKS, 64), { prompt: '\ncafe>', probe: '\ncafe>cafe' });
  const text = 'Call me Ishmael. Some years ago — never mind how long precisely — having little money';
  const r = runInputs({ text }, TASKS, 32);
  assert.equal(r.prompt, 'Call me Ishmael.');
  assert.equal(r.probe, text.slice(0, 32));
  assert.equal(minTextChars(32), 330);
  assert.deepEqual(textStats('aé😀a'), { length: 4, vocab: 3 });
});

test('the safetensors header is read without trusting it; file names are safe', () => {
  const header = JSON.stringify({ __metadata__: { format: 'transformer-playground', step: '120', data: 'task: sort', train_config: '{"batch_size":16,"learning_rate":0.01}', n: 5 } });
  const bytes = new Uint8Array(8 + header.length + 4);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(new TextEncoder().encode(header), 8);
  const meta = safetensorsMetadata(bytes);
  assert.equal(meta.step, '120');
  assert.equal(meta.n, undefined, 'only strings are kept');
  assert.deepEqual(runInfo(meta), { data: 'sort', step: 120, train: { batch_size: 16, learning_rate: 0.01 }, history: null, kind: 'transformer-playground' });
  assert.deepEqual(runInfo({ data: 'text: 1,234 characters', step: 'x', train_config: '{' }), { data: 'text', step: null, train: null, history: null, kind: null });
  // the loss history a download writes into the header comes back; the tensors' bytes stay where they were
  const steps = Array.from({ length: 4500 }, (_, i) => i);
  const run = { steps, loss: steps.map((i) => 3 / (1 + i)), gradNorm: steps.map(() => 0.5), lr: steps.map(() => 0.01), val: [{ step: 0, val: 3.2 }, { step: 4500, val: 0.4 }] };
  const tensors = new Uint8Array([1, 2, 3, 4]);
  const file = new Uint8Array([...bytes.subarray(0, 8 + header.length), ...tensors]);
  const written = withHistory(file, run);
  const n = Number(new DataView(written.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0, 'the tensors stay 8-byte aligned');
  assert.deepEqual([...written.subarray(8 + n)], [...tensors]);
  const back = runInfo(safetensorsMetadata(written));
  assert.equal(back.step, 120);
  assert.equal(back.history.steps.length, 2000, 'at most 2,000 steps kept');
  assert.deepEqual([back.history.steps[0], back.history.steps.at(-1)], [0, 4499]);
  assert.equal(back.history.loss.at(-1), 3 / 4500);
  assert.deepEqual(back.history.val, run.val);
  for (const bad of ['{"steps":[2,1],"loss":[1,1],"gradNorm":[1,1],"lr":[1,1],"val":[]}', '{"steps":[1],"loss":[null],"gradNorm":[1],"lr":[1],"val":[]}', '[1]', '{"steps":[1]}']) {
    assert.equal(runInfo({ history: bad }).history, null, bad);
  }
  assert.equal(safetensorsMetadata(new Uint8Array(4)), null);
  const lying = new Uint8Array(16);
  new DataView(lying.buffer).setBigUint64(0, 2n ** 40n, true);
  assert.equal(safetensorsMetadata(lying), null, 'a header longer than the file');
  assert.equal(checkpointName('grammar', 300), 'playground-grammar-step300.safetensors');
  assert.equal(checkpointName('../x y', 3, 'optimizer'), 'playground-xy-step3.optimizer.safetensors');
});

test('the chart’s ticks are round and cover the range; the running average is bias-corrected', () => {
  assert.deepEqual(ticks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(ticks(0, 3.4, 5), [0, 1, 2, 3]);
  assert.deepEqual(ticks(0, 0.35, 5), [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(ticks(0, 2000, 6), [0, 500, 1000, 1500, 2000]);
  assert.deepEqual(Array.from(smooth([2, 2, 2])), [2, 2, 2]);
  const s = smooth([4, 0]);
  assert.equal(s[0], 4, 'the first value is itself, not pulled towards 0');
  assert.ok(s[1] > 1.5 && s[1] < 2.5);
});

test('each family sets the engine’s family and classes, takes its own tasks, and survives the URL and a checkpoint', () => {
  const base = { layers: 1, heads: 2, embd: 32, ctx: 16 };
  assert.deepEqual(FAMILIES.map((f) => f.name), ['decoder', 'mlm', 'cls', 'encdec']);
  assert.deepEqual(FAMILIES.map((f) => f.shows ?? 'samples'), ['samples', 'masked', 'classes', 'seq2seq']); // what the Train page shows of each
  assert.equal(modelConfig({ ...base, family: 'encdec' }).family, 'encoder_decoder');
  assert.deepEqual([modelConfig({ ...base, family: 'mlm' }).family, modelConfig({ ...base, family: 'mlm' }).n_classes], ['encoder', 0]);
  assert.deepEqual([modelConfig({ ...base, family: 'cls' }).family, modelConfig({ ...base, family: 'cls' }).n_classes], ['encoder', 2]);
  assert.equal(modelConfig(base).family, 'decoder'); // no family: GPT
  // the classifier's head: K·C weights and K biases more (ModelConfig::param_count)
  assert.equal(paramCount({ ...base, family: 'cls' }, 8) - paramCount(base, 8), 2 * 32 + 2);
  // an encoder-decoder: the encoder's ln_e, and per layer a decoder block with ln_x and cross-attention (c_q C², c_kv 2C², c_proj C², and biases)
  const block = 12 * 32 * 32 + 13 * 32; // a decoder block with its two LayerNorms (ModelConfig::param_count)
  assert.equal(paramCount({ ...base, family: 'encdec' }, 11) - paramCount(base, 11), 2 * 32 + block + 2 * 32 + 4 * 32 * 32 + 4 * 32);
  const tasks = [{ name: 'copy', classes: [] }, { name: 'balanced', classes: ['unbalanced', 'balanced'] }, { name: 'reversal', classes: [] }];
  assert.deepEqual(tasks.filter((t) => familyTakes('cls', t)).map((t) => t.name), ['balanced']);
  assert.deepEqual(tasks.filter((t) => familyTakes('mlm', t)).map((t) => t.name), ['copy']);
  assert.deepEqual(tasks.filter((t) => familyTakes('decoder', t)).map((t) => t.name), ['copy']);
  assert.deepEqual(tasks.filter((t) => familyTakes('encdec', t)).map((t) => t.name), ['reversal']);
  for (const family of ['decoder', 'mlm', 'cls', 'encdec']) {
    const s = { ...deserializeTrain('').state, family };
    assert.equal(deserializeTrain(serializeTrain(s)).state.family, family);
    assert.equal(settingsOfConfig({ ...modelConfig({ ...base, family }), vocab_size: 9 }).family, family);
  }
  assert.doesNotMatch(serializeTrain(deserializeTrain('').state), /family/); // GPT's default stays out of the address
});

test('an encoder’s example hides about 15% of its tokens, the same ones each time; brackets are checked as the engine does', () => {
  assert.deepEqual(maskPositions(40, 3), maskPositions(40, 3));
  const counts = Array.from({ length: 200 }, (_, seed) => maskPositions(40, seed).length);
  const rate = counts.reduce((a, b) => a + b, 0) / (200 * 40);
  assert.ok(Math.abs(rate - 0.15) < 0.02, `hidden share ${rate}`);
  assert.ok(counts.every((n) => n >= 1));
  assert.deepEqual(['([]{})', '([)]', '(()', '{[()]}', ')('].map(balanced), [true, false, false, true, false]);
});

// the custom size of a first-time user: 12 layers of 16 heads, C 1024, context 1024, batch 512
const IMPOSSIBLE = { layers: 12, heads: 16, embd: 1024, ctx: 1024, batch: 512, lr: 0.001, steps: 500, seed: 1, family: 'decoder' };
const SWIFTSHADER = { fallback: true, vendor: 'google', architecture: 'swiftshader', description: '', limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 } };
const GPU = { fallback: false, vendor: 'nvidia', architecture: 'hopper', description: '', limits: { maxBufferSize: 2 ** 32, maxStorageBufferBindingSize: 2 ** 31 } };

test('a size the engine cannot hold is refused before Start, with the numbers and the limit named', () => {
  const cpu = check(IMPOSSIBLE, 25, { runsOn: 'cpu', memory: tabMemory('cpu', 16) });
  assert.deepEqual(cpu.errors, {});
  assert.equal(cpu.refused.length, 1);
  assert.match(cpu.refused[0], /^Training this model needs about 1,824\.4 GB of memory, more than the 4 GiB the CPU engine can address \(it runs in WebAssembly, 32-bit\): lower the batch \(512\), the context \(1024\) or the sizes\.$/);
  const gpu = check(IMPOSSIBLE, 25, { runsOn: 'webgpu', limits: SWIFTSHADER.limits, memory: tabMemory('webgpu', 16) });
  assert.match(gpu.refused[0], /more than the 16 GB of memory this device reports/);
  assert.match(gpu.refused[1], /^Too big for one buffer of this GPU, which holds at most 1\.1 GB \(maxStorageBufferBindingSize\): the FFN activations \(B×T×hidden\) 8\.6 GB, .*one layer’s attention weights \(B×NH×T×T\) 34\.4 GB\./);
  assert.equal(gpu.refused.length, 2, 'the weights (609 MB) fit one buffer of 1.1 GB');
  // Tiny fits everywhere; where nothing is known about the engine yet, only the cautions of before
  const tiny = normalize({ ...deserializeTrain('').state });
  for (const runsOn of ['cpu', 'webgpu']) assert.deepEqual(check(tiny, 25, { runsOn, limits: SWIFTSHADER.limits, memory: tabMemory(runsOn, 8) }).refused, []);
  const unknown = check(IMPOSSIBLE, 25);
  assert.deepEqual(unknown.refused, []);
  assert.match(unknown.warnings.join('\n'), /a browser tab may not get that much/);
  // memory: the device's own figure where the browser gives one below wasm32's 4 GiB; nothing known on WebGPU without it
  assert.deepEqual(tabMemory('cpu', 2), { bytes: 2 * 2 ** 30, why: 'the 2 GB of memory this device reports' });
  assert.equal(tabMemory('cpu', undefined).bytes, 4 * 2 ** 30);
  assert.equal(tabMemory('webgpu', undefined), null);
  assert.equal(formatBytes(1_824_400_000_000), '1,824.4 GB');
});

test('Auto picks the CPU engine on a software fallback adapter and says why; an explicit choice stays', () => {
  const auto = chooseEngine('auto', SWIFTSHADER);
  assert.deepEqual([auto.backend, auto.runsOn, auto.problem], ['cpu', 'cpu', null]);
  assert.match(auto.line, /^Auto: the CPU engine \(WebAssembly\), because this browser’s WebGPU adapter \(google swiftshader\) is a software fallback/);
  const chosen = chooseEngine('webgpu', SWIFTSHADER);
  assert.deepEqual([chosen.backend, chosen.runsOn], ['webgpu', 'webgpu']);
  assert.match(chosen.line, /WebGPU on google swiftshader, as chosen\. It is a software fallback adapter/);
  const gpu = chooseEngine('auto', GPU);
  assert.deepEqual([gpu.backend, gpu.runsOn], ['auto', 'webgpu'], 'Auto on a GPU stays "auto": a device that fails to start still falls back');
  assert.match(gpu.line, /^Auto: WebGPU on nvidia hopper/);
  assert.deepEqual([chooseEngine('cpu', GPU).backend, chooseEngine('cpu', GPU).runsOn], ['cpu', 'cpu']);
  // no adapter: said up front, and one message when WebGPU is chosen anyway
  assert.match(chooseEngine('auto', null).line, /the CPU engine \(WebAssembly\), because this browser offers no WebGPU adapter/);
  assert.equal(chooseEngine('webgpu', null).problem, noWebGpu());
  assert.doesNotMatch(noWebGpu(), /falls back/);

  assert.equal(chooseEngine('auto', undefined).runsOn, null, 'not known yet');
});

test('each family’s presets take the context, batch and rate its data asks for', () => {
  const tiny = (family) => normalize({ ...deserializeTrain('').state, family, preset: 'tiny' });
  assert.deepEqual([tiny('decoder').ctx, tiny('decoder').batch, tiny('decoder').lr], [32, 16, 0.01]);
  assert.deepEqual([tiny('mlm').ctx, tiny('mlm').batch], [16, 64]);
  assert.deepEqual([tiny('cls').ctx, tiny('cls').batch], [16, 32]);
  assert.deepEqual([tiny('encdec').ctx, tiny('encdec').batch, tiny('encdec').lr], [8, 32, 0.003]);
  for (const family of ['decoder', 'mlm', 'cls', 'encdec']) assert.equal(presetOf(tiny(family)), 'tiny', family);
  assert.equal(presetOf({ ...tiny('cls'), family: 'decoder' }), 'custom', 'the classifier’s Tiny is not GPT’s');
  // the address names the family only: its presets follow
  const fromHash = normalize(deserializeTrain('#page=train&family=cls').state);
  assert.deepEqual([fromHash.preset, fromHash.ctx, fromHash.batch], ['tiny', 16, 32]);
});

test('Compare’s B starts as A with another architecture, valid for A’s heads', () => {
  const a = normalize(deserializeTrain('').state);
  const b = variantOf(a);
  assert.deepEqual([b.norm, b.positions, b.ffn], ['rms_norm', 'rotary', 'swi_glu']);
  assert.deepEqual([b.layers, b.embd, b.lr, b.family], [a.layers, a.embd, a.lr, a.family]);
  assert.deepEqual(check(b, 25).errors, {});
  assert.equal(variantOf({ ...a, heads: 4, embd: 36 }).positions, 'learned', 'C / heads = 9 is odd: no rotary');
  assert.deepEqual(check(variantOf({ ...a, heads: 4, embd: 36 }), 25).errors, {});
  const back = variantOf(b);
  assert.deepEqual([back.norm, back.positions, back.ffn], ['layer_norm', 'learned', 'gelu']);
});
