//! Choosing the next token from logits: temperature, top-k, top-p (nucleus), greedy, seeded.
//!
//! `sampling_probabilities` returns the distribution a sample is drawn from, so the page can
//! show exactly what `sample` will do: softmax(logits / temperature), restricted to the k most
//! likely tokens and then to the smallest set whose probability reaches top_p, renormalized.
//! Temperature 0 means greedy: all mass on the most likely token.

use crate::error::CoreError;
use crate::order::sorted_indices;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingParams {
    /// ≥ 0; 0 is greedy, 1 leaves the model's distribution as it is.
    pub temperature: f32,
    /// Keep only the k most likely tokens; 0 keeps all.
    pub top_k: usize,
    /// Keep the smallest set of tokens whose probability sums to at least top_p, in (0, 1].
    pub top_p: f32,
}

impl Default for SamplingParams {
    fn default() -> Self {
        SamplingParams { temperature: 1.0, top_k: 0, top_p: 1.0 }
    }
}

impl SamplingParams {
    pub fn validate(&self) -> Result<(), CoreError> {
        if !(self.temperature.is_finite() && self.temperature >= 0.0) {
            return Err(CoreError::Sampling(format!("temperature must be a number ≥ 0, got {}", self.temperature)));
        }
        if !(self.top_p > 0.0 && self.top_p <= 1.0) {
            return Err(CoreError::Sampling(format!("top_p must be in (0, 1], got {}", self.top_p)));
        }
        Ok(())
    }
}

/// The indices of `values` from the largest value to the smallest (`f32::total_cmp`), the
/// lower index first among equals. Sampling and the logit lens rank tokens with it.
pub fn rank_descending(values: &[f32]) -> Vec<usize> {
    sorted_indices(values.len(), &|a, b| values[b].total_cmp(&values[a]))
}

/// The distribution `sample` draws from; same length as `logits`, sums to 1.
pub fn sampling_probabilities(logits: &[f32], params: &SamplingParams) -> Result<Vec<f32>, CoreError> {
    params.validate()?;
    if logits.is_empty() {
        return Err(CoreError::Sampling("no logits to sample from".into()));
    }
    if logits.iter().any(|x| !x.is_finite()) {
        return Err(CoreError::Sampling("the logits contain NaN or infinity".into()));
    }
    let n = logits.len();
    // order tokens by logit, highest first (ties: lower id first, so results are stable)
    let order = rank_descending(logits);
    let mut probs = vec![0.0f32; n];
    if params.temperature == 0.0 {
        probs[order[0]] = 1.0;
        return Ok(probs);
    }
    let maxv = logits[order[0]];
    let mut p: Vec<f64> = logits.iter().map(|&x| (((x - maxv) / params.temperature) as f64).exp()).collect();
    let total: f64 = p.iter().sum();
    p.iter_mut().for_each(|x| *x /= total);
    let k = if params.top_k == 0 { n } else { params.top_k.min(n) };
    // nucleus: walk down the sorted list until the kept mass reaches top_p. top_p = 1 is off:
    // the running sum can reach 1.0 by rounding before the last tokens, which must stay drawable.
    let mut kept = 0;
    let mut mass = 0.0;
    for &i in order.iter().take(k) {
        kept += 1;
        mass += p[i];
        if params.top_p < 1.0 && mass >= params.top_p as f64 {
            break;
        }
    }
    for &i in order.iter().take(kept) {
        probs[i] = (p[i] / mass) as f32;
    }
    Ok(probs)
}

/// Draws one token id from `sampling_probabilities(logits, params)` with `rng`.
pub fn sample(logits: &[f32], params: &SamplingParams, rng: &mut Rng) -> Result<u32, CoreError> {
    let probs = sampling_probabilities(logits, params)?;
    let u = rng.next_f32();
    let mut acc = 0.0;
    let mut last_kept = 0;
    for (i, &p) in probs.iter().enumerate() {
        if p > 0.0 {
            acc += p;
            last_kept = i;
            if u < acc {
                return Ok(i as u32);
            }
        }
    }
    Ok(last_kept as u32) // rounding left acc just below u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_top_k_top_p_and_greedy() {
        let logits = [2.0, 1.0, 0.0, -1.0];
        let p = sampling_probabilities(&logits, &SamplingParams::default()).unwrap();
        let z: f32 = logits.iter().map(|x: &f32| x.exp()).sum();
        for i in 0..4 {
            assert!((p[i] - logits[i].exp() / z).abs() < 1e-6);
        }
        let g = sampling_probabilities(&logits, &SamplingParams { temperature: 0.0, ..Default::default() }).unwrap();
        assert_eq!(g, vec![1.0, 0.0, 0.0, 0.0]);
        let k2 = sampling_probabilities(&logits, &SamplingParams { top_k: 2, ..Default::default() }).unwrap();
        assert!((k2[0] + k2[1] - 1.0).abs() < 1e-6 && k2[2] == 0.0 && k2[3] == 0.0);
        // p0 ≈ 0.644 < 0.7 ≤ p0 + p1: the nucleus holds two tokens
        let nuc = sampling_probabilities(&logits, &SamplingParams { top_p: 0.7, ..Default::default() }).unwrap();
        assert!(nuc[1] > 0.0 && nuc[2] == 0.0);
        // top-p off keeps every token, even those after the running sum has rounded to 1
        let peaked: Vec<f32> = (0..96).map(|i| if i == 0 { 12.0 } else { -12.0 + i as f32 * 0.01 }).collect();
        let all = sampling_probabilities(&peaked, &SamplingParams { temperature: 0.5, ..Default::default() }).unwrap();
        assert!(all.iter().all(|&x| x > 0.0), "{} of 96 tokens cut", all.iter().filter(|&&x| x == 0.0).count());
        let mut rng = Rng::new(3);
        assert_eq!(sample(&logits, &SamplingParams { temperature: 0.0, ..Default::default() }, &mut rng).unwrap(), 0);
        assert!(sample(&[f32::NAN], &SamplingParams::default(), &mut rng).is_err());
    }
}
