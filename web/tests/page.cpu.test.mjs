// The playground page with WebGPU switched off, so the CPU engine runs: see page-suite.mjs.
import { definePageTests } from './page-suite.mjs';

definePageTests({ webgpu: false });
