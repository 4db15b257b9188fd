//! Markup written by hand: elements, attributes and text, with every text and attribute value
//! escaped on the way in, so nothing a chart names (`<`, `&`, quotes) can close a tag or an
//! attribute. The port map's SVG and HTML are written with it; only constant text (the style
//! sheet, the script) goes in unescaped, and only as a `&'static str`.

use std::fmt::{self, Display, Write};

/// An element's attributes: names (constants of the code) and values (escaped when written).
pub type Attrs<'a> = &'a [(&'a str, &'a dyn Display)];

/// `text` made safe inside an element or a quoted attribute value: `& < > " '` become
/// character references.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate or length in user units, written with at most one decimal.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Px(pub f64);

impl Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let tenths = (self.0 * 10.0).round() / 10.0;
        if tenths.fract() == 0.0 {
            write!(f, "{}", tenths as i64)
        } else {
            write!(f, "{tenths:.1}")
        }
    }
}

/// A document being written.
#[derive(Debug, Default)]
pub struct Markup {
    out: String,
}

impl Markup {
    /// `<tag a="v" ...>`.
    pub fn open(&mut self, tag: &str, attrs: Attrs) -> &mut Self {
        self.start_tag(tag, attrs);
        self.out.push('>');
        self
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// `<tag a="v" .../>`: an element with no content (SVG shapes, HTML's `<meta>`).
    pub fn empty(&mut self, tag: &str, attrs: Attrs) -> &mut Self {
        self.start_tag(tag, attrs);
        self.out.push_str("/>");
        self
    }

    /// `<tag ...>text</tag>`, the text escaped.
    pub fn leaf(&mut self, tag: &str, attrs: Attrs, text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) -> &mut Self {
        self.out.push_str(&escape(text));
        self
    }

    /// Constant markup, style or script of the code itself, as it is.
    pub fn constant(&mut self, text: &'static str) -> &mut Self {
        self.out.push_str(text);
        self
    }

    /// Another document's markup, as it is (it escaped its own text).
    pub fn append(&mut self, other: Markup) -> &mut Self {
        self.out.push_str(&other.out);
        self
    }

    /// The markup written.
    pub fn finish(self) -> String {
        self.out
    }

    fn start_tag(&mut self, tag: &str, attrs: Attrs) {
        let _ = write!(self.out, "<{tag}");
        for (name, value) in attrs {
            debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':'), "{name}");
            let _ = write!(self.out, " {name}=\"{}\"", escape(&value.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_that_could_end_text_or_an_attribute_is_escaped() {
        assert_eq!(escape(r#"<b a="1">x & 'y'</b>"#), "&lt;b a=&quot;1&quot;&gt;x &amp; &#39;y&#39;&lt;/b&gt;");
        let mut m = Markup::default();
        m.leaf("text", &[("data-name", &"a\"><script>")], "</text><script>alert(1)</script>");
        let out = m.finish();
        assert_eq!(
            out,
            "<text data-name=\"a&quot;&gt;&lt;script&gt;\">&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>"
        );
    }

    #[test]
    fn lengths_have_at_most_one_decimal() {
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(12.349).to_string(), "12.3");
        assert_eq!(Px(-0.04).to_string(), "0");
        assert_eq!(Px(0.96).to_string(), "1");
    }
}
