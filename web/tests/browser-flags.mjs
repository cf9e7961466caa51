// Chromium's command-line flags for the browser tests and the browser benchmarks, in one place.
// Why these (measured, docs/PERFORMANCE.md "Why the test browser's flags are what they are"):
// `--use-webgpu-adapter=swiftshader` gives WebGPU a software adapter on a machine without a GPU,
// and `--enable-unsafe-swiftshader` allows it; `--enable-features=Vulkan` is kept because the
// page's compositing does not go through it (chrome://gpu: "Compositing: Software only",
// "Vulkan: Disabled" with and without it), so it costs the page nothing.

/** No background traffic, no first-run UI; `--no-sandbox` as the tests run as root in a container. */
export const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-sandbox'];

/** Real WebGPU on SwiftShader (software Vulkan) where there is no GPU. */
export const WEBGPU = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader'];

/** WebGPU switched off: `navigator.gpu.requestAdapter()` answers null, so the page uses its CPU engine. */
export const NO_WEBGPU = ['--disable-features=WebGPU,Vulkan'];
