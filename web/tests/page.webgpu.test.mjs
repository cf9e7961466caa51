// The playground page with WebGPU (SwiftShader): see page-suite.mjs.
import { definePageTests } from './page-suite.mjs';

definePageTests({ webgpu: true });
