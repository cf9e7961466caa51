// Every family's defaults (its Tiny preset and the data it offers first) visibly learn within a
// minute of training on the CPU engine: the validation loss falls from its untrained value (about
// ln V, or ln 2 for the classifier: guessing) to half of it within 60 s; the masked LM, taught by
// the hidden 15% of its tokens only, to three quarters (it halves it by about step 225, more
// than a minute at load average 20: 3.23 → 2.13 at step 150 after 65 s). The [CLS] classifier's
// old Tiny (context 32, batch 16) stayed near 50/50: 0.73 → 0.54 at best in 60 s. presets.js
// FAMILIES says what each family's presets change and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from './harness.mjs';
import { openTrain } from './train-helpers.mjs';

const MINUTE_MS = 60_000; // of training (run.elapsedMs at each evaluation): evaluations and saves included
const FAMILIES = [
  // past: the fraction of the untrained validation loss to reach within the minute
  { family: 'decoder', data: 'grammar', ctx: 32, batch: 16, past: 1 / 2 },
  { family: 'mlm', data: 'grammar', ctx: 16, batch: 64, past: 3 / 4 },
  { family: 'cls', data: 'balanced', ctx: 16, batch: 32, past: 1 / 2 },
  { family: 'encdec', data: 'reversal', ctx: 8, batch: 32, past: 1 / 2 },
];

let env;
before(async () => { env = await setup({ webgpu: false }); });
after(async () => { await env?.close(); });

for (const { family, data, ctx, batch, past } of FAMILIES) {
  test(`cpu: the ${family} family’s defaults take the validation loss to ${past} of guessing’s within a minute`, { timeout: 4 * MINUTE_MS }, async () => {
    const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
    await openTrain(page, env.url, `page=train&family=${family}&engine=cpu`);
    const s = await page.evaluate(() => window.playgroundDebug.train.settings);
    assert.deepEqual([s.preset, s.data, s.ctx, s.batch], ['tiny', data, ctx, batch], 'the defaults');
    await page.click('#tr-start');
    await page.waitForFunction(({ limit, past }) => {
      const run = window.playgroundDebug.train.run;
      const val = run?.val ?? [];
      return val.length > 1 && (val.some((v) => v.val <= val[0].val * past) || val.at(-1).ms > limit || window.playgroundDebug.train.status === 'done');
    }, { limit: MINUTE_MS, past }, { timeout: 3 * MINUTE_MS, polling: 250 });
    await page.click('#tr-pause');
    const val = await page.evaluate(() => window.playgroundDebug.train.run.val.map((v) => ({ step: v.step, val: v.val, ms: v.ms })));
    const reached = val.find((v) => v.val <= val[0].val * past);
    console.log(`${family} on ${data}: validation loss ${val[0].val.toFixed(3)} → ${val.at(-1).val.toFixed(3)} at step ${val.at(-1).step}; ` +
      (reached ? `${past} of it at step ${reached.step} after ${(reached.ms / 1000).toFixed(1)} s of training` : `not ${past} of it`));
    assert.ok(reached && reached.ms <= MINUTE_MS, `${family}: ${JSON.stringify(val)}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
}
