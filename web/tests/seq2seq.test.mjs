// The Train page's encoder-decoder view on both engines (WebGPU on SwiftShader, and the CPU with
// WebGPU switched off): the untrained model's alignment is real attention (rows sum to 1), 200
// teacher-forced steps lower the loss, and afterwards the view shows the cross-attention map
// and the teacher-forcing vs step-by-step table with real numbers. Screenshots; no console errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setup, ARTIFACTS } from './harness.mjs';
import { openTrain, LONG } from './train-helpers.mjs';

/** Every row of every layer's and head's map is a softmax: finite, in [0, 1], summing to 1. */
function assertAlignment(tr) {
  assert.equal(tr.t, 8);
  for (const layer of tr.cross) {
    for (const head of layer) {
      assert.equal(head.length, tr.t * tr.t);
      for (let r = 0; r < tr.t; r++) {
        const row = head.slice(r * tr.t, (r + 1) * tr.t);
        assert.ok(row.every((w) => Number.isFinite(w) && w >= 0 && w <= 1), `row ${r}: ${row}`);
        const sum = row.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `row ${r} sums to ${sum}`);
      }
    }
  }
}

for (const webgpu of [true, false]) {
  const engine = webgpu ? 'webgpu' : 'cpu';
  test(`${engine}: the encoder-decoder trains on reversal and its alignment view shows real numbers`, { timeout: LONG }, async () => {
    const env = await setup({ webgpu });
    try {
      const page = await env.newPage({ viewport: { width: 1280, height: 900 } });
      await openTrain(page, env.url, 'page=train');
      await page.waitForFunction(() => window.playgroundDebug.seq2seq, null, { timeout: LONG });
      assert.equal(await page.evaluate(() => window.playgroundDebug.seq2seq.backend()), null, 'no engine before the card is seen');
      await page.locator('#seq2seq').scrollIntoViewIfNeeded();
      await page.waitForFunction(() => window.playgroundDebug.seq2seq?.last(), null, { timeout: LONG });
      const before = await page.evaluate(() => window.playgroundDebug.seq2seq.last());
      assertAlignment(before);
      assert.deepEqual(before.source, ['', '', '', '', 'c', 'a', 'f', 'e'], 'the source is right-aligned');
      assert.deepEqual(before.teacher.fed.slice(0, 5), ['^', 'e', 'f', 'a', 'c'], 'teacher forcing feeds BOS and the true target');

      await page.click('#s2s-train');
      await page.waitForFunction(() => (document.querySelector('#view-seq2seq').dataset.steps === '200' && !document.querySelector('#s2s-train').disabled) ||
        document.querySelector('#view-seq2seq .s2s-message').textContent !== '', null, { timeout: LONG });
      assert.equal(await page.textContent('#view-seq2seq .s2s-message'), '', 'no error message');
      const after = await page.evaluate(() => ({ last: window.playgroundDebug.seq2seq.last(), backend: window.playgroundDebug.seq2seq.backend() }));
      assert.equal(after.backend, engine);
      assertAlignment(after.last);
      const status = await page.textContent('#view-seq2seq .s2s-status');
      const loss = Number(status.match(/loss ([0-9.]+)/)[1]);
      console.log(`${engine}: after 200 steps: ${status}; step by step "${after.last.greedy.text}", teacher forcing "${after.last.teacher.text}"`);
      // ln 11 = 2.40 untrained; measured on the CPU engine: ~1.7 after 200 steps
      assert.ok(loss < 2.1, status);
      // step by step, the decoder is fed BOS and then its own outputs
      assert.deepEqual(after.last.greedy.fed.slice(1), after.last.greedy.predicted.slice(0, 7));
      const rows = await page.$$eval('#s2s-steps tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
      assert.equal(rows.length, 8);
      // the map's readout names a real weight under the keyboard cursor
      await page.focus('#view-seq2seq canvas.hm-canvas');
      await page.keyboard.press('ArrowRight');
      const readout = await page.textContent('#view-seq2seq .hm-readout');
      assert.match(readout, /\d\.\d/, readout);
      await page.locator('#seq2seq').screenshot({ path: join(ARTIFACTS, `seq2seq-${engine}.png`) });
      assert.deepEqual(page.errors, []);
    } finally {
      await env.close();
    }
  });
}
