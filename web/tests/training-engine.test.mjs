// Training through the engine worker in a real browser (WebGPU on SwiftShader): the loss
// falls on a generated task, a checkpoint round-trips exactly, a corrupt file is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';

let env;
before(async () => { env = await setup({ webgpu: true }); });
after(async () => { await env?.close(); });

test('training on the grammar task lowers the validation loss, and checkpoints round-trip', async () => {
  const page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
  const r = await page.evaluate(async () => {
    const { startWorker, createEngine, loadEngine } = await import('/engine/client.js');
    const worker = startWorker();
    const engine = await createEngine(worker, {
      config: { block_size: 16, n_layer: 1, n_head: 2, n_embd: 16 }, seed: 3, data: { task: 'grammar' }, backend: 'webgpu',
    });
    const train = { batch_size: 8, learning_rate: 1e-2, min_lr: 1e-3, warmup_steps: 10, max_steps: 100, weight_decay: 0.1,
      beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 7 };
    await engine.startTraining(train);
    const before = await engine.evaluate(4);
    const t0 = performance.now();
    const stats = [];
    for (let i = 0; i < 5; i++) stats.push(...await engine.trainSteps(20));
    const ms = performance.now() - t0;
    const afterEval = await engine.evaluate(4);
    const bytes = await engine.exportCheckpoint();
    const copy = await loadEngine(worker, bytes, { backend: 'cpu' });
    const ids = (await engine.encode('the cat sees a dog .')).ids.slice(0, 16);
    const a = await engine.forward(ids, ['logits']);
    const b = await copy.forward(ids, ['logits']);
    let maxDiff = 0;
    for (let i = 0; i < a.logits.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.logits.data[i] - b.logits.data[i]));
    const corrupt = bytes.slice(0, bytes.length - 10);
    let refused = null;
    try { await loadEngine(worker, corrupt); } catch (err) { refused = { name: err.name, message: err.message }; }
    return { before, after: afterEval, steps: stats.length, lastStep: stats.at(-1), ms, maxDiff, refused, backend: engine.backend };
  });
  console.log(`grammar task on ${r.backend}: val loss ${r.before.val.toFixed(3)} -> ${r.after.val.toFixed(3)} in ${r.steps} steps, ${(r.ms / r.steps).toFixed(1)} ms/step`);
  assert.equal(r.backend, 'webgpu');
  assert.equal(r.steps, 100);
  assert.equal(r.lastStep.step, 99);
  // from about ln(V) = 3.3 (uniform over the task's characters): 100 steps learn the words
  assert.ok(r.before.val > 3.0 && r.after.val < 2.3, `val loss ${r.before.val} -> ${r.after.val}`);
  assert.ok(r.maxDiff < 1e-4, `exported weights give other logits on the CPU: ${r.maxDiff}`);
  assert.equal(r.refused?.name, 'BadCheckpoint');
  assert.match(r.refused.message, /checkpoint refused/);
});

