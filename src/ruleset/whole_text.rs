//! The patterns a rule set applies to a report's whole text (`捕获(全文, /…/)`,
//! `全文 匹配 /…/`), matched together: one pass over the text tells which of them match at
//! all, so that a report is scanned once rather than once per pattern (each scan of a report
//! by a pattern without a literal to skip ahead with costs about 2 ns a byte), and only a
//! pattern that matches is run again for its groups.

use std::sync::OnceLock;

use super::PATTERN_SIZE_LIMIT;

#[derive(Debug, Clone, Default)]
pub struct WholeTextPatterns {
    sources: Vec<String>,
    /// Built on first use; `None` for fewer than two patterns (nothing to save) or when
    /// together they are too large to build (each is then run on its own).
    set: OnceLock<Option<regex::RegexSet>>,
}

impl WholeTextPatterns {
    /// Adds a pattern applied to the whole text (once, however many checks apply it).
    pub(crate) fn add(&mut self, source: &str) {
        if !self.sources.iter().any(|s| s == source) {
            self.sources.push(source.to_owned());
        }
    }

    /// The patterns, in the order of their positions.
    #[must_use]
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// Which of the patterns match somewhere in `text` (by [`Self::position`]); `None` when
    /// the patterns are not matched together.
    #[must_use]
    pub fn matching(&self, text: &str) -> Option<regex::SetMatches> {
        let set = self.set.get_or_init(|| {
            if self.sources.len() < 2 {
                return None;
            }
            regex::RegexSetBuilder::new(&self.sources)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .ok()
        });
        Some(set.as_ref()?.matches(text))
    }

    /// Where a pattern is among them.
    #[must_use]
    pub fn position(&self, source: &str) -> Option<usize> {
        self.sources.iter().position(|s| s == source)
    }
}
