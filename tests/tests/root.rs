//! The single integration-test binary (one link step). Modules by what they compare.

mod alloc_probe;
mod any_session;
mod bpe;
mod checkpoints;
mod config;
mod encdec;
mod encdec_session;
mod encoder;
mod fast_vs_cpu {
    mod activations;
    mod adamw;
    mod attention;
    mod matmul;
    mod model;
    mod norms;
    mod shards;
    mod softmax_xent;
}
mod fuzz_replay;
mod gradcheck;
mod hostile_inputs;
mod kv_cache;
mod large_launches;
mod gpu_vs_cpu {
    mod ablate;
    mod adamw;
    mod attention;
    mod clip;
    mod cross_pack;
    mod embedding;
    mod gelu;
    mod gelu_tanh;
    mod kv_attention;
    mod layernorm;
    mod matmul;
    mod relu;
    mod rmsnorm;
    mod rope;
    mod softmax_xent;
    mod stats;
    mod swiglu;
}
mod inspect {
    mod ablation;
    mod cost;
    mod gradients;
    mod logit_lens;
}
mod gpt2_import;
mod gpu_split;
mod hf_models;
mod hf_tokenizer;
mod hf_weights;
mod model_forward;
mod session;
mod shader_validation;
mod tokenizer;
mod training;
