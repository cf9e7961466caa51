//! The backward trace: its parameter gradients equal the engine's for the same step (GPU and
//! CPU), its intermediates agree with the parameter gradients and with each other, and the
//! AdamW update sizes equal what a step really changes.

use playground_core::checkpoint::Checkpoint;
use playground_core::data::{Dataset, Task};
use playground_core::grad_trace::{backward_trace, tensor_norms, update_ratios};
use playground_core::train::{CpuTrainer, TrainConfig};
use playground_core::{CpuModel, ModelConfig};
use playground_gpu::Session;
use playground_tests::*;

fn train() -> TrainConfig {
    TrainConfig { batch_size: 2, warmup_steps: 1, max_steps: 20, learning_rate: 1e-2, ..TrainConfig::default() }
}

#[test]
fn backward_trace_gradients_equal_the_engines_gradients_on_gpu_and_cpu() {
    let Some(gpu) = gpu_or_skip() else { return };
    let data = Dataset::from_task(Task::Reverse, 1, None).unwrap();
    let config =
        ModelConfig { vocab_size: data.tokenizer.vocab_size(), block_size: 8, n_layer: 2, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    for backend in [Some(gpu), None] {
        let name = if backend.is_some() { "gpu" } else { "cpu" };
        let params = CpuModel::new(config, 2).unwrap().params;
        let checkpoint = Checkpoint { config, tokenizer: data.tokenizer.clone(), params, metadata: Default::default() };
        let mut s = pollster::block_on(Session::new(backend, checkpoint)).unwrap();
        s.set_data(data.clone(), "task: reverse".into()).unwrap();
        pollster::block_on(s.start_training(train(), None)).unwrap();
        pollster::block_on(s.train_steps(2)).unwrap();
        // the trace of the next step's batch, then that step on the engine
        let trace = pollster::block_on(s.backward_trace(1)).unwrap();
        let stats = pollster::block_on(s.train_steps(1)).unwrap();
        assert_close(&format!("{name} loss"), &[trace.loss], &[stats[0].loss], 1e-5, 1e-5);
        let engine_grads = pollster::block_on(s.engine().grads()).unwrap();
        assert_close(&format!("{name} every parameter gradient"), &trace.grads, &engine_grads, 2e-6, 1e-3);
        let g = pollster::block_on(s.grad_stats()).unwrap();
        assert_eq!(g.step, 3);
        let layout = playground_core::ParamLayout::new(&config);
        assert_close(&format!("{name} grad norms"), &g.grad_norms, &tensor_norms(&layout, &engine_grads), 1e-6, 1e-5);
        assert!(g.update_ratios.iter().all(|r| r.is_finite() && *r > 0.0), "{name}: every tensor moved: {:?}", g.update_ratios);
    }
}

#[test]
fn backward_trace_intermediates_agree_with_parameter_gradients_and_each_other() {
    // B = 1, so the traced row is the whole batch and bias gradients are column sums
    let config = ModelConfig { vocab_size: 9, block_size: 7, n_layer: 2, n_head: 3, n_embd: 9, ..ModelConfig::default() };
    let (t, c, hs, l) = (7, 9, 3, 0);
    let model = CpuModel::new(config, 11).unwrap();
    let (x, y) = (rand_tokens(t, 9, 1), rand_tokens(t, 9, 2));
    let tr = backward_trace(&model, &x, &y, 1, t, l).unwrap();
    let get = |k: &str| &tr.backward.iter().find(|g| g.key == k).unwrap_or_else(|| panic!("{k}")).data;
    let col_sums = |m: &[f32], w: usize| (0..w).map(|j| (0..t).map(|i| m[i * w + j]).sum::<f32>()).collect::<Vec<_>>();
    let grad = |name: &str| model.layout().find(&format!("transformer.h.{l}.{name}")).unwrap().span.of(&tr.grads);
    assert_close("Σ_t dFFN.pre = d c_fc.bias", &col_sums(get("grad.block0.ffn.pre"), 4 * c), grad("mlp.c_fc.bias"), 1e-6, 1e-4);
    assert_close("Σ_t dresidual = d mlp.c_proj.bias", &col_sums(get("grad.block0.residual"), c), grad("mlp.c_proj.bias"), 1e-6, 1e-4);
    assert_close("Σ_t dres1 = d attn.c_proj.bias", &col_sums(get("grad.block0.res1"), c), grad("attn.c_proj.bias"), 1e-6, 1e-4);
    for h in 0..3 {
        let dq = col_sums(get(&format!("grad.block0.head{h}.q")), hs);
        assert_close(&format!("Σ_t dQ head {h} = d c_attn.bias"), &dq, &grad("attn.c_attn.bias")[h * hs..(h + 1) * hs], 1e-6, 1e-4);
        // dQ = dS·K/√HS, from the traced scores gradient and the forward keys
        let (ds, k) =
            (get(&format!("grad.block0.head{h}.scores")), &tr.forward.iter().find(|f| f.key == format!("block0.head{h}.k")).unwrap().data);
        let want: Vec<f32> =
            (0..t * hs).map(|i| (0..t).map(|j| ds[(i / hs) * t + j] * k[j * hs + i % hs]).sum::<f32>() / (hs as f32).sqrt()).collect();
        assert_close(&format!("dQ = dS·K/√HS head {h}"), get(&format!("grad.block0.head{h}.q")), &want, 1e-6, 1e-4);
        let da = get(&format!("grad.block0.head{h}.att"));
        assert!((0..t).all(|i| (i + 1..t).all(|j| da[i * t + j] == 0.0)), "dA is 0 above the diagonal");
    }
    assert_eq!(tr.forward.len(), tr.backward.len());
    for (f, b) in tr.forward.iter().zip(&tr.backward) {
        assert_eq!((format!("grad.{}", f.key), &f.shape), (b.key.clone(), &b.shape), "same keys and shapes forward and back");
    }
}

#[test]
fn update_ratios_equal_the_change_a_step_makes() {
    let config = ModelConfig { vocab_size: 9, block_size: 6, n_layer: 1, n_head: 2, n_embd: 8, ..ModelConfig::default() };
    let mut tr = CpuTrainer::new(CpuModel::new(config, 3).unwrap(), train()).unwrap();
    for step in 0..3 {
        let (x, y) = (rand_tokens(12, 9, 10 + step), rand_tokens(12, 9, 20 + step));
        let before = tr.model.params.clone();
        tr.step(&[&x], &y, 2, 6).unwrap();
        let layout = tr.model.layout();
        let want: Vec<f32> = layout
            .tensors()
            .iter()
            .map(|p| {
                let d: Vec<f32> = p.span.of(&tr.model.params).iter().zip(p.span.of(&before)).map(|(a, b)| a - b).collect();
                let (dn, wn) = (tensor_norms_of(&d), tensor_norms_of(p.span.of(&before)));
                if wn > 0.0 {
                    dn / wn
                } else {
                    0.0
                }
            })
            .collect();
        let got = update_ratios(layout, &tr.model.params, &tr.opt, &tr.config).unwrap();
        // recovering θ from θ' costs a few ulps of θ, relative to the small Δθ
        assert_close(&format!("update ratios step {step}"), &got, &want, 1e-5, 1e-2);
    }
}

fn tensor_norms_of(v: &[f32]) -> f32 {
    v.iter().map(|x| x * x).sum::<f32>().sqrt()
}
