//! The tokenizer of an imported model, which the session's character vocabulary does not
//! describe: GPT-2's from vocab.json and merges.txt, or a Hugging Face `tokenizer.json`.

use playground_core::hf::tokenizer::{group_bytes, legible, TokenGroup};
use playground_core::hf::HfTokenizer;
use playground_core::{Bpe, CoreError};

pub enum TextTokenizer {
    Gpt2(Box<Bpe>),
    Hub(Box<HfTokenizer>),
}

impl TextTokenizer {
    pub fn vocab_size(&self) -> usize {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.vocab_size(),
            TextTokenizer::Hub(tok) => tok.vocab_size(),
        }
    }

    /// The ids of `text`, with the special tokens the model's tokenizer config adds (a
    /// Llama's `<s>` first).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.encode(text),
            TextTokenizer::Hub(tok) => tok.encode(text, true),
        }
    }

    pub fn decode(&self, ids: &[u32]) -> Result<String, CoreError> {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.decode(ids),
            TextTokenizer::Hub(tok) => tok.decode(ids, false),
        }
    }

    /// The bytes of text token `id` stands for (part of a character, for some).
    fn token_bytes(&self, id: u32) -> Result<Vec<u8>, CoreError> {
        match self {
            TextTokenizer::Gpt2(bpe) => bpe.token_bytes(id).map(<[u8]>::to_vec),
            TextTokenizer::Hub(tok) => tok.token_bytes(id),
        }
    }

    /// Every token as a chip shows it: its bytes as text with the space as `␣`, or in hex
    /// (`E4 B8`) where they are part of a character.
    pub fn legible_vocab(&self) -> Vec<String> {
        (0..self.vocab_size() as u32).map(|id| legible(&self.token_bytes(id).unwrap_or_default())).collect()
    }

    /// `ids` grouped into runs that spell whole characters (中 over the two tokens holding it).
    pub fn groups(&self, ids: &[u32]) -> Result<Vec<TokenGroup>, CoreError> {
        let bytes: Vec<Vec<u8>> = ids.iter().map(|&id| self.token_bytes(id)).collect::<Result<_, _>>()?;
        Ok(group_bytes(&bytes))
    }

    /// How `encode` splits a text: "gpt2" or "hub".
    pub fn kind(&self) -> &'static str {
        match self {
            TextTokenizer::Gpt2(_) => "gpt2",
            TextTokenizer::Hub(_) => "hub",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GPT-2's byte-level BPE with one merge: E4 B8, the first two of 中's three bytes (E4 B8 AD).
    fn split_zhong() -> TextTokenizer {
        TextTokenizer::Gpt2(Box::new(Bpe::from_merges(&[(0xE4, 0xB8)]).unwrap()))
    }

    #[test]
    fn gpt2_tokens_show_as_their_bytes() {
        let vocab = split_zhong().legible_vocab();
        assert_eq!(vocab.len(), 257);
        assert_eq!(
            (vocab[256].as_str(), vocab[0xAD].as_str(), vocab[b' ' as usize].as_str(), vocab[b'a' as usize].as_str()),
            ("E4 B8", "AD", "␣", "a")
        );
    }

    #[test]
    fn gpt2_tokens_of_one_character_group() {
        let tok = split_zhong();
        let ids = tok.encode("中 a");
        assert_eq!(ids, [256, 0xAD, b' ' as u32, b'a' as u32]);
        let groups: Vec<_> = tok.groups(&ids).unwrap().into_iter().map(|g| (g.first, g.len, g.text)).collect();
        assert_eq!(groups, [(0, 2, "中".to_string()), (2, 1, " ".to_string()), (3, 1, "a".to_string())]);
    }
}
