// Which engine a training run gets for the Engine choice (Auto, WebGPU, CPU) on this browser's
// WebGPU adapter, and why, in words the Train page shows beside the choice before anything
// starts. Plain data in, plain data out (tested in Node).
//
// Auto picks the engine that trains faster: WebGPU on a hardware adapter; the CPU engine where
// there is no adapter, or where the adapter is a software fallback (SwiftShader, lavapipe: a
// CPU emulating a GPU), on which a step of the Tiny model took 190-220 ms against the CPU
// engine's 29 ms (Chromium 156, 2 cores). An explicit choice is kept.

import { t } from '../i18n/i18n.js';

/** What the page says wherever WebGPU is chosen but the browser has none: one message, everywhere. */
export const noWebGpu = () => t('train.engine.noWebGpu');

/**
 * The adapter in words: "google swiftshader", or "this browser's GPU adapter" where it hides its name.
 * @param {{ vendor?: string, architecture?: string, description?: string }} adapter
 */
function adapterName(adapter) {
  const name = adapter.description || [adapter.vendor, adapter.architecture].filter(Boolean).join(' ');
  return name || t('train.engine.unnamedAdapter');
}

/**
 * @param {'auto'|'webgpu'|'cpu'} choice the form's Engine
 * @param {{ fallback: boolean, vendor?: string, architecture?: string, description?: string }|null|undefined} adapter
 *   the worker's WebGPU adapter (engine/worker.js `adapterInfo`): null where the browser has none,
 *   undefined while it is not known yet
 * @returns {{ backend: 'auto'|'webgpu'|'cpu', runsOn: 'webgpu'|'cpu'|null, line: string, problem: string|null }}
 *   backend: what the engine is asked for (Auto's GPU pick stays 'auto', so a GPU that fails to
 *   start still falls back to the CPU); runsOn: where it trains (null: not known yet); line: the
 *   choice in words; problem: why this choice cannot run here (Start waits), else null
 */
export function chooseEngine(choice, adapter) {
  if (choice === 'cpu') return { backend: 'cpu', runsOn: 'cpu', line: t('train.engine.cpuChosen'), problem: null };
  if (adapter === undefined) return { backend: choice, runsOn: null, line: t('train.engine.looking'), problem: null };
  if (choice === 'webgpu') {
    if (adapter === null) return { backend: 'webgpu', runsOn: null, line: noWebGpu(), problem: noWebGpu() };
    const line = t(adapter.fallback ? 'train.engine.webgpuChosenSlow' : 'train.engine.webgpuChosen', { adapter: adapterName(adapter) });
    return { backend: 'webgpu', runsOn: 'webgpu', line, problem: null };
  }
  if (adapter === null) {
    return { backend: 'cpu', runsOn: 'cpu', line: t('train.engine.autoNoAdapter'), problem: null };
  }
  if (adapter.fallback) {
    return { backend: 'cpu', runsOn: 'cpu', line: t('train.engine.autoFallback', { adapter: adapterName(adapter) }), problem: null };
  }
  return { backend: 'auto', runsOn: 'webgpu', line: t('train.engine.autoGpu', { adapter: adapterName(adapter) }), problem: null };
}

const GIB = 2 ** 30; // navigator.deviceMemory counts in these
const WASM32_BYTES = 4 * GIB; // the most memory a WebAssembly (wasm32) module addresses

/**
 * The memory a run on `runsOn` can use in this tab, and why, or null where nothing is known.
 * @param {'webgpu'|'cpu'|null} runsOn
 * @param {number|undefined} deviceGb navigator.deviceMemory: the device's memory in GB as the
 *   browser rounds it (absent in some browsers)
 * @returns {{ bytes: number, why: string }|null} why: the limit as a noun phrase ("the 16 GB of memory this device reports")
 */
export function tabMemory(runsOn, deviceGb) {
  const device = Number.isFinite(deviceGb) && deviceGb > 0 ? { bytes: deviceGb * GIB, why: t('train.engine.deviceMemory', { gb: deviceGb }) } : null;
  if (runsOn === 'cpu' && (!device || device.bytes > WASM32_BYTES)) {
    return { bytes: WASM32_BYTES, why: t('train.engine.wasmMemory') };
  }

  return runsOn ? device : null;
}
