"""Writes the Hugging Face test fixtures into a folder (build/hf-fixtures by default), without
the network: small tokenizers of each kind the playground reads, trained here with
`tokenizers` on generated text (hf_text.py), and the ids `tokenizers` and `transformers` give a
varied text set with them.

    build/venv/bin/python tests/python/hf_fixtures.py [out_dir]

Layout of out_dir:
    <kind>/tokenizer.json, <kind>/tokenizer_config.json   one folder per tokenizer kind
    tokenizer_cases.json   {kind: [{text, ids, ids_with_special, decoded, decoded_skip_special}]}
    models/<name>/         small random-weight checkpoints in the hub's layout: config.json,
                           model.safetensors (or model.safetensors.index.json and shards),
                           tokenizer.json, tokenizer_config.json, and reference.json (input ids,
                           the logits transformers gives for them with the saved
                           weights read back in float32, and the first values of some
                           tensors as f32)
    stamp.txt              this file and hf_text.py: the Rust tests regenerate when they differ

Kinds, each shaped like the tokenizer.json of the models named:
    gpt2          byte-level BPE, GPT-2's split pattern (GPT-2)
    smollm        byte-level BPE, digits split one by one first (SmolLM, SmolLM2)
    qwen2         NFC, then Qwen2's split pattern, byte-level BPE (Qwen2, Qwen2.5)
    llama         SentencePiece-style BPE: "▁" for spaces by the normalizer, byte fallback
                  <0x..>, <s> first (Llama 2, TinyLlama; transformers' legacy conversion)
    llama_metaspace  the same model with the Metaspace pre-tokenizer instead (transformers'
                  conversion with legacy=False)
    llama_eos     llama_metaspace's tokenizer.json, with a tokenizer_config.json that asks for
                  </s> after the text and no <s>: the config decides, as transformers' Llama
                  tokenizer builds its post-processor from it
    llama3        byte-level BPE with cl100k's split pattern and ignore_merges (Llama 3)

Models (written by transformers with random weights, spread far from their initialization so
every nonlinearity works in its curved range):
    gpt2_f32        GPT2LMHeadModel, F32, tied head, the gpt2 tokenizer
    llama_bf16      LlamaForCausalLM, BF16, grouped-query attention, tied head, RoPE base 100000,
                    the llama tokenizer (SmolLM-shaped)
    qwen2_f16       Qwen2ForCausalLM, F16, q/k/v biases, untied head, the qwen2 tokenizer
    llama_sharded   LlamaForCausalLM, F32, untied, in several shards, the llama_metaspace tokenizer
"""

import json
import os
import sys

import torch

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hf_text import corpus, test_texts  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CL100K_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
TRAIN_LINES = 4000
TEST_LINES = 1500


def special(content, normalized=False):
    return AddedToken(content, special=True, normalized=normalized)


def byte_level(pre_tokenizer, normalizer=None):
    """An untrained byte-level BPE with the given pre-tokenizer (GPT-2's family)."""
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return tok


def train_byte_level(tok, lines, vocab_size, leading_specials=()):
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=list(leading_specials), show_progress=False)
    tok.train_from_iterator(lines, trainer)
    return tok


def gpt2(lines):
    tok = train_byte_level(byte_level(pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)), lines, 900)
    tok.add_special_tokens([special("<|endoftext|>", normalized=True)])  # last id, as GPT-2's 50256
    config = {"tokenizer_class": "GPT2Tokenizer", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
              "unk_token": "<|endoftext|>", "add_prefix_space": False, "model_max_length": 1024}
    return tok, config


def smollm(lines):
    pre = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<repo_name>", "<file_sep>"]  # ids 0.., as SmolLM's
    tok = train_byte_level(byte_level(pre), lines, 1000, specials)
    config = {"tokenizer_class": "GPT2Tokenizer", "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
              "unk_token": "<|endoftext|>", "add_prefix_space": False, "model_max_length": 8192}
    return tok, config


