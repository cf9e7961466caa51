//! Hugging Face checkpoints (playground_core::hf): config.json of each architecture, the
//! safetensors weights (F32, F16, BF16; one file or shards) read whole and streamed in odd
//! chunks to the same values `transformers` wrote, every tensor a config needs found before
//! anything is allocated, and the refusals: a header that promises more than the file holds
//! (issue 26, item 4), a cut-short download, hostile indexes, configs it cannot run. Memory
//! estimates for SmolLM2-135M's and a 7B model's real shapes.

use playground_core::config::DeviceLimits;
use playground_core::hf::weights::read_all;
use playground_core::hf::{
    locate_tensors, HfArchitecture, HfBias, HfConfig, MemoryEstimate, SafetensorsHeader, ShardIndex, TensorInfo, WeightStream,
};
use playground_core::CoreError;
use playground_tests::{hf_config, hf_fixtures, hf_weight_files};
use serde_json::Value;

#[test]
fn fixture_models_read_to_the_values_transformers_wrote() {
    let Some(fixtures) = hf_fixtures() else { return };
    let models = [
        ("gpt2_f32", HfArchitecture::Gpt2, "F32", 1),
        ("llama_bf16", HfArchitecture::Llama, "BF16", 1),
        ("qwen2_f16", HfArchitecture::Qwen2, "F16", 1),
        ("llama_sharded", HfArchitecture::Llama, "F32", 5),
    ];
    for (name, architecture, dtype, shards) in models {
        let dir = fixtures.join("models").join(name);
        let config = hf_config(&dir);
        assert_eq!(config.architecture, architecture, "{name}");
        let (index, files) = hf_weight_files(&dir);
        assert_eq!(files.len(), shards, "{name}");
        let headers: Vec<SafetensorsHeader> =
            files.iter().map(|(f, bytes)| SafetensorsHeader::parse(f, bytes, bytes.len() as u64).unwrap()).collect();
        if let Some(index) = &index {
            index.check(&headers).unwrap();
        }
        let located = locate_tensors(&config, &headers).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(located.len(), config.tensors().len());
        let params: u64 = located.iter().map(|t| t.shape.iter().product::<usize>() as u64).sum();
        assert_eq!(params, config.param_count(), "{name}");
        assert!(headers.iter().flat_map(|h| &h.tensors).all(|t| t.dtype.name() == dtype), "{name}: not all {dtype}");

        // whole files, and the same files streamed in chunks of odd sizes
        let reference: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("reference.json")).unwrap()).unwrap();
        let mut checked = 0;
        for ((file, bytes), header) in files.iter().zip(&headers) {
            let (_, whole) = read_all(file, bytes).unwrap();
            for chunk in [1, 3, 7, 4093] {
                let total: usize = header.tensors.iter().map(|t| t.numel()).sum();
                let mut placements = Vec::new();
                let mut at = 0;
                for t in &header.tensors {
                    placements.push(Some(at));
                    at += t.numel();
                }
                let mut out = vec![f32::NAN; total];
                let mut stream = WeightStream::new(header, placements.clone(), total).unwrap();
                for piece in bytes.chunks(chunk) {
                    stream.push(piece, &mut out).unwrap();
                }
                stream.finish().unwrap();
                for (t, at) in header.tensors.iter().zip(placements) {
                    let at = at.unwrap();
                    assert_eq!(out[at..at + t.numel()], whole[&t.name][..], "{name}: {} streamed in chunks of {chunk}", t.name);
                }
            }
            for (tensor, values) in reference["tensors"].as_object().unwrap() {
                if let Some(got) = whole.get(tensor) {
                    let want: Vec<f32> = values.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
                    assert_eq!(got[..want.len()], want[..], "{name}: {tensor}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 5, "{name}: only {checked} tensors checked against transformers' values");
        println!(
            "{name}: {} tensors in {} file(s), {params} parameters, {dtype}: values equal to transformers'",
            located.len(),
            files.len()
        );
    }
    // the config's tensors are checked against the headers before anything is allocated
    let dir = fixtures.join("models/qwen2_f16");
    let (qwen2, (_, files)) = (hf_config(&dir), hf_weight_files(&dir));
    let header = SafetensorsHeader::parse(&files[0].0, &files[0].1, files[0].1.len() as u64).unwrap();
    let edited = |edit: &dyn Fn(&mut SafetensorsHeader)| {
        let mut h = header.clone();
        edit(&mut h);
        locate_tensors(&qwen2, &[h]).unwrap_err().to_string()
    };
    let bias = "model.layers.1.self_attn.k_proj.bias";
    let err = edited(&|h| h.tensors.retain(|t| t.name != bias));
    assert_eq!(err, format!("model.safetensors: tensor {bias:?}: is missing"));
    let err = edited(&|h| h.tensors.iter_mut().find(|t| t.name == bias).unwrap().shape = vec![31]);
    assert_eq!(err, format!("model.safetensors: tensor {bias:?}: has shape [31], but config.json makes it [32]"));
    let err = edited(&|h| h.tensors.iter_mut().find(|t| t.name == bias).unwrap().name = "model.layers.1.self_attn.o_proj.bias".into());
    assert!(err.contains("is missing"), "{err}");
    let err = edited(&|h| h.tensors.push(TensorInfo { name: "model.extra.weight".into(), ..h.tensors[0].clone() }));
    assert!(err.contains("tensor \"model.extra.weight\": has no place in a Qwen2 model"), "{err}");
    assert!(locate_tensors(&qwen2, &[]).is_err());

    let llama = hf_config(&fixtures.join("models/llama_bf16"));
    assert_eq!((llama.num_heads, llama.num_kv_heads, llama.rope_theta, llama.tie_word_embeddings), (4, 2, Some(100000.0), true));
    assert_eq!((llama.norm_eps, llama.intermediate_size, llama.bias), (1e-5, 176, HfBias::None));
    let qwen2 = hf_config(&fixtures.join("models/qwen2_f16"));
    assert_eq!(
        (qwen2.bias, qwen2.rope_theta, qwen2.tie_word_embeddings, qwen2.dtype.as_deref()),
        (HfBias::QkvOnly, Some(1e6), false, Some("float16"))
    );
}

/// A safetensors file of one F32 tensor `name` with this header JSON (offsets as given).
fn file_with_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut json = header.to_string();
    while !json.len().is_multiple_of(8) {
        json.push(' ');
    }
    [(json.len() as u64).to_le_bytes().to_vec(), json.into_bytes(), data.to_vec()].concat()
}

fn header_error(bytes: &[u8]) -> String {
    SafetensorsHeader::parse("model.safetensors", bytes, bytes.len() as u64).unwrap_err().to_string()
}

#[test]
fn headers_that_promise_more_than_the_file_holds_are_refused_before_allocating() {
    // issue 26, item 4: a small file whose header declares GPT-2's embedding in no bytes
    let zero = file_with_header(r#"{"wte.weight":{"dtype":"F32","shape":[50257,768],"data_offsets":[0,0]}}"#, &[]);
    assert!(header_error(&zero).contains("needs 154389504 bytes but its offsets [0, 0] hold 0"), "{}", header_error(&zero));
    let short = file_with_header(r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, &[0; 8]);
    assert!(header_error(&short).contains("promises 16 bytes of tensor data, but the file holds 8"), "{}", header_error(&short));
    let trailing = file_with_header(r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, &[0; 12]);
    assert!(header_error(&trailing).contains("holds 12 bytes of data, 8 more than its tensors"), "{}", header_error(&trailing));
    let gap = file_with_header(r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, &[0; 8]);
    assert!(header_error(&gap).contains("starts at byte 4 of the data, but the data before it ends at 0"), "{}", header_error(&gap));
    let twice = file_with_header(
        r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
        &[0; 8],
    );
    assert!(header_error(&twice).contains("\"a\" is listed twice"), "{}", header_error(&twice));
    let huge = file_with_header(r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}"#, &[0; 4]);
    assert!(header_error(&huge).contains("impossible shape"), "{}", header_error(&huge));
    let mut claims = file_with_header(r#"{}"#, &[]);
    claims[..8].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(header_error(&claims).contains("the header claims 1099511627776 bytes"), "{}", header_error(&claims));
    let far = file_with_header(r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[18446744073709551611,18446744073709551615]}}"#, &[0; 4]);
    assert!(header_error(&far).contains("impossible offsets [18446744073709551611, 18446744073709551615]"), "{}", header_error(&far));
    let unknown = file_with_header(r#"{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}"#, &[0]);
    assert!(header_error(&unknown).contains("unknown dtype \"Q4\""), "{}", header_error(&unknown));

    // a download cut short is noticed when the stream ends; non-finite values are refused
    let ok = file_with_header(r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, &[0, 0, 128, 63, 0, 0, 192, 127]);
    let header = SafetensorsHeader::parse("m.safetensors", &ok, ok.len() as u64).unwrap();
    let mut out = vec![0.0; 2];
    let mut stream = WeightStream::new(&header, vec![Some(0)], 2).unwrap();
    stream.push(&ok[..ok.len() - 4], &mut out).unwrap();
    assert_eq!(out[0], 1.0);
    let cut = format!("only {} of its {} bytes arrived", ok.len() - 4, ok.len());
    assert!(stream.finish().unwrap_err().to_string().contains(&cut));
    let mut stream = WeightStream::new(&header, vec![Some(0)], 2).unwrap();
    assert!(stream.push(&ok, &mut out).unwrap_err().to_string().contains("tensor \"a\" holds NaN at index 1"));
    assert!(WeightStream::new(&header, vec![Some(1)], 2).is_err(), "a placement past the end of the output");
    let empty = file_with_header("{}", &[]);
    assert!(read_all("empty.safetensors", &empty).unwrap().1.is_empty(), "a file without tensors reads as none");
    let one = file_with_header(r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, &[0, 0, 128, 63]);
    let header = SafetensorsHeader::parse("one.safetensors", &one, one.len() as u64).unwrap();
    let mut stream = WeightStream::new(&header, vec![Some(0)], 1).unwrap();
    let longer = [&one[..], &[0; 4][..]].concat();
    let err = stream.push(&longer, &mut out).unwrap_err().to_string();
    assert!(err.contains(&format!("more than the {} bytes", one.len())), "{err}");
    let mask = file_with_header(r#"{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}"#, &[1, 0, 1]);
    let header = SafetensorsHeader::parse("m.safetensors", &mask, mask.len() as u64).unwrap();
    assert!(WeightStream::new(&header, vec![None], 0).is_ok(), "a skipped mask buffer is fine");
    let err = WeightStream::new(&header, vec![Some(0)], 3).err().unwrap();
    assert!(matches!(&err, CoreError::HfUnsupported { field, value, .. } if field == "m.dtype" && value == "BOOL"), "{err}");
}

#[test]
fn shard_indexes_name_plain_files_that_hold_what_they_say() {
    let err = ShardIndex::from_json(r#"{"weight_map": {"a": "../../etc/passwd.safetensors"}}"#).unwrap_err();
    assert!(err.to_string().contains("weight_map.a: \"../../etc/passwd.safetensors\" is not a plain .safetensors file name"), "{err}");
    assert!(ShardIndex::from_json(r#"{"weight_map": {"a": "https://elsewhere.example/x.safetensors"}}"#).is_err());
    assert!(ShardIndex::from_json(r#"{"weight_map": {}}"#).is_err());
    let index = ShardIndex::from_json(r#"{"metadata": {"total_size": 8}, "weight_map": {"a": "one.safetensors", "b": "two.safetensors"}}"#)
        .unwrap();
    assert_eq!((index.files.len(), index.total_size), (2, Some(8)));
    let one = |name: &str, file: &str| {
        let bytes = file_with_header(&format!(r#"{{"{name}":{{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}}}"#), &[0; 4]);
        SafetensorsHeader::parse(file, &bytes, bytes.len() as u64).unwrap()
    };
    index.check(&[one("a", "one.safetensors"), one("b", "two.safetensors")]).unwrap();
    let err = index.check(&[one("a", "one.safetensors"), one("c", "two.safetensors")]).unwrap_err();
    assert!(err.to_string().contains("two.safetensors has no tensor \"b\""), "{err}");
}

/// SmolLM2-135M's config.json as the hub has it (transformers 4.x spelling).
const SMOLLM2_135M: &str = r#"{"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 0, "eos_token_id": 0,
  "hidden_act": "silu", "hidden_size": 576, "initializer_range": 0.041666666666666664, "intermediate_size": 1536,
  "is_llama_config": true, "max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 9,
  "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_interleaved": false,
  "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "transformers_version": "4.40.1", "use_cache": true, "vocab_size": 49152}"#;

#[test]
fn configs_map_to_typed_fields_and_refusals_name_field_and_value() {
    let smol = HfConfig::from_json(SMOLLM2_135M).unwrap();
    assert_eq!((smol.num_kv_heads, smol.head_dim, smol.rope_theta, smol.dtype.as_deref()), (3, 64, Some(100000.0), Some("bfloat16")));
    assert_eq!(smol.param_count(), 134_515_008); // SmolLM2-135M's published count

    let edit = |from: &str, to: &str| {
        assert!(SMOLLM2_135M.contains(from), "{from}");
        HfConfig::from_json(&SMOLLM2_135M.replace(from, to)).unwrap_err().to_string()
    };
    let cases = [
        (r#""model_type": "llama""#, r#""model_type": "mistral""#, "config.json: model_type = \"mistral\" is not supported"),
        (
            r#""rope_scaling": null"#,
            r#""rope_scaling": {"rope_type": "llama3", "factor": 8.0}"#,
            "rope_scaling.rope_type = \"llama3\" is not supported",
        ),
        (
            r#""rope_scaling": null"#,
            r#""rope_scaling": {"type": "linear", "factor": 2.0}"#,
            "rope_scaling.type = \"linear\" is not supported",
        ),
        (r#""attention_bias": false"#, r#""attention_bias": true"#, "attention_bias = true is not supported"),
        (r#""hidden_act": "silu""#, r#""hidden_act": "gelu""#, "hidden_act = \"gelu\" is not supported"),
        (r#""num_key_value_heads": 3"#, r#""num_key_value_heads": 2"#, "num_key_value_heads: 2 does not divide num_attention_heads = 9"),
        (r#""num_key_value_heads": 3"#, r#""num_key_value_heads": 3, "head_dim": 128"#, "head_dim = 128 is not supported"),
        (
            r#""architectures": ["LlamaForCausalLM"]"#,
            r#""architectures": ["LlamaForSequenceClassification"]"#,
            "architectures[0] = \"LlamaForSequenceClassification\"",
        ),
        (
            r#""vocab_size": 49152"#,
            r#""vocab_size": 300000"#,
            "vocab_size = 300000 is not supported: the playground supports at most 262144",
        ),
        (r#""hidden_size": 576, "#, "", "config.json: hidden_size: missing"),
        (r#""rms_norm_eps": 1e-05"#, r#""rms_norm_eps": -1"#, "rms_norm_eps = -1 is not supported"),
        (r#""rope_theta": 100000"#, r#""rope_theta": "big""#, "config.json is not valid"),
    ];
    for (from, to, message) in cases {
        let err = edit(from, to);
        assert!(err.contains(message), "{to}: {err}");
    }
    // transformers 5.x spelling, and Qwen2's sliding window
    let v5 = SMOLLM2_135M.replace(r#""rope_theta": 100000,"#, r#""rope_parameters": {"rope_type": "default", "rope_theta": 5e5},"#);
    assert_eq!(HfConfig::from_json(&v5).unwrap().rope_theta, Some(5e5));
    let qwen = SMOLLM2_135M
        .replace(r#""model_type": "llama""#, r#""model_type": "qwen2", "use_sliding_window": true"#)
        .replace("LlamaForCausalLM", "Qwen2ForCausalLM");
    assert!(HfConfig::from_json(&qwen).unwrap_err().to_string().contains("use_sliding_window = true is not supported"));
    let gpt2 = r#"{"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12, "n_head": 12}"#;
    assert_eq!(HfConfig::from_json(gpt2).unwrap().param_count(), 124_439_808); // GPT-2 small
    let err =
        HfConfig::from_json(&gpt2.replace("\"n_head\": 12", "\"n_head\": 12, \"scale_attn_by_inverse_layer_idx\": true")).unwrap_err();
    assert!(err.to_string().contains("scale_attn_by_inverse_layer_idx = true is not supported"), "{err}");
}

#[test]
fn memory_estimates_refuse_what_wasm32_or_the_device_cannot_hold() {
    let smol = HfConfig::from_json(SMOLLM2_135M).unwrap();
    let at_512 = MemoryEstimate::new(&smol, None, 512);
    assert_eq!(at_512.download_bytes, 134_515_008 * 2, "bf16 on the hub");
    assert_eq!(at_512.weights_bytes, 134_515_008 * 4);
    at_512.check(&smol, Some(&DeviceLimits::WEBGPU_DEFAULT)).unwrap();
    // 768 tokens of logits over 49,152 tokens: 150,994,944 bytes, past the default 128 MiB binding
    let at_768 = MemoryEstimate::new(&smol, None, 768);
    at_768.check(&smol, None).unwrap();
    let err = at_768.check(&smol, Some(&DeviceLimits::WEBGPU_DEFAULT)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "config does not fit this device: logits (T×V) needs 150994944 but the device allows 134217728 (maxStorageBufferBindingSize)"
    );
    // a full trace of its 2048-token context: 30 layers of 9 attention maps of 2048² are 9 GB
    let err = MemoryEstimate::new(&smol, None, 2048).check(&smol, None).unwrap_err();
    assert!(err.to_string().contains("(wasm32 memory (4 GiB))"), "{err}");
    // Qwen2-7B's shape: 7.6 billion parameters are 30 GB as f32
    let qwen7b = r#"{"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944,
        "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4, "vocab_size": 152064, "rope_theta": 1000000.0,
        "tie_word_embeddings": false, "torch_dtype": "bfloat16", "max_position_embeddings": 32768}"#;
    let qwen7b = HfConfig::from_json(qwen7b).unwrap();
    assert_eq!(qwen7b.param_count(), 7_615_616_512); // Qwen2-7B's published count
    let err = MemoryEstimate::new(&qwen7b, None, 64).check(&qwen7b, None).unwrap_err();
    assert!(err.to_string().contains("7615616512 parameters as f32") && err.to_string().contains("(wasm32 memory (4 GiB))"), "{err}");
}