// A browser hides its GPU's name, so a trainer on a real GPU times the step as each candidate
// GPU would launch it and keeps the fastest (Session::tune_launches). SwiftShader is a software
// fallback, where it is skipped; the test hook times the plans here anyway.
test('timing the launch plans keeps one and leaves the run as an untimed one goes', async () => {
  const page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
  const r = await page.evaluate(async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    // big enough that the six record two distinct plans (`tune_launches 1 32 2 32 9 30` on lavapipe)
    const options = { config: { block_size: 32, n_layer: 1, n_head: 2, n_embd: 32 }, seed: 3, data: { task: 'grammar' }, backend: 'webgpu' };
    const train = { batch_size: 9, learning_rate: 1e-2, min_lr: 1e-3, warmup_steps: 2, max_steps: 100, weight_decay: 0.1,
      beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 7 };
    const [timed, plain] = [await createEngine(worker, options), await createEngine(worker, options)];
    const cpu = await createEngine(worker, { ...options, backend: 'cpu' });
    await plain.startTraining(train); // recorded before the timing: the emulator's launches
    await timed.startTraining(train);
    const untimed = await timed.kernelsFor();
    const tuned = await timed.tuneLaunches();
    const kernelsFor = await timed.kernelsFor();
    const steps = { timed: await timed.trainSteps(3), plain: await plain.trainSteps(3) };
    return { untimed, tuned, kernelsFor, steps, cpu: await cpu.kernelsFor() };
  });
  console.log(`timed plans on SwiftShader: ${JSON.stringify(r.tuned)}; kept: ${r.kernelsFor}`);
  assert.equal(r.untimed, 'a CPU emulating a GPU, the adapter is a software fallback');
  assert.ok(['generic', 'intel-igpu', 'm1', 'm2', 'rtx3060', 'h100'].includes(r.tuned.kept), r.tuned.kept);
  assert.equal(r.tuned.msPerStep.length, 6);
  assert.ok(r.tuned.msPerStep.every((ms) => ms > 0 && Number.isFinite(ms)), `${r.tuned.msPerStep}`);
  assert.ok(r.tuned.steps >= 2 && r.tuned.steps <= 16, `${r.tuned.steps} steps`);
  assert.ok(r.tuned.plans >= 2, `${r.tuned.plans} distinct plans timed`);
  assert.match(r.kernelsFor, new RegExp(`, the fastest of ${r.tuned.plans} plans timed$`));
  assert.equal(r.cpu, null);
  // the timed steps were undone: the run starts at step 0 and goes as the untimed one
  assert.deepEqual(r.steps.timed.map((s) => s.step), [0, 1, 2]);
  r.steps.timed.forEach((s, i) => assert.ok(Math.abs(s.loss - r.steps.plain[i].loss) < 1e-4, `step ${i}: ${s.loss} vs ${r.steps.plain[i].loss}`));
});

test('a NaN step is refused with its own error and the model rolls back; a lost device says so', async () => {
  const page = await env.newPage();
  await page.goto(env.url + 'tests/blank.html');
  const r = await page.evaluate(async () => {
    const { startWorker, createEngine } = await import('/engine/client.js');
    const worker = startWorker();
    const engine = await createEngine(worker, {
      config: { block_size: 8, n_layer: 1, n_head: 1, n_embd: 8 }, seed: 1, data: { task: 'addition' }, backend: 'webgpu',
    });
    await engine.startTraining({ batch_size: 2, learning_rate: 1e-3, min_lr: 1e-4, warmup_steps: 0, max_steps: 10, weight_decay: 0.1,
      beta1: 0.9, beta2: 0.99, eps: 1e-8, grad_clip: 1.0, seed: 1 });
    await engine.trainSteps(2);
    const good = await engine.exportCheckpoint();
    await engine.injectFault('nan');
    let nan = null;
    try { await engine.trainSteps(3); } catch (err) { nan = { name: err.name, message: err.message }; }
    const back = await engine.exportCheckpoint();
    const stepAfter = await engine.step();
    const resumed = await engine.trainSteps(1);
    await engine.injectFault('device-lost');
    let lost = null;
    try { await engine.trainSteps(1); } catch (err) { lost = { name: err.name, message: err.message }; }
    const same = good.length === back.length && good.every((b, i) => b === back[i]);
    return { nan, same, stepAfter, resumed: resumed[0], lost };
  });
  assert.equal(r.nan?.name, 'NonFinite', JSON.stringify(r.nan));
  assert.match(r.nan.message, /not a finite number/);
  assert.ok(r.same, 'the weights after the refused step equal those before it');
  assert.equal(r.stepAfter, 2);
  assert.ok(Number.isFinite(r.resumed.loss) && r.resumed.step === 2, JSON.stringify(r.resumed));
  assert.equal(r.lost?.name, 'DeviceLost', JSON.stringify(r.lost));
});
