//! Safetensors weights as the hub stores them: one `model.safetensors`, or shards listed by
//! `model.safetensors.index.json`. Read as they arrive, into f32.
//!
//! A file is an 8-byte little-endian header length n, n bytes of JSON (each tensor's dtype,
//! shape and byte range in the data section; optional `__metadata__`), then the data.
//! [`SafetensorsHeader::parse`] checks every promise of the header against the file's
//! length before anything is allocated: each tensor's range holds exactly its shape's
//! elements, the ranges tile the data section, and the data section is as long as the file
//! says. So a file whose header claims more than it holds is refused for the cost of its
//! header. [`WeightStream`] then turns the data, chunk by chunk as a download delivers it,
//! into f32 values placed where the caller wants them (F16 and BF16 widened on the way),
//! so a model is never held both as its file and as its f32 weights.

use crate::error::CoreError;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The largest header read (the `safetensors` crate's limit too).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// A tensor's element type. F32, F16 and BF16 are read; the others are known by size only,
/// so a file holding them (GPT-2's boolean mask buffers, say) still has its sizes checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeightDtype {
    F32,
    F16,
    BF16,
    Other { name: String, bytes: u64 },
}

impl WeightDtype {
    fn parse(name: &str) -> Option<WeightDtype> {
        Some(match name {
            "F32" => WeightDtype::F32,
            "F16" => WeightDtype::F16,
            "BF16" => WeightDtype::BF16,
            "BOOL" | "U8" | "I8" | "F8_E4M3" | "F8_E5M2" | "F8_E8M0" | "F4" | "F6_E2M3" | "F6_E3M2" => {
                WeightDtype::Other { name: name.into(), bytes: 1 }
            }
            "I16" | "U16" => WeightDtype::Other { name: name.into(), bytes: 2 },
            "I32" | "U32" => WeightDtype::Other { name: name.into(), bytes: 4 },
            "I64" | "U64" | "F64" => WeightDtype::Other { name: name.into(), bytes: 8 },
            _ => return None,
        })
    }

    /// Bytes per element.
    pub fn size(&self) -> u64 {
        match self {
            WeightDtype::F32 => 4,
            WeightDtype::F16 | WeightDtype::BF16 => 2,
            WeightDtype::Other { bytes, .. } => *bytes,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            WeightDtype::F32 => "F32",
            WeightDtype::F16 => "F16",
            WeightDtype::BF16 => "BF16",
            WeightDtype::Other { name, .. } => name,
        }
    }
}

/// One tensor of a file's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorInfo {
    pub name: String,
    pub dtype: WeightDtype,
    pub shape: Vec<usize>,
    /// Byte range in the file (the data section's offsets plus the header's end).
    pub start: u64,
    pub end: u64,
}

impl TensorInfo {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
}

/// A safetensors file's header, checked against the file's length.
#[derive(Clone, Debug, PartialEq)]
pub struct SafetensorsHeader {
    pub file: String,
    /// In the order of their data.
    pub tensors: Vec<TensorInfo>,
    pub metadata: BTreeMap<String, String>,
    pub file_len: u64,
}

fn refuse(file: &str, reason: impl Into<String>) -> CoreError {
    CoreError::HfInvalid { file: file.into(), field: "safetensors header".into(), reason: reason.into() }
}

impl SafetensorsHeader {
    /// How many bytes from the file's start hold the header (8 + its length), from the
    /// first 8 bytes; refused if the header cannot fit in a file of `file_len` bytes.
    pub fn prefix_len(file: &str, first_bytes: &[u8], file_len: u64) -> Result<u64, CoreError> {
        let Some(len) = first_bytes.get(..8) else {
            return Err(refuse(file, format!("the file holds {file_len} bytes; a safetensors file starts with 8 bytes of header length")));
        };
        let n = u64::from_le_bytes(len.try_into().expect("8 bytes"));
        if n > MAX_HEADER_BYTES {
            return Err(refuse(file, format!("the header claims {n} bytes; at most {MAX_HEADER_BYTES} are read")));
        }
        if 8 + n > file_len {
            return Err(refuse(file, format!("the header claims {n} bytes, but the file holds {file_len} bytes in all")));
        }
        Ok(8 + n)
    }

