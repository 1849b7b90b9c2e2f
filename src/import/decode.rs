//! Turning a file's bytes into UTF-8 for the CSV reader: a UTF-8 byte-order mark
//! is dropped; Windows-1252 (what Excel on Windows saves as "CSV") is detected
//! from the first 64 KiB or declared, and transcoded as the file streams, so its
//! `é` and `£` are stored as themselves, never as mojibake. UTF-16 is refused with
//! a hint. Windows-1252 gives every byte a meaning, so any bytes "decode": the
//! guess is taken only when the bytes read like text in it ([`looks_windows_1252`]);
//! otherwise the file is read as UTF-8 and the fields that are not are refused by
//! row and column, with how to declare the encoding.

use encoding_rs::{Decoder, Encoding, UTF_8, WINDOWS_1252};
use std::io::{self, Read};

/// How much of the file is looked at to guess its encoding.
const SNIFF: usize = 64 * 1024;

/// The encoding a file was read in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileEncoding {
    Utf8,
    Windows1252,
}

/// Picks the encoding: `declared` (a WHATWG label such as `utf-8`, `windows-1252`,
/// `latin1`) when given, else by sniffing. Returns the file as a UTF-8 reader and
/// what was chosen (and whether it was guessed).
pub fn utf8_reader(
    mut file: Box<dyn Read + Send>,
    declared: Option<&str>,
) -> Result<(Box<dyn Read + Send>, FileEncoding, bool), String> {
    let mut sample = Vec::with_capacity(SNIFF);
    (&mut file)
        .take(SNIFF as u64)
        .read_to_end(&mut sample)
        .map_err(|error| format!("reading the file: {error}"))?;
    if sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]) {
        return Err("the file is UTF-16; save it as UTF-8 (or Windows-1252) CSV".into());
    }
    let bom = sample.starts_with(&[0xEF, 0xBB, 0xBF]);
    let start = if bom { 3 } else { 0 };
    let (encoding, guessed) = match declared {
        Some(label) => match Encoding::for_label(label.trim().as_bytes()) {
            Some(encoding) if encoding == UTF_8 => (FileEncoding::Utf8, false),
            Some(encoding) if encoding == WINDOWS_1252 => (FileEncoding::Windows1252, false),
            _ => {
                return Err(format!(
                    "encoding {label:?} is not supported (use utf-8 or windows-1252)"
                ));
            }
        },
        None if bom => (FileEncoding::Utf8, false),
        None => {
            let head = &sample[start..];
            if looks_utf8(head) || !looks_windows_1252(head) {
                (FileEncoding::Utf8, true)
            } else {
                (FileEncoding::Windows1252, true)
            }
        }
    };
    let rest = io::Cursor::new(sample.split_off(start)).chain(file);
    let reader: Box<dyn Read + Send> = match encoding {
        FileEncoding::Utf8 => Box::new(rest),
        FileEncoding::Windows1252 => Box::new(Transcode::new(rest, WINDOWS_1252.new_decoder())),
    };
    Ok((reader, encoding, guessed))
}

/// Valid UTF-8, allowing a character cut at the end of the sample.
fn looks_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(error) => error.error_len().is_none() && bytes.len() - error.valid_up_to() < 4,
    }
}

/// Non-ASCII bytes in a row that real Windows-1252 text (accented letters and
/// typographic marks among ASCII) does not reach.
const MAX_HIGH_RUN: usize = 2;

/// Text as Windows-1252 would be: no bytes it leaves undefined, no control
/// characters but tab and line ends, and its non-ASCII characters alone or in
/// pairs between ASCII ones (`Café`, `£8`, `“quoted”`), not in runs like `ÿþú`
/// that only binary data or another encoding makes.
fn looks_windows_1252(bytes: &[u8]) -> bool {
    let mut run = 0;
    bytes.iter().all(|&byte| {
        run = if byte >= 0x80 { run + 1 } else { 0 };
        run <= MAX_HIGH_RUN
            && !matches!(byte, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
            && (byte >= 0x20 || matches!(byte, b'\t' | b'\n' | b'\r'))
    })
}

/// A reader transcoding `inner` to UTF-8 as it is read.
struct Transcode<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    finished: bool,
}

impl<R: Read> Transcode<R> {
    fn new(inner: R, decoder: Decoder) -> Self {
        Self {
            inner,
            decoder,
            input: vec![0; 64 * 1024],
            input_start: 0,
            input_end: 0,
            output: vec![0; 3 * 64 * 1024 + 16],
            output_start: 0,
            output_end: 0,
            finished: false,
        }
    }
}

impl<R: Read> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.output_start == self.output_end {
            if self.finished {
                return Ok(0);
            }
            if self.input_start == self.input_end {
                self.input_start = 0;
                self.input_end = self.inner.read(&mut self.input)?;
            }
            let last = self.input_end == 0;
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                last,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            self.finished = last;
        }
        let count = buf.len().min(self.output_end - self.output_start);
        buf[..count].copy_from_slice(&self.output[self.output_start..self.output_start + count]);
        self.output_start += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], declared: Option<&str>) -> (String, FileEncoding) {
        let (mut reader, encoding, _) =
            utf8_reader(Box::new(io::Cursor::new(bytes.to_vec())), declared).expect("decode");
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read");
        (String::from_utf8_lossy(&out).into_owned(), encoding)
    }

    #[test]
    fn boms_go_and_windows_1252_is_transcoded() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFname\nCaf\xC3\xA9", None),
            ("name\nCafé".into(), FileEncoding::Utf8)
        );
        assert_eq!(
            decode(b"name\nCaf\xE9 \xA38.50", None),
            ("name\nCafé £8.50".into(), FileEncoding::Windows1252)
        );
        assert_eq!(
            decode(b"name\nplain", Some("latin1")).1,
            FileEncoding::Windows1252
        );
        let (text, encoding) = decode(b"bad \x81\xFF bytes", None);
        assert_eq!(encoding, FileEncoding::Utf8, "{text}");
        let (text, encoding) = decode(b"name\nMeals,\xFF\xFE\xFAx", None);
        assert_eq!(
            encoding,
            FileEncoding::Utf8,
            "a run of three is not 1252 text: {text}"
        );
        let (text, encoding) = decode(b"name\n\x93Caf\xE9\x94 \x96 \xA3\xBD", None);
        assert_eq!(encoding, FileEncoding::Windows1252);
        assert_eq!(
            text,
            "name\n\u{201c}Caf\u{e9}\u{201d} \u{2013} \u{a3}\u{bd}"
        );
        assert!(utf8_reader(Box::new(io::Cursor::new(vec![0xFF, 0xFE, 0x41, 0])), None).is_err());
    }
}
