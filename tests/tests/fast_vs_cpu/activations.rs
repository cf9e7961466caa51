use playground_core::{cpu, fast};
use playground_tests::*;

/// Lengths: one element, odd, and long enough for several tasks; inputs in ±20, where the
/// activations' tails (erf, tanh, σ saturating) differ most between implementations.
const LENGTHS: [usize; 4] = [1, 37, 4099, 200_003];

fn inputs(n: usize, seed: u64) -> Vec<f32> {
    randn(n, 6.0, seed).into_iter().map(|x| x.clamp(-20.0, 20.0)).collect()
}

type Forward = fn(&mut [f32], &[f32], usize);
type Backward = fn(&mut [f32], &[f32], &[f32], usize);

/// (name, reference forward, fast forward, reference backward, fast backward)
const OPS: [(&str, Forward, Forward, Backward, Backward); 3] = [
    ("gelu", cpu::gelu_forward, fast::gelu_forward, cpu::gelu_backward, fast::gelu_backward),
    ("gelu_tanh", cpu::gelu_tanh_forward, fast::gelu_tanh_forward, cpu::gelu_tanh_backward, fast::gelu_tanh_backward),
    ("relu", cpu::relu_forward, fast::relu_forward, cpu::relu_backward, fast::relu_backward),
];

#[test]
fn activations_match_cpu() {
    for (name, ref_fwd, fast_fwd, ref_bwd, fast_bwd) in OPS {
        for n in LENGTHS {
            let (inp, dout, dinp0) = (inputs(n, 1), randn(n, 1.0, 2), randn(n, 1.0, 3));
            let (mut want, mut got) = (vec![0.0; n], vec![f32::NAN; n]);
            ref_fwd(&mut want, &inp, n);
            fast_fwd(&mut got, &inp, n);
            // math::erf and math::tanh are within 5e-7 and 2e-7 of libm's
            assert_close(&format!("{name}_forward n{n}"), &got, &want, 2e-6, 1e-6);
            // both store: what the gradients held before is overwritten
            let (mut want, mut got) = (dinp0, vec![f32::NAN; n]);
            ref_bwd(&mut want, &inp, &dout, n);
            fast_bwd(&mut got, &inp, &dout, n);
            assert_close(&format!("{name}_backward n{n}"), &got, &want, 2e-6, 1e-6);
        }
    }
}

#[test]
fn swiglu_matches_cpu() {
    for (rows, h) in [(1, 1), (3, 7), (700, 129)] {
        let (inp, dout, dinp0) = (inputs(rows * 2 * h, 4), randn(rows * h, 1.0, 5), randn(rows * 2 * h, 1.0, 6));
        let (mut want, mut got) = (vec![0.0; rows * h], vec![f32::NAN; rows * h]);
        cpu::swiglu_forward(&mut want, &inp, rows, h);
        fast::swiglu_forward(&mut got, &inp, rows, h);
        assert_close(&format!("swiglu_forward rows{rows} h{h}"), &got, &want, 2e-6, 1e-6);
        let (mut want, mut got) = (dinp0, vec![f32::NAN; rows * 2 * h]);
        cpu::swiglu_backward(&mut want, &inp, &dout, rows, h);
        fast::swiglu_backward(&mut got, &inp, &dout, rows, h);
        assert_close(&format!("swiglu_backward rows{rows} h{h}"), &got, &want, 2e-6, 1e-6);
    }
}