    /// Parses the header from the file's first bytes (at least [`Self::prefix_len`] of
    /// them) and checks it against the file's length `file_len`.
    pub fn parse(file: &str, prefix: &[u8], file_len: u64) -> Result<SafetensorsHeader, CoreError> {
        let header_end = Self::prefix_len(file, prefix, file_len)?;
        let json = prefix
            .get(8..header_end as usize)
            .ok_or_else(|| refuse(file, format!("only {} bytes of the header were given", prefix.len())))?;
        let json = std::str::from_utf8(json).map_err(|e| refuse(file, format!("the header is not UTF-8 ({e})")))?;
        let Entries { tensors: raw, metadata } =
            serde_json::from_str(json).map_err(|e| refuse(file, format!("the header is not valid JSON ({e})")))?;

        let mut tensors = Vec::with_capacity(raw.len());
        for (name, entry) in raw {
            let dtype = WeightDtype::parse(&entry.dtype)
                .ok_or_else(|| refuse(file, format!("tensor {name:?} has the unknown dtype {:?}", entry.dtype)))?;
            // at most what this target can index (every dimension then fits a usize too)
            let numel = entry.shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d)).filter(|&n| n <= usize::MAX as u64);
            let numel = numel.ok_or_else(|| refuse(file, format!("tensor {name:?} has the impossible shape {:?}", entry.shape)))?;
            let [start, end] = entry.data_offsets;
            if header_end.checked_add(end).is_none() {
                return Err(refuse(file, format!("tensor {name:?} has the impossible offsets [{start}, {end}]")));
            }
            if start > end || end - start != numel * dtype.size() {
                return Err(refuse(
                    file,
                    format!(
                        "tensor {name:?} ({} {:?}) needs {} bytes but its offsets [{start}, {end}] hold {}",
                        dtype.name(),
                        entry.shape,
                        numel * dtype.size(),
                        end.saturating_sub(start)
                    ),
                ));
            }
            let shape = entry.shape.iter().map(|&d| d as usize).collect();
            tensors.push(TensorInfo { name, dtype, shape, start: header_end + start, end: header_end + end });
        }
        tensors.sort_by_key(|t| t.start);
        // the tensors tile the data section: each starts where the one before ends
        let mut at = header_end;
        for t in &tensors {
            if t.start != at {
                return Err(refuse(
                    file,
                    format!(
                        "tensor {:?} starts at byte {} of the data, but the data before it ends at {}",
                        t.name,
                        t.start - header_end,
                        at - header_end
                    ),
                ));
            }
            at = t.end;
        }
        if at != file_len {
            let (claimed, held) = (at - header_end, file_len - header_end);
            return Err(if claimed > held {
                refuse(file, format!("the header promises {claimed} bytes of tensor data, but the file holds {held}: is it cut short?"))
            } else {
                refuse(file, format!("the file holds {held} bytes of data, {} more than its tensors", held - claimed))
            });
        }
        Ok(SafetensorsHeader { file: file.into(), tensors, metadata, file_len })
    }

    pub fn tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

/// A header's entries: tensors in file order (a name listed twice refused), and metadata.
struct Entries {
    tensors: Vec<(String, TensorEntry)>,
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TensorEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of tensor name -> {dtype, shape, data_offsets}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Entries { tensors: Vec::new(), metadata: BTreeMap::new() };
                let mut seen = std::collections::HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(serde::de::Error::custom(format!("{key:?} is listed twice")));
                    }
                    if key == "__metadata__" {
                        entries.metadata = map.next_value()?;
                    } else {
                        entries.tensors.push((key, map.next_value()?));
                    }
                }
                Ok(entries)
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// Turns a file's bytes, fed in order in chunks of any size, into f32 values placed where
/// the caller wants each tensor: `placements[i]` is the offset in `out` of tensor i of the
/// header (in data order), or `None` to skip it. Only the few bytes of an element split
/// between two chunks are kept between calls.
pub struct WeightStream<'h> {
    header: &'h SafetensorsHeader,
    placements: Vec<Option<usize>>,
    pos: u64,       // bytes of the file seen so far
    carry: Vec<u8>, // the start of an element cut by the end of the last chunk
    tensor: usize,  // the tensor `pos` is in (or past the last)
}

