//! Line numbers as a person reading the file counts them: the header is line 1,
//! and a line ends at `\n`, `\r\n` or a lone `\r`, inside quoted fields too.
//!
//! The csv crate's own line count only counts `\n`, so rows of a CRLF file were
//! reported one line early and every row of a CR-only (old Mac Excel) file as the
//! first line. [`LineCounter`] sits under the CSV reader, notes where every line ends in the
//! bytes it hands up, and answers "which line is byte N on" for each record's
//! start. Only the line ends not yet passed are kept, so memory stays bounded by
//! the reader's read-ahead, not the file.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

#[derive(Debug, Default)]
struct Ends {
    /// Bytes handed up so far.
    offset: u64,
    /// Line ends not yet passed by a query: offset and length (2 for `\r\n`).
    pending: VecDeque<(u64, u64)>,
    /// Line ends before the last queried byte.
    passed: u64,
    /// The last byte handed up was `\r` (a `\n` next is the same line end).
    after_cr: bool,
}

/// Wraps a reader; [`Lines`] answers for the bytes it has read.
pub struct LineCounter<R> {
    inner: R,
    ends: Rc<RefCell<Ends>>,
}

/// The line-number side of a [`LineCounter`].
#[derive(Clone, Debug)]
pub struct Lines(Rc<RefCell<Ends>>);

impl<R: Read> LineCounter<R> {
    pub fn new(inner: R) -> (Self, Lines) {
        let ends = Rc::new(RefCell::new(Ends::default()));
        (
            Self {
                inner,
                ends: ends.clone(),
            },
            Lines(ends),
        )
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        let mut ends = self.ends.borrow_mut();
        for (index, &byte) in buf[..read].iter().enumerate() {
            let at = ends.offset + index as u64;
            match byte {
                b'\r' => {
                    ends.pending.push_back((at, 1));
                    ends.after_cr = true;
                }
                b'\n' => {
                    let after_cr = ends.after_cr;
                    match ends.pending.back_mut() {
                        Some((end, length)) if after_cr && *end + 1 == at => *length = 2,
                        _ => ends.pending.push_back((at, 1)),
                    }
                    ends.after_cr = false;
                }
                _ => ends.after_cr = false,
            }
        }
        ends.offset += read as u64;
        Ok(read)
    }
}

impl Lines {
    /// The line of a record starting at byte `offset` (the CSV reader reports a
    /// record after blank lines as starting at the first of them, so line ends
    /// right at the start are passed too). Offsets must be asked in increasing
    /// order.
    pub fn line_of(&self, offset: u64) -> u64 {
        let mut ends = self.0.borrow_mut();
        let mut at = offset;
        while let Some(&(end, length)) = ends.pending.front() {
            if end >= offset {
                if end != at {
                    break;
                }
                at += length;
            }
            ends.pending.pop_front();
            ends.passed += 1;
        }
        ends.passed + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of_records(text: &str) -> Vec<u64> {
        let (counter, lines) = LineCounter::new(text.as_bytes());
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .buffer_capacity(4)
            .from_reader(counter);
        let mut record = csv::ByteRecord::new();
        let mut found = Vec::new();
        while csv.read_byte_record(&mut record).unwrap_or(false) {
            let start = record.position().map_or(0, csv::Position::byte);
            found.push(lines.line_of(start));
        }
        found
    }

    #[test]
    fn lines_end_at_lf_crlf_or_cr_and_count_inside_quotes() {
        assert_eq!(lines_of_records("h\na\nb\n"), [1, 2, 3]);
        assert_eq!(lines_of_records("h\r\na\r\nb\r\n"), [1, 2, 3]);
        assert_eq!(lines_of_records("h\ra\rb\r"), [1, 2, 3]);
        assert_eq!(
            lines_of_records("h,x\r\n\"two\r\nlines\",1\r\nc,2\r\n"),
            [1, 2, 4]
        );
        assert_eq!(lines_of_records("h\n\na\n"), [1, 3]);
    }
}
