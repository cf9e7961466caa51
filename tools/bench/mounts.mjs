// Where the in-browser benchmark's page and TensorFlow.js are served from, next to web/ (the
// static server's root): the page at /bench/, TensorFlow.js from node_modules (never committed).
// Used by tools/bench/browser_bench.mjs and the smoke test web/tests/bench.test.mjs.
import { join } from 'node:path';

/** URL prefix → folder, for `startServer({ mounts })` of scripts/static-server.mjs. */
export function benchMounts(root) {
  return {
    '/vendor/tfjs/': join(root, 'node_modules/@tensorflow/tfjs/dist'),
    '/vendor/tfjs-backend-webgpu/': join(root, 'node_modules/@tensorflow/tfjs-backend-webgpu/dist'),
    // the wasm backend's script and its three .wasm files (plain, SIMD, threaded SIMD)
    '/vendor/tfjs-backend-wasm/': join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
    '/bench/': join(root, 'tools/bench/browser'),
  };
}