impl<'h> WeightStream<'h> {
    /// Checks the placements: every placed tensor is F32, F16 or BF16 and fits `out_len`.
    pub fn new(header: &'h SafetensorsHeader, placements: Vec<Option<usize>>, out_len: usize) -> Result<WeightStream<'h>, CoreError> {
        assert_eq!(placements.len(), header.tensors.len(), "one placement per tensor of the header");
        for (t, place) in header.tensors.iter().zip(&placements) {
            let Some(offset) = place else { continue };
            if let WeightDtype::Other { name, .. } = &t.dtype {
                return Err(CoreError::HfUnsupported {
                    file: header.file.clone(),
                    field: format!("{}.dtype", t.name),
                    value: name.clone(),
                    reason: "weights are read from F32, F16 and BF16".into(),
                });
            }
            if offset.checked_add(t.numel()).is_none_or(|end| end > out_len) {
                return Err(refuse(&header.file, format!("tensor {:?} placed at {offset} does not fit {out_len} values", t.name)));
            }
        }
        Ok(WeightStream { header, placements, pos: 0, carry: Vec::new(), tensor: 0 })
    }

    /// Consumes the next bytes of the file.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut [f32]) -> Result<(), CoreError> {
        while !chunk.is_empty() {
            if self.pos >= self.header.file_len {
                return Err(refuse(
                    &self.header.file,
                    format!("more than the {} bytes the file was said to hold arrived", self.header.file_len),
                ));
            }
            let t = match self.header.tensors.get(self.tensor) {
                Some(t) if self.pos >= t.start => t,
                next => {
                    // the header's bytes: already parsed
                    let until = next.map_or(self.header.file_len, |t| t.start);
                    let skip = (until - self.pos).min(chunk.len() as u64) as usize;
                    self.pos += skip as u64;
                    chunk = &chunk[skip..];
                    continue;
                }
            };
            let take = (t.end - self.pos).min(chunk.len() as u64) as usize;
            if let Some(offset) = self.placements[self.tensor] {
                self.convert(t, offset, &chunk[..take], out)?;
            }
            self.pos += take as u64;
            chunk = &chunk[take..];
            if self.pos == t.end {
                self.tensor += 1;
            }
        }
        Ok(())
    }

    /// Widens `bytes` (the next bytes of tensor `t`) into `out`.
    fn convert(&mut self, t: &TensorInfo, offset: usize, bytes: &[u8], out: &mut [f32]) -> Result<(), CoreError> {
        let size = t.dtype.size() as usize;
        let done = (self.pos - t.start) as usize; // bytes of this tensor before `bytes`
        let mut index = done / size; // element the next whole element is
        let mut rest = bytes;
        if !self.carry.is_empty() {
            let need = (size - self.carry.len()).min(rest.len());
            self.carry.extend_from_slice(&rest[..need]);
            rest = &rest[need..];
            if self.carry.len() < size {
                return Ok(());
            }
            let element = std::mem::take(&mut self.carry);
            out[offset + index] = self.widen(t, &element, index)?;
            index += 1;
        }
        let whole = rest.len() / size * size;
        for (i, element) in rest[..whole].chunks_exact(size).enumerate() {
            out[offset + index + i] = self.widen(t, element, index + i)?;
        }
        self.carry.extend_from_slice(&rest[whole..]);
        Ok(())
    }

    fn widen(&self, t: &TensorInfo, b: &[u8], index: usize) -> Result<f32, CoreError> {
        let value = match t.dtype {
            WeightDtype::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            WeightDtype::F16 => f16_to_f32(u16::from_le_bytes([b[0], b[1]])),
            WeightDtype::BF16 => bf16_to_f32(u16::from_le_bytes([b[0], b[1]])),
            WeightDtype::Other { .. } => unreachable!("WeightStream::new refuses other dtypes where they are placed"),
        };
        if !value.is_finite() {
            return Err(refuse(&self.header.file, format!("tensor {:?} holds {value} at index {index}", t.name)));
        }
        Ok(value)
    }

    /// Checks that the whole file arrived.
    pub fn finish(self) -> Result<(), CoreError> {
        if self.pos != self.header.file_len {
            return Err(refuse(
                &self.header.file,
                format!("only {} of its {} bytes arrived: the download was cut short", self.pos, self.header.file_len),
            ));
        }
        Ok(())
    }
}

