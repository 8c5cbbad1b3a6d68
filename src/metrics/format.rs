//! The two exposition formats and the choice between them, as client_golang makes it:
//! OpenMetrics (1.0.0, or 0.0.1 when that is what is asked for) only when the `Accept` header
//! asks for it, as Prometheus does; otherwise the classic text format 0.0.4, which promtool,
//! older agents and plain `curl` read.
//!
//! The series are encoded once as OpenMetrics; the text format is derived from that text line
//! by line ([`openmetrics_to_text`]): the same samples, with info families as gauges named
//! `…_info`, counter families named after their `_total` samples, and no `# UNIT` or `# EOF`.

use std::ops::Range;

use bytes::Bytes;

/// An exposition format a scrape can be answered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    OpenMetrics1,
    OpenMetrics0,
    Text,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::OpenMetrics1 => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::OpenMetrics0 => "application/openmetrics-text; version=0.0.1; charset=utf-8",
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
        }
    }

    pub fn is_openmetrics(self) -> bool {
        self != Format::Text
    }

    /// The format for these `Accept` header values: the acceptable media range with the
    /// highest q-value that names a format we speak (the first one on a tie); the text format
    /// when there is none (no header, `*/*`, only unknown types).
    pub fn negotiate<'a>(accept: impl IntoIterator<Item = &'a str>) -> Format {
        let mut ranges: Vec<(f32, Option<Format>)> = accept
            .into_iter()
            .flat_map(|value| value.split(','))
            .filter_map(media_range)
            .collect();
        // Stable: equal q-values keep the client's order.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges
            .into_iter()
            .filter(|(q, _)| *q > 0.0)
            .find_map(|(_, format)| format)
            .unwrap_or(Format::Text)
    }
}

/// One media range of an `Accept` header: its q-value, and the format it names (if we speak it).
fn media_range(range: &str) -> Option<(f32, Option<Format>)> {
    let mut parts = range.split(';').map(str::trim);
    let media_type = parts.next().filter(|t| !t.is_empty())?.to_ascii_lowercase();
    let mut q = 1.0_f32;
    let mut version = String::new();
    for parameter in parts {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match name.trim().to_ascii_lowercase().as_str() {
            // An unreadable q-value makes the range unacceptable rather than preferred.
            "q" => {
                q = value
                    .parse()
                    .ok()
                    .filter(|q: &f32| q.is_finite())
                    .unwrap_or(0.0)
            }
            "version" => version = value.to_owned(),
            _ => {}
        }
    }
    let format = match (media_type.as_str(), version.as_str()) {
        ("application/openmetrics-text", "" | "1.0.0") => Some(Format::OpenMetrics1),
        ("application/openmetrics-text", "0.0.1") => Some(Format::OpenMetrics0),
        // 1.0.0 is the same text format with optional UTF-8 names, which we never use.
        ("text/plain", "" | "0.0.4" | "1.0.0") => Some(Format::Text),
        _ => None,
    };
    Some((q.clamp(0.0, 1.0), format))
}

/// The classic text format (0.0.4) of an OpenMetrics text, sample for sample.
///
/// One pass, no allocation per line: a family's TYPE decides how its HELP and TYPE lines are
/// named, and prometheus-client writes HELP just before TYPE, so a HELP line waits for it.
pub fn openmetrics_to_text(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    convert([openmetrics], &mut out);
    out
}

/// The same text format as chunks to send in order: the sample lines, which both formats share,
/// as slices of `openmetrics` (no copy), and only the rewritten comment lines as bytes of their
/// own. A snapshot's text format then costs a few hundred bytes instead of a second copy of
/// its series. `openmetrics` is one text in pieces of whole lines.
pub fn openmetrics_to_text_chunks(openmetrics: &[Bytes]) -> Vec<Bytes> {
    let Ok(sources) = openmetrics
        .iter()
        .map(|piece| std::str::from_utf8(piece))
        .collect::<Result<Vec<&str>, _>>()
    else {
        // Never the case for encoder output; a copy is still correct.
        let joined: Vec<u8> = openmetrics.concat();
        let text = openmetrics_to_text(&String::from_utf8_lossy(&joined));
        return vec![Bytes::from(text)];
    };
    let mut out = Chunks {
        sources: openmetrics,
        source: 0,
        chunks: Vec::new(),
        own: String::new(),
        run: None,
    };
    convert(sources, &mut out);
    out.finish()
}

