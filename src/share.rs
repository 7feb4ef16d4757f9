//! Share links: a session's saved form, compressed (LZSS) and base64url-encoded into the URL
//! fragment, so no server is involved. Decoding refuses malformed or oversized input instead of
//! trusting it.

use crate::session::LoadError;

/// Links longer than this are too long for common limits (chat apps, some servers).
pub const MAX_LINK_CHARS: usize = 8000;
/// The most a share may expand to.
const MAX_DECODED: usize = 8 * 1024 * 1024;
const WINDOW: usize = 4096;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 18;

/// LZSS: groups of eight items behind a flag byte; a set bit is a back-reference of two bytes
/// (12-bit distance - 1, 4-bit length - 3), a clear bit a literal byte.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2 + 16);
    let mut heads: std::collections::HashMap<[u8; 3], Vec<usize>> = std::collections::HashMap::new();
    let mut i = 0;
    while i < data.len() {
        let flag_at = out.len();
        out.push(0u8);
        for bit in 0..8 {
            if i >= data.len() {
                break;
            }
            let mut best = (0usize, 0usize);
            if i + MIN_MATCH <= data.len() {
                let key = [data[i], data[i + 1], data[i + 2]];
                if let Some(cands) = heads.get(&key) {
                    for &p in cands.iter().rev().take(32) {
                        if i - p > WINDOW {
                            break;
                        }
                        let mut l = 0;
                        while l < MAX_MATCH && i + l < data.len() && data[p + l] == data[i + l] {
                            l += 1;
                        }
                        if l > best.1 {
                            best = (i - p, l);
                        }
                    }
                }
            }
            let step = if best.1 >= MIN_MATCH {
                out[flag_at] |= 1 << bit;
                let v = (((best.0 - 1) as u16) << 4) | (best.1 - MIN_MATCH) as u16;
                out.extend_from_slice(&v.to_be_bytes());
                best.1
            } else {
                out.push(data[i]);
                1
            };
            for j in i..i + step {
                if j + MIN_MATCH <= data.len() {
                    heads.entry([data[j], data[j + 1], data[j + 2]]).or_default().push(j);
                }
            }
            i += step;
        }
    }
    out
}

pub fn decompress(data: &[u8]) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let flags = data[i];
        i += 1;
        for bit in 0..8 {
            if i >= data.len() {
                break;
            }
            if flags & (1 << bit) != 0 {
                let v = u16::from_be_bytes([data[i], *data.get(i + 1)?]);
                i += 2;
                let dist = (v >> 4) as usize + 1;
                let len = (v & 0xf) as usize + MIN_MATCH;
                if dist > out.len() || out.len() + len > MAX_DECODED {
                    return None;
                }
                let start = out.len() - dist;
                for k in 0..len {
                    out.push(out[start + k]);
                }
            } else {
                if out.len() >= MAX_DECODED {
                    return None;
                }
                out.push(data[i]);
                i += 1;
            }
        }
    }
    Some(out)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

pub fn base64url(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 4 / 3 + 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..=c.len() {
            s.push(B64[(n >> (18 - 6 * k) & 63) as usize] as char);
        }
    }
    s
}

pub fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for ch in s.bytes() {
        let v = B64.iter().position(|b| *b == ch)? as u32;
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits & 0xff) as u8);
        }
    }
    Some(out)
}

/// The fragment for a saved session: `1.<data>`.
pub fn encode(json: &str) -> String {
    format!("1.{}", base64url(&compress(json.as_bytes())))
}

/// The saved session a fragment carries. A fragment of another link format (`2.<data>`) is a
/// `Version` error, anything else unreadable `Damaged`.
pub fn decode(fragment: &str) -> Result<String, LoadError> {
    let Some(data) = fragment.strip_prefix("1.") else {
        return Err(match fragment.split_once('.') {
            Some((v, _)) if !v.is_empty() && v.len() < 10 && v.bytes().all(|b| b.is_ascii_digit()) => {
                LoadError::Version(v.to_string())
            }
            _ => LoadError::Damaged,
        });
    };
    unbase64url(data)
        .and_then(|b| decompress(&b))
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(LoadError::Damaged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{starter_files, Session};

    #[test]
    fn a_session_round_trips_through_a_link_and_shrinks() {
        let mut s = Session::new(3, starter_files());
        s.run("kubectl apply -f deploy-test01.yml");
        s.tick(30);
        s.run("kubectl get all");
        let json = s.to_json();
        let link = encode(&json);
        // Each file text is in the saved form once; YAML's repeated keys still compress.
        let packed = compress(json.as_bytes()).len();
        assert!(packed * 4 < json.len() * 3, "{packed} of {}", json.len());
        assert!(link.len() < json.len(), "{} vs {}", link.len(), json.len());
        let back = decode(&link).expect("decodes");
        assert_eq!(back, json);
        let r = Session::from_json(&back).expect("replays");
        assert_eq!(r.transcript.last(), s.transcript.last());
    }

    #[test]
    fn hostile_fragments_are_refused() {
        assert_eq!(decode("1.!!!"), Err(LoadError::Damaged));
        assert_eq!(decode("2.AAAA"), Err(LoadError::Version("2".into())));
        assert_eq!(decode("x.AAAA"), Err(LoadError::Damaged));
        assert!(
            decompress(&[0xff, 0x00, 0x10]).is_none(),
            "a reference before any output"
        );
        // A reference chain that would expand past the limit.
        let mut bomb = vec![0u8, b'a'];
        for _ in 0..2_000_000 {
            bomb.extend_from_slice(&[
                0xff, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f, 0x00, 0x0f,
            ]);
        }
        assert!(decompress(&bomb).is_none());
        for s in ["", "1.", "1.A", "1.AB"] {
            let _ = decode(s);
        }
    }
}
