//! The training step the tools time or estimate, as their command lines give it: six sizes,
//! L C NH T B V (layers, width, heads, context, batch, vocabulary).

use playground_core::ModelConfig;
use serde_json::{json, Value};

/// One training step's sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepSizes {
    pub config: ModelConfig,
    pub batch: usize,
}

impl StepSizes {
    /// The sizes given, in the order L C NH T B V, or where none are given a small step
    /// (2 32 2 16 16 10); any other count is refused.
    pub fn from_words(words: &[String]) -> Result<StepSizes, String> {
        let numbers = words.iter().map(|w| w.parse::<usize>().map_err(|_| format!("{w}: sizes are numbers (L C NH T B V)")));
        let numbers = numbers.collect::<Result<Vec<_>, _>>()?;
        let [l, c, nh, t, b, v] = match numbers.as_slice() {
            [] => [2, 32, 2, 16, 16, 10],
            given => given.try_into().map_err(|_| format!("six sizes: L C NH T B V, not {}", given.len()))?,
        };
        let config = ModelConfig { vocab_size: v, block_size: t, n_layer: l, n_head: nh, n_embd: c, ..ModelConfig::default() };
        Ok(StepSizes { config, batch: b })
    }

    /// "L2 C32 NH2 T16 B16 V10".
    pub fn label(&self) -> String {
        let c = &self.config;
        format!("L{} C{} NH{} T{} B{} V{}", c.n_layer, c.n_embd, c.n_head, c.block_size, self.batch, c.vocab_size)
    }

    /// The sizes as the tools' JSON records them.
    pub fn json(&self) -> Value {
        let c = &self.config;
        json!({ "n_layer": c.n_layer, "n_embd": c.n_embd, "n_head": c.n_head, "block_size": c.block_size,
            "batch_size": self.batch, "vocab_size": c.vocab_size })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn six_sizes_or_none() {
        let s = StepSizes::from_words(&words("6 384 6 256 64 65")).unwrap();
        assert_eq!(s.label(), "L6 C384 NH6 T256 B64 V65");
        assert_eq!(s.json()["batch_size"], 64);
        assert_eq!(StepSizes::from_words(&[]).unwrap().label(), "L2 C32 NH2 T16 B16 V10");
        assert_eq!(StepSizes::from_words(&words("1 2 3")).unwrap_err(), "six sizes: L C NH T B V, not 3");
        assert!(StepSizes::from_words(&words("1 2 3 4 5 x")).unwrap_err().starts_with("x: sizes are numbers"));
    }
}
