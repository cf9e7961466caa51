// Text in any script on the default model, in Chromium (WebGPU off): see browsers/scripts.mjs,
// which the Firefox and WebKit suites run too.
import { defineScriptTests } from './browsers/scripts.mjs';
import { useBrowser } from './browsers/page-steps.mjs';

defineScriptTests('chromium', useBrowser('chromium'));