/// Where [`convert`] writes: text of its own, or a line of the source passed through as it is.
trait TextOut {
    /// The lines that follow are of the `index`th source.
    fn source(&mut self, _index: usize) {}
    fn push_str(&mut self, text: &str);
    /// `line` (with its `\n`) is `range` of the current source.
    fn verbatim(&mut self, range: Range<usize>, line: &str);
}

impl TextOut for String {
    fn push_str(&mut self, text: &str) {
        String::push_str(self, text);
    }

    fn verbatim(&mut self, _range: Range<usize>, line: &str) {
        String::push_str(self, line);
    }
}

/// Chunks of a text-format body: runs of unchanged source lines as shared slices.
struct Chunks<'a> {
    sources: &'a [Bytes],
    /// The index in `sources` of the lines being converted.
    source: usize,
    chunks: Vec<Bytes>,
    /// Rewritten text not yet made a chunk.
    own: String,
    /// Unchanged source lines not yet made a chunk.
    run: Option<Range<usize>>,
}

impl Chunks<'_> {
    fn end_run(&mut self) {
        if let Some(run) = self.run.take() {
            if let Some(source) = self.sources.get(self.source) {
                self.chunks.push(source.slice(run));
            }
        }
    }

    fn end_own(&mut self) {
        if !self.own.is_empty() {
            self.chunks.push(Bytes::from(std::mem::take(&mut self.own)));
        }
    }

    fn finish(mut self) -> Vec<Bytes> {
        // At most one of the two is pending: each ends the other when it starts.
        self.end_run();
        self.end_own();
        self.chunks
    }
}

impl TextOut for Chunks<'_> {
    fn source(&mut self, index: usize) {
        self.end_run();
        self.source = index;
    }

    fn push_str(&mut self, text: &str) {
        self.end_run();
        self.own.push_str(text);
    }

    fn verbatim(&mut self, range: Range<usize>, _line: &str) {
        match &mut self.run {
            Some(run) if run.end == range.start => run.end = range.end,
            _ => {
                self.end_own();
                self.end_run();
                self.run = Some(range);
            }
        }
    }
}

/// Convert the OpenMetrics text given as `sources`, pieces of whole lines in order.
fn convert<'a>(sources: impl IntoIterator<Item = &'a str>, out: &mut impl TextOut) {
    let mut pending_help: Option<(&str, &str)> = None;
    // The family whose `_created` samples are dropped (counters and histograms).
    let mut created_of: Option<&str> = None;
    let lines = sources.into_iter().enumerate().flat_map(|(index, source)| {
        let mut offset = 0;
        source.split_inclusive('\n').map(move |piece| {
            let range = offset..offset + piece.len();
            offset = range.end;
            (index, range, piece)
        })
    });
    let mut current = None;
    for (index, range, piece) in lines {
        if current != Some(index) {
            out.source(index);
            current = Some(index);
        }
        // As str::lines: without the `\n` or `\r\n`.
        let line = piece
            .strip_suffix('\n')
            .map_or(piece, |l| l.strip_suffix('\r').unwrap_or(l));
        if let Some(rest) = line.strip_prefix("# HELP ") {
            flush_help(out, pending_help.take(), "");
            pending_help = Some(rest.split_once(' ').unwrap_or((rest, "")));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (family, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            let (suffix, kind) = match kind {
                "info" => ("_info", "gauge"),
                "counter" => ("_total", "counter"),
                "stateset" => ("", "gauge"),
                "gaugehistogram" => ("", "histogram"),
                "unknown" => ("", "untyped"),
                other => ("", other),
            };
            match pending_help.take() {
                Some((help_family, help)) if help_family == family => {
                    flush_help(out, Some((family, help)), suffix);
                }
                other => flush_help(out, other, ""),
            }
            for part in ["# TYPE ", family, suffix, " ", kind, "\n"] {
                out.push_str(part);
            }
            created_of = matches!(kind, "counter" | "histogram" | "summary").then_some(family);
        } else if line.starts_with("# UNIT ") || line == "# EOF" {
            continue;
        } else if created_of.is_some_and(|family| {
            sample_name(line)
                .strip_prefix(family)
                .is_some_and(|rest| rest == "_created")
        }) {
            // `_created` samples have no place in the text format.
            continue;
        } else {
            flush_help(out, pending_help.take(), "");
            if piece.len() == line.len() + 1 {
                out.verbatim(range, piece);
            } else {
                out.push_str(line);
                out.push_str("\n");
            }
        }
    }
    flush_help(out, pending_help, "");
}

/// Write a HELP line for `family` + `suffix`, its text re-escaped for the text format.
fn flush_help(out: &mut impl TextOut, help: Option<(&str, &str)>, suffix: &str) {
    let Some((family, help)) = help else {
        return;
    };
    for part in ["# HELP ", family, suffix, " "] {
        out.push_str(part);
    }
    push_text_help(out, help);
    out.push_str("\n");
}

/// OpenMetrics escapes `\\`, `\n` and `"` in HELP; the text format only the first two.
fn push_text_help(out: &mut impl TextOut, help: &str) {
    let mut buf = [0; 4];
    let mut chars = help.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push_str(c.encode_utf8(&mut buf));
            continue;
        }
        match chars.next() {
            Some('"') => out.push_str("\""),
            Some(escaped) => {
                out.push_str("\\");
                out.push_str(escaped.encode_utf8(&mut buf));
            }
            None => out.push_str("\\"),
        }
    }
}

