//! Ablation: an ablated head contributes exactly nothing (the same as zeroing its input
//! columns of c_proj), an ablated block passes its input through, on CPU and GPU.

use playground_core::ablation::{Ablation, AblationSpec};
use playground_core::config::{Family, Ffn, LinearBias, Norm, NormPosition, Positions, DEFAULT_NORM_EPS, DEFAULT_ROPE_THETA};
use playground_core::{CpuModel, ModelConfig, TraceRequest};
use playground_gpu::GpuModel;
use playground_tests::*;

const CFG: ModelConfig = ModelConfig {
    vocab_size: 11,
    block_size: 8,
    n_layer: 2,
    n_head: 3,
    n_kv_head: None,
    n_embd: 15,
    family: Family::Decoder,
    norm: Norm::LayerNorm,
    norm_position: NormPosition::Pre,
    positions: Positions::Learned,
    ffn: Ffn::Gelu,
    tie_head: true,
    n_classes: 0,
    ffn_hidden: None,
    rope_theta: DEFAULT_ROPE_THETA,
    norm_eps: DEFAULT_NORM_EPS,
    linear_bias: LinearBias::All,
};

fn keys() -> TraceRequest {
    TraceRequest::keys(&["block0.residual", "block1.res1", "block1.residual", "probs"]).unwrap()
}

#[test]
fn an_ablated_head_equals_zeroed_c_proj_columns_on_cpu_and_gpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tokens = rand_tokens(7, CFG.vocab_size, 3);
    let mut model = CpuModel::new(CFG, 4).unwrap();
    let (l, h, hs) = (1, 2, CFG.head_size());
    // the reference: head h of layer l zeroed by hand in attn.c_proj.weight (C_out, C_in)
    let mut zeroed = model.clone();
    let w = zeroed.layout().find(&format!("transformer.h.{l}.attn.c_proj.weight")).unwrap().span;
    for row in 0..CFG.n_embd {
        zeroed.params[w.offset + row * CFG.n_embd + h * hs..w.offset + row * CFG.n_embd + (h + 1) * hs].fill(0.0);
    }
    let want = zeroed.forward(&tokens, &keys()).unwrap();
    let plain = model.forward(&tokens, &keys()).unwrap();
    let ablation = Ablation::new(&CFG, &AblationSpec { heads: vec![(l, h)], layers: vec![] }).unwrap();
    model.ablation = Some(ablation.clone());
    let got = model.forward(&tokens, &keys()).unwrap();
    assert_eq!(got, want, "CPU: ablating the head is exactly zeroing its columns of c_proj");
    assert_ne!(plain.get("probs"), want.get("probs"), "the head did contribute");

    let mut g = pollster::block_on(GpuModel::new(gpu, CFG, &model.params, 1)).unwrap();
    let g_plain = pollster::block_on(g.forward(&tokens, &keys())).unwrap();
    g.set_ablation(Some(&ablation));
    let g_ablated = pollster::block_on(g.forward(&tokens, &keys())).unwrap();
    g.write_params(&zeroed.params);
    g.set_ablation(None);
    let g_zeroed = pollster::block_on(g.forward(&tokens, &keys())).unwrap();
    assert_eq!(g_ablated, g_zeroed, "GPU: ablating the head is exactly zeroing its columns of c_proj");
    for (a, b) in g_ablated.trace.iter().zip(&got.trace) {
        assert_close(&format!("GPU vs CPU ablated {}", a.key), &a.data, &b.data, 1e-5, 1e-4);
    }
    g.write_params(&model.params);
    let g_back = pollster::block_on(g.forward(&tokens, &keys())).unwrap();
    assert_eq!(g_back, g_plain, "reset: no mask, the original output");
}

#[test]
fn an_ablated_block_passes_the_residual_stream_through_on_cpu_and_gpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tokens = rand_tokens(5, CFG.vocab_size, 8);
    let mut model = CpuModel::new(CFG, 9).unwrap();
    let ablation = Ablation::new(&CFG, &AblationSpec { heads: vec![], layers: vec![1] }).unwrap();
    model.ablation = Some(ablation.clone());
    let cpu = model.forward(&tokens, &keys()).unwrap();
    let input = &cpu.get("block0.residual").unwrap().data;
    assert_eq!(&cpu.get("block1.res1").unwrap().data, input, "CPU: attention adds exactly 0");
    assert_eq!(&cpu.get("block1.residual").unwrap().data, input, "CPU: the FFN adds exactly 0");
    let mut g = pollster::block_on(GpuModel::new(gpu, CFG, &model.params, 1)).unwrap();
    g.set_ablation(Some(&ablation));
    let out = pollster::block_on(g.forward(&tokens, &keys())).unwrap();
    let input = &out.get("block0.residual").unwrap().data;
    assert_eq!(&out.get("block1.residual").unwrap().data, input, "GPU: the block adds exactly 0");
    assert_close("GPU vs CPU probs", &out.get("probs").unwrap().data, &cpu.get("probs").unwrap().data, 1e-6, 1e-4);
}

#[test]
fn ablation_refuses_layers_and_heads_the_model_lacks() {
    let err = Ablation::new(&CFG, &AblationSpec { heads: vec![(0, 3)], layers: vec![] }).unwrap_err().to_string();
    assert!(err.contains("ablation.head = 3") && err.contains("3 heads"), "{err}");
    let err = Ablation::new(&CFG, &AblationSpec { heads: vec![], layers: vec![2] }).unwrap_err().to_string();
    assert!(err.contains("ablation.layer = 2") && err.contains("2 layers"), "{err}");
    assert!(!Ablation::new(&CFG, &AblationSpec::default()).unwrap().is_active());
}
