//! Telling what a file is from its bytes, not its name: back offices name tab-separated
//! text `.xls`, and users rename files.

use serde::Serialize;
use std::io::Read;

/// How a text export is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, as Excel's "CSV UTF-8" writes it.
    Utf8Bom,
    /// GB18030, the superset of GBK and GB2312 that Taobao's exports use.
    Gb18030,
    /// UTF-16 with a byte-order mark, as Excel's "Unicode text" writes it.
    Utf16,
}

/// What kind of file an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FileFormat {
    /// Delimited text.
    Text {
        /// The detected encoding.
        encoding: TextEncoding,
        /// The field separator: `,` or a tab.
        delimiter: u8,
    },
    /// An Office Open XML workbook (`.xlsx`).
    Xlsx,
    /// A legacy binary workbook (`.xls`).
    Xls,
}

/// How much is read at a time while validating UTF-8.
///
/// 64 KiB keeps the sniffing pass in the CPU cache and well under a millisecond per chunk,
/// while a 100 MB export still needs only a few thousand reads.
const SNIFF_CHUNK: usize = 64 * 1024;

/// Decides the format of a file by reading it once, in bounded memory.
///
/// A file is taken as UTF-8 only if all of it is valid UTF-8: a GBK export whose first
/// thousand rows happen to be ASCII must not be decoded as UTF-8 further down.
pub fn sniff(mut reader: impl Read) -> std::io::Result<FileFormat> {
    let mut buf = vec![0u8; SNIFF_CHUNK];
    let mut filled = 0;
    // Read the first chunk whole so that magic numbers and the first line are in it.
    while filled < buf.len() {
        let n = reader.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let head = &buf[..filled];
    if head.starts_with(b"PK\x03\x04") {
        return Ok(FileFormat::Xlsx);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(FileFormat::Xls);
    }
    let delimiter = sniff_delimiter(head);
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Ok(FileFormat::Text {
            encoding: TextEncoding::Utf16,
            delimiter,
        });
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(FileFormat::Text {
            encoding: TextEncoding::Utf8Bom,
            delimiter,
        });
    }
    let mut carry: Vec<u8> = Vec::with_capacity(SNIFF_CHUNK + 4);
    carry.extend_from_slice(head);
    let mut at_end = filled < buf.len();
    loop {
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_none() && !at_end => {
                // A character is cut by the chunk boundary: keep its first bytes.
                let keep = carry.split_off(e.valid_up_to());
                carry = keep;
            }
            Err(_) => {
                return Ok(FileFormat::Text {
                    encoding: TextEncoding::Gb18030,
                    delimiter,
                });
            }
        }
        if at_end {
            return Ok(FileFormat::Text {
                encoding: TextEncoding::Utf8,
                delimiter,
            });
        }
        let n = reader.read(&mut buf)?;
        if n == 0 {
            at_end = true;
        }
        carry.extend_from_slice(&buf[..n]);
    }
}

/// Tab-separated if the first line has more tabs than commas. Both bytes are ASCII and
/// never occur inside a GBK or UTF-8 multi-byte character, so counting raw bytes is safe.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let first_line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let tabs = first_line.iter().filter(|b| **b == b'\t').count();
    let commas = first_line.iter().filter(|b| **b == b',').count();
    if tabs > commas { b'\t' } else { b',' }
}

/// Words in an export's file name that say it came from Tmall's seller backend; any other
/// name is taken for Taobao, where most small shops sell. Tmall's backend names its files
/// 天猫…, and shops that rename them tend to keep "tmall".
pub const TMALL_FILE_WORDS: &[&str] = &["天猫", "tmall"];

/// The platform an export probably came from, by its file name (the platform is not in
/// the file's columns); the person importing can say otherwise.
pub fn guess_platform(file_name: &str) -> afterdesk_case::Platform {
    let name = file_name.to_lowercase();
    if TMALL_FILE_WORDS.iter().any(|w| name.contains(w)) {
        afterdesk_case::Platform::Tmall
    } else {
        afterdesk_case::Platform::Taobao
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::tmall_chinese("天猫退款导出.csv", afterdesk_case::Platform::Tmall)]
    #[case::tmall_any_case("TMALL_refunds_2026.xlsx", afterdesk_case::Platform::Tmall)]
    #[case::taobao("淘宝退款导出.csv", afterdesk_case::Platform::Taobao)]
    #[case::anything_else("export.csv", afterdesk_case::Platform::Taobao)]
    fn the_file_name_gives_the_platform(
        #[case] name: &str,
        #[case] want: afterdesk_case::Platform,
    ) {
        assert_eq!(
            guess_platform(name),
            want,
            "{name}: a Tmall word in the name means Tmall, anything else Taobao"
        );
    }

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[rstest]
    #[case::utf8("退款编号,订单编号\n1,2\n".as_bytes().to_vec(), TextEncoding::Utf8)]
    #[case::bom([&[0xEF, 0xBB, 0xBF][..], "退款编号\n".as_bytes()].concat(), TextEncoding::Utf8Bom)]
    #[case::gbk(gbk("退款编号,订单编号\n1,2\n"), TextEncoding::Gb18030)]
    #[case::utf16(vec![0xFF, 0xFE, b'a', 0], TextEncoding::Utf16)]
    fn detects_encodings(#[case] bytes: Vec<u8>, #[case] want: TextEncoding) {
        match sniff(bytes.as_slice()).unwrap() {
            FileFormat::Text { encoding, .. } => assert_eq!(encoding, want),
            other => panic!("expected text, got {other:?}"),
        }
    }

    #[test]
    fn gbk_far_down_an_ascii_file_is_still_gbk() {
        let mut bytes = "refund_no,order_no\n".repeat(20_000).into_bytes();
        bytes.extend(gbk("退款成功\n"));
        assert!(
            bytes.len() > 3 * SNIFF_CHUNK,
            "the GBK text must lie beyond the first chunk"
        );
        assert_eq!(
            sniff(bytes.as_slice()).unwrap(),
            FileFormat::Text {
                encoding: TextEncoding::Gb18030,
                delimiter: b','
            },
            "one GBK character anywhere makes the file GBK"
        );
    }

    #[test]
    fn utf8_split_across_chunks_is_utf8() {
        // Pad so that a three-byte character straddles the chunk boundary.
        let mut text = "a".repeat(SNIFF_CHUNK - 1);
        text.push_str("退款编号\n");
        assert_eq!(
            sniff(text.as_bytes()).unwrap(),
            FileFormat::Text {
                encoding: TextEncoding::Utf8,
                delimiter: b','
            }
        );
    }

    #[test]
    fn tabs_and_workbooks() {
        assert_eq!(
            sniff("退款编号\t订单编号\n".as_bytes()).unwrap(),
            FileFormat::Text {
                encoding: TextEncoding::Utf8,
                delimiter: b'\t'
            }
        );
        assert_eq!(sniff(&b"PK\x03\x04rest"[..]).unwrap(), FileFormat::Xlsx);
    }
}