/// The metric name of a sample line.
fn sample_name(line: &str) -> &str {
    line.split(['{', ' ']).next().unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prometheus 2.x and 3.x scrape headers, as they send them.
    const PROMETHEUS_2: &str = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    const PROMETHEUS_3: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    #[test]
    fn negotiation_table() {
        let cases: &[(&[&str], Format)] = &[
            (&[], Format::Text),
            (&["*/*"], Format::Text),
            (&["text/plain"], Format::Text),
            (&["text/plain;version=0.0.4"], Format::Text),
            (&["text/html,application/xhtml+xml"], Format::Text),
            (&["application/openmetrics-text"], Format::OpenMetrics1),
            (&["application/openmetrics-text; version=1.0.0"], Format::OpenMetrics1),
            (&["application/openmetrics-text;version=0.0.1"], Format::OpenMetrics0),
            (&["application/openmetrics-text;version=2.0.0"], Format::Text),
            (&[PROMETHEUS_2], Format::OpenMetrics1),
            (&[PROMETHEUS_3], Format::OpenMetrics1),
            // q-values decide, not the order.
            (
                &["text/plain;q=0.9, application/openmetrics-text;q=0.3"],
                Format::Text,
            ),
            (
                &["application/openmetrics-text;version=0.0.1;q=0.9,application/openmetrics-text;q=0.5"],
                Format::OpenMetrics0,
            ),
            // q=0 means "not acceptable".
            (&["application/openmetrics-text;q=0"], Format::Text),
            (&["application/openmetrics-text;q=zero"], Format::Text),
            // Several header lines count as one list.
            (&["text/plain;q=0.1", "application/openmetrics-text"], Format::OpenMetrics1),
            (&["APPLICATION/OpenMetrics-Text; Version=\"1.0.0\""], Format::OpenMetrics1),
        ];
        for (accept, expected) in cases {
            assert_eq!(
                Format::negotiate(accept.iter().copied()),
                *expected,
                "{accept:?}"
            );
        }
    }

    #[test]
    fn text_format_renames_info_and_counter_families_and_drops_openmetrics_only_lines() {
        let openmetrics = "\
# HELP adobe_status_product Watched Adobe product with \\\"its\\\" name.
# TYPE adobe_status_product info
adobe_status_product_info{product_id=\"p1\",product_name=\"A \\\"B\\\"\\\\C\\nD\"} 1
# HELP adobe_status_up Whether it works.
# TYPE adobe_status_up gauge
adobe_status_up 1
# HELP adobe_status_last_success_timestamp_seconds When.
# TYPE adobe_status_last_success_timestamp_seconds gauge
# UNIT adobe_status_last_success_timestamp_seconds seconds
adobe_status_last_success_timestamp_seconds 1800000000.0
# HELP adobe_status_upstream_throttled 429 answers.
# TYPE adobe_status_upstream_throttled counter
adobe_status_upstream_throttled_total 0
adobe_status_upstream_throttled_created 1700000000.0
# HELP adobe_status_upstream_request_duration_seconds Durations.
# TYPE adobe_status_upstream_request_duration_seconds histogram
# UNIT adobe_status_upstream_request_duration_seconds seconds
adobe_status_upstream_request_duration_seconds_sum{api=\"events\"} 0.5
adobe_status_upstream_request_duration_seconds_count{api=\"events\"} 1
adobe_status_upstream_request_duration_seconds_bucket{le=\"+Inf\",api=\"events\"} 1
# EOF
";
        // What changes; every other line passes through as it is.
        let expected = openmetrics
            .replace(
                "# HELP adobe_status_product Watched Adobe product with \\\"its\\\" name.",
                "# HELP adobe_status_product_info Watched Adobe product with \"its\" name.",
            )
            .replace(
                "# TYPE adobe_status_product info",
                "# TYPE adobe_status_product_info gauge",
            )
            .replace(
                "# HELP adobe_status_upstream_throttled 429",
                "# HELP adobe_status_upstream_throttled_total 429",
            )
            .replace(
                "# TYPE adobe_status_upstream_throttled counter",
                "# TYPE adobe_status_upstream_throttled_total counter",
            )
            .lines()
            .filter(|l| !l.starts_with("# UNIT ") && *l != "# EOF" && !l.contains("_created "))
            .map(|l| format!("{l}\n"))
            .collect::<String>();
        assert!(expected.contains("adobe_status_product_info{product_id"));
        assert_eq!(openmetrics_to_text(openmetrics), expected);
        // As chunks: the same text, every sample line a slice of the OpenMetrics bytes.
        let source = Bytes::from_static(openmetrics.as_bytes());
        let chunks = openmetrics_to_text_chunks(std::slice::from_ref(&source));
        assert_eq!(chunks.concat(), expected.as_bytes());
        let shared = |c: &Bytes| source.as_ptr_range().contains(&c.as_ptr());
        for chunk in &chunks {
            let text = std::str::from_utf8(chunk).unwrap();
            let samples = text.lines().any(|l| !l.starts_with('#'));
            assert_eq!(shared(chunk), samples, "{text:?}");
        }
    }

    #[test]
    fn chunks_match_the_copy_on_any_line_ends() {
        let cases = [
            "",
            "a 1",
            "a 1\nb 2",
            "# TYPE a counter\na_total 1\r\na_created 5\nb 2\n",
            "# HELP x h\\\"q\\\\\n# TYPE x gauge\nx 1\n# EOF\n",
            "x 1\n# HELP y lone\ny 2\n",
        ];
        for case in cases {
            let chunks = openmetrics_to_text_chunks(&[Bytes::from_static(case.as_bytes())]);
            assert_eq!(
                chunks.concat(),
                openmetrics_to_text(case).as_bytes(),
                "{case:?}"
            );
            assert!(chunks.iter().all(|c| !c.is_empty()), "{case:?}");
        }
    }

    /// A patched chunk's lines come in pieces: a family's HELP, TYPE and `_created` samples may
    /// each be in a piece of their own, and the text is still that of the whole.
    #[test]
    fn lines_in_pieces_convert_as_the_whole() {
        let text = "# HELP c Counted.\n# TYPE c counter\nc_total{id=\"1\"} 1\n\
                    c_created{id=\"1\"} 5.0\n# HELP i Info.\n# TYPE i info\ni_info{a=\"b\"} 1\n\
                    # HELP g G.\n# TYPE g gauge\n# UNIT g seconds\ng 2\ng{x=\"y\"} 3\n";
        let whole = openmetrics_to_text(text);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        // Every way of cutting the lines into two or three pieces.
        for first in 0..=lines.len() {
            for second in first..=lines.len() {
                let pieces: Vec<Bytes> = [&lines[..first], &lines[first..second], &lines[second..]]
                    .iter()
                    .filter(|part| !part.is_empty())
                    .map(|part| Bytes::from(part.concat()))
                    .collect();
                let chunks = openmetrics_to_text_chunks(&pieces);
                assert_eq!(
                    String::from_utf8(chunks.concat()).unwrap(),
                    whole,
                    "{first} {second}"
                );
                // Sample lines are still slices of the pieces, not copies.
                for chunk in chunks.iter().filter(|c| !c.starts_with(b"#")) {
                    assert!(
                        pieces
                            .iter()
                            .any(|p| p.as_ptr_range().contains(&chunk.as_ptr())),
                        "{chunk:?}"
                    );
                }
            }
        }
    }
}