def qwen2(lines):
    pre = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(QWEN2_PATTERN), "isolated"),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok = train_byte_level(byte_level(pre, normalizers.NFC()), lines, 1100)
    tok.add_special_tokens([special("<|endoftext|>"), special("<|im_start|>"), special("<|im_end|>")])
    tok.add_tokens([AddedToken("<tool_call>", special=False, normalized=False)])
    config = {"tokenizer_class": "Qwen2Tokenizer", "bos_token": None, "eos_token": "<|endoftext|>",
              "pad_token": "<|endoftext|>", "unk_token": None, "model_max_length": 32768, "errors": "replace"}
    return tok, config


def llama3(lines):
    pre = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(CL100K_PATTERN), "isolated"),
                                   pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok = train_byte_level(byte_level(pre), lines, 1200)
    spec = json.loads(tok.to_str())
    spec["model"]["ignore_merges"] = True
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.add_special_tokens([special("<|begin_of_text|>"), special("<|end_of_text|>")])
    tok.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                                       special_tokens=[("<|begin_of_text|>", tok.token_to_id("<|begin_of_text|>"))])
    config = {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>", "eos_token": "<|end_of_text|>",
              "model_max_length": 131072}
    return tok, config


def sentencepiece_style(lines, metaspace):
    """Llama's tokenizer as transformers converts a SentencePiece BPE model: <unk> <s> </s>, the
    256 byte tokens <0x00>..<0xFF>, then the pieces; characters outside the vocabulary fall back
    to their bytes. Trained with words split at "▁", then given Llama's pipeline."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=1300, special_tokens=["<unk>", "<s>", "</s>"], limit_alphabet=120,
                                  initial_alphabet=["▁"], show_progress=False)
    tok.train_from_iterator(lines, trainer)
    spec = json.loads(tok.to_str())
    trained = sorted(spec["model"]["vocab"].items(), key=lambda kv: kv[1])
    specials, pieces = trained[:3], trained[3:]
    vocab = {token: i for i, (token, _) in enumerate(specials)}
    vocab.update({f"<0x{b:02X}>": 3 + b for b in range(256)})
    vocab.update({token: 259 + i for i, (token, _) in enumerate(pieces)})
    spec["model"]["vocab"] = vocab
    for added in spec["added_tokens"]:
        added.update(normalized=False, special=True)
    if metaspace:
        spec["normalizer"] = None
        spec["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
    else:
        spec["pre_tokenizer"] = None
    spec["decoder"] = json.loads(decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                                    decoders.Strip(" ", 1, 0)]).__getstate__())
    spec["post_processor"] = json.loads(processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)]).__getstate__())
    config = {"tokenizer_class": "LlamaTokenizer", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>",
              "add_bos_token": True, "add_eos_token": False, "legacy": not metaspace, "model_max_length": 2048}
    return Tokenizer.from_str(json.dumps(spec)), config


KINDS = {
    "gpt2": gpt2,
    "smollm": smollm,
    "qwen2": qwen2,
    "llama": lambda lines: sentencepiece_style(lines, metaspace=False),
    "llama_metaspace": lambda lines: sentencepiece_style(lines, metaspace=True),
    "llama3": llama3,
}


def with_eos_config(tok, config):
    """llama_eos: the same tokenizer.json; the config asks for </s> after the text, no <s>."""
    config = dict(config, add_bos_token=False, add_eos_token=True)
    expected = Tokenizer.from_str(tok.to_str())
    expected.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))])
    return config, expected


def cases(tok, with_special):
    """The ids of the test texts; `with_special` gives those with the special tokens added
    (`tok` itself, or the tokenizer the config makes of it)."""
    specials = [t.content for t in tok.get_added_tokens_decoder().values()]
    out = []
    for text in test_texts(7, TEST_LINES, specials):
        plain = tok.encode(text, add_special_tokens=False).ids
        full = with_special.encode(text).ids
        out.append({"text": text, "ids": plain, "ids_with_special": full,
                    "decoded": tok.decode(full, skip_special_tokens=False),
                    "decoded_skip_special": tok.decode(full, skip_special_tokens=True)})
    return out


def write_tokenizers(out):
    """Writes every kind's files and cases; returns kind -> (tokenizer, config, with_special)."""
    lines = corpus(1, TRAIN_LINES)
    all_cases = {}
    made = {kind: make(lines) for kind, make in KINDS.items()}
    for kind, (tok, config) in list(made.items()):
        made[kind] = (tok, config, tok)
    tok, config, _ = made["llama_metaspace"]
    eos_config, eos_expected = with_eos_config(tok, config)
    made["llama_eos"] = (tok, eos_config, eos_expected)
    for kind, (tok, config, with_special) in made.items():
        folder = os.path.join(out, kind)
        os.makedirs(folder, exist_ok=True)
        tok.save(os.path.join(folder, "tokenizer.json"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=1)
        all_cases[kind] = cases(tok, with_special)
    with open(os.path.join(out, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump(all_cases, f, ensure_ascii=False)
    return made


def model_specs(tokenizers):
    """name -> (model, torch dtype, tokenizer kind, max shard size or None)."""
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM
    from transformers.utils import logging

    logging.disable_progress_bar()

    def vocab(kind):
        return tokenizers[kind][0].get_vocab_size(with_added_tokens=True)

    gpt2_model = GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=4, n_embd=64, n_positions=128, vocab_size=vocab("gpt2"),
                                            bos_token_id=0, eos_token_id=0))
    llama = LlamaForCausalLM(LlamaConfig(hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
                                         num_key_value_heads=2, vocab_size=vocab("llama"), max_position_embeddings=256,
                                         rope_theta=100000.0, tie_word_embeddings=True, rms_norm_eps=1e-5))
    qwen2 = Qwen2ForCausalLM(Qwen2Config(hidden_size=64, intermediate_size=160, num_hidden_layers=2, num_attention_heads=4,
                                         num_key_value_heads=2, vocab_size=vocab("qwen2"), max_position_embeddings=512,
                                         rope_theta=1000000.0, tie_word_embeddings=False))
    sharded = LlamaForCausalLM(LlamaConfig(hidden_size=48, intermediate_size=128, num_hidden_layers=3, num_attention_heads=6,
                                           num_key_value_heads=3, vocab_size=vocab("llama_metaspace"), max_position_embeddings=128,
                                           tie_word_embeddings=False))
    return {
        "gpt2_f32": (gpt2_model, torch.float32, "gpt2", None),
        "llama_bf16": (llama, torch.bfloat16, "llama", None),
        "qwen2_f16": (qwen2, torch.float16, "qwen2", None),
        "llama_sharded": (sharded, torch.float32, "llama_metaspace", "150KB"),
    }


def write_models(out, tokenizers):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    for name, (model, dtype, kind, shard) in model_specs(tokenizers).items():
        model.eval()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.3)
        model = model.to(dtype)
        folder = os.path.join(out, "models", name)
        os.makedirs(folder, exist_ok=True)
        kwargs = {"max_shard_size": shard} if shard else {}
        model.save_pretrained(folder, **kwargs)
        tok, config, _ = tokenizers[kind]
        tok.save(os.path.join(folder, "tokenizer.json"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=1)
        ids = tok.encode("Hello world, 123 ünïcödé 中文 😀!").ids[:24]
        # the reference runs what was saved, read back in float32 as a user of transformers
        # would (model.float() would keep RoPE's inverse frequencies rounded to `dtype`)
        reloaded = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        with torch.no_grad():
            logits = reloaded(torch.tensor([ids])).logits[0]
        state = model.state_dict()
        probe = {key: state[key].float().flatten()[:8].tolist() for key in list(state)[:6]}
        with open(os.path.join(folder, "reference.json"), "w", encoding="utf-8") as f:
            json.dump({"ids": ids, "logits": logits.tolist(), "tensors": probe}, f)


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "hf-fixtures"))
    os.makedirs(out, exist_ok=True)
    write_models(out, write_tokenizers(out))
    here = os.path.dirname(os.path.abspath(__file__))
    sources = [open(os.path.join(here, name), encoding="utf-8").read() for name in ("hf_fixtures.py", "hf_text.py")]
    with open(os.path.join(out, "stamp.txt"), "w", encoding="utf-8") as f:
        f.write("".join(sources))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
