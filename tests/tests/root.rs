//! The single integration-test binary (one link step). Modules by what they compare.

mod bpe;
mod config;
mod gpu_vs_cpu {
    mod attention;
    mod encoder;
    mod gelu;
    mod layernorm;
    mod matmul;
    mod residual;
    mod softmax_xent;
}
mod model_forward;
mod shader_validation;
mod tokenizer;
