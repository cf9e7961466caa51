//! The single integration-test binary (one link step). Modules by what they compare.

mod bpe;
mod config;
mod fuzz_replay;
mod gradcheck;
mod hostile_inputs;
mod gpu_vs_cpu {
    mod adamw;
    mod attention;
    mod clip;
    mod encoder;
    mod gelu;
    mod gelu_tanh;
    mod layernorm;
    mod matmul;
    mod residual;
    mod softmax_xent;
    mod stats;
}
mod gpt2_import;
mod gpu_split;
mod model_forward;
mod session;
mod shader_validation;
mod tokenizer;
mod training;