/// Every tensor of a file in memory, as f32, by name (for native tools and tests; the page
/// streams with [`WeightStream`]).
pub fn read_all(file: &str, bytes: &[u8]) -> Result<(SafetensorsHeader, HashMap<String, Vec<f32>>), CoreError> {
    let header = SafetensorsHeader::parse(file, bytes, bytes.len() as u64)?;
    let mut offsets = Vec::with_capacity(header.tensors.len());
    let mut total = 0;
    for t in &header.tensors {
        offsets.push(Some(total));
        total += t.numel();
    }
    let mut out = vec![0.0; total];
    let mut stream = WeightStream::new(&header, offsets.clone(), total)?;
    stream.push(bytes, &mut out)?;
    stream.finish()?;
    let tensors =
        header.tensors.iter().zip(offsets).map(|(t, o)| (t.name.clone(), out[o.unwrap()..o.unwrap() + t.numel()].to_vec())).collect();
    Ok((header, tensors))
}

/// IEEE half precision to single: sign, 5-bit exponent (bias 15), 10-bit mantissa.
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let mant = (h & 0x3ff) as u32;
    let bits = match (exp, mant) {
        (0, 0) => sign,
        // subnormal: mant·2⁻²⁴
        (0, m) => {
            let magnitude = m as f32 * 2f32.powi(-24);
            return if sign != 0 { -magnitude } else { magnitude };
        }
        (0x1f, m) => sign | 0x7f80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

/// bfloat16 is the top half of an f32.
pub(crate) fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// `model.safetensors.index.json`: which file holds each tensor of a sharded model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardIndex {
    /// The shard files, in the order they are first named.
    pub files: Vec<String>,
    /// Tensor name -> index into `files`.
    pub weight_map: HashMap<String, usize>,
    /// `metadata.total_size` where given: the tensors' bytes, for the download estimate.
    pub total_size: Option<u64>,
}

pub const INDEX_JSON: &str = "model.safetensors.index.json";

impl ShardIndex {
    pub fn from_json(json: &str) -> Result<ShardIndex, CoreError> {
        #[derive(Deserialize)]
        struct IndexFile {
            metadata: Option<IndexMetadata>,
            weight_map: BTreeMap<String, String>,
        }
        #[derive(Deserialize)]
        struct IndexMetadata {
            total_size: Option<u64>,
        }
        let index: IndexFile =
            serde_json::from_str(json).map_err(|e| CoreError::HfJson { file: INDEX_JSON.into(), message: e.to_string() })?;
        let mut files: Vec<String> = Vec::new();
        let mut weight_map = HashMap::with_capacity(index.weight_map.len());
        for (tensor, file) in index.weight_map {
            // a plain file name: it becomes part of a URL or a path
            let plain = !file.is_empty()
                && file.ends_with(".safetensors")
                && file.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                && !file.starts_with('.');
            if !plain {
                return Err(CoreError::HfInvalid {
                    file: INDEX_JSON.into(),
                    field: format!("weight_map.{tensor}"),
                    reason: format!("{file:?} is not a plain .safetensors file name"),
                });
            }
            let at = match files.iter().position(|f| *f == file) {
                Some(at) => at,
                None => {
                    files.push(file);
                    files.len() - 1
                }
            };
            weight_map.insert(tensor, at);
        }
        if files.is_empty() {
            return Err(CoreError::HfInvalid { file: INDEX_JSON.into(), field: "weight_map".into(), reason: "it names no tensor".into() });
        }
        Ok(ShardIndex { files, weight_map, total_size: index.metadata.and_then(|m| m.total_size) })
    }

    /// Checks the shards' headers (in the order of `files`) against the index: each tensor
    /// in the file the index names, and no tensor the index does not list.
    pub fn check(&self, headers: &[SafetensorsHeader]) -> Result<(), CoreError> {
        assert_eq!(headers.len(), self.files.len(), "one header per shard");
        let invalid = |field: String, reason: String| CoreError::HfInvalid { file: INDEX_JSON.into(), field, reason };
        for (name, &at) in &self.weight_map {
            if headers[at].tensor(name).is_none() {
                return Err(invalid(format!("weight_map.{name}"), format!("{} has no tensor {name:?}", self.files[at])));
            }
        }
        for (at, header) in headers.iter().enumerate() {
            if let Some(t) = header.tensors.iter().find(|t| self.weight_map.get(&t.name) != Some(&at)) {
                return Err(invalid(
                    "weight_map".into(),
                    format!("{} holds {:?}, which the index does not place there", self.files[at], t.name),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_widens_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x8001), -(2f32.powi(-24)));
        assert!(f16_to_f32(0x7c00).is_infinite());
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
        assert_eq!(bf16_to_f32(0xc0a0), -5.0);
    }
}
