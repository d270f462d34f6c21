//! `数量` declarations: their words checked and their parts (`其中 …`) resolved.

use super::Resolver;
use crate::diagnostic::{Problem, suggest};
use crate::prose::Quantity;
use crate::syntax::ast::{Ident, QuantityDecl, Str};

impl Resolver<'_> {
    /// Compiles every declared quantity; one with an error is left out (its error recorded).
    pub(super) fn compile_quantities(&mut self) {
        let decls = self.decls;
        let mut quantities = Vec::new();
        for decl in &decls.quantities {
            if let Some(q) = self.quantity(decl) {
                quantities.push(q);
            }
        }
        self.quantities = quantities;
    }

    fn quantity(&mut self, decl: &QuantityDecl) -> Option<Quantity> {
        let words = |list: &[Str]| -> Vec<String> {
            list.iter()
                .map(|w| w.node.trim().to_owned())
                .filter(|w| !w.is_empty())
                .collect()
        };
        let phrasings = words(&decl.phrasings);
        let units = words(&decl.units);
        // Frames (`…年，`) carry their own unit; a figure after a phrasing needs one.
        let needs_units = phrasings.iter().any(|p| crate::prose::frame(p).is_none());
        for (what, list) in [("说法", &phrasings), ("单位", &units)] {
            if list.is_empty() && (what == "说法" || needs_units) {
                self.error(
                    Problem::BadValue {
                        name: decl.name.node.clone(),
                        expected: format!("至少一个「{what}」"),
                        found: "没有".into(),
                    },
                    decl.name.span,
                );
                return None;
            }
        }
        let mut parts = Vec::new();
        for part in &decl.parts {
            parts.push(self.declared_quantity(part)?);
        }
        Some(Quantity {
            name: decl.name.node.clone(),
            description: decl
                .description
                .as_ref()
                .map_or_else(|| decl.name.node.clone(), |d| d.node.clone()),
            phrasings,
            objects: words(&decl.objects),
            units,
            excluded: words(&decl.excluded),
            parts,
            span: decl.name.span,
        })
    }

    /// The index of a declared quantity (parts may name quantities declared later).
    fn declared_quantity(&mut self, name: &Ident) -> Option<usize> {
        let found = self
            .decls
            .quantities
            .iter()
            .position(|q| q.name.node == name.node);
        if found.is_none() {
            self.unknown_quantity(name);
        }
        found
    }

    /// The index of a compiled quantity, for `对每 陈述 x 属于 名称`.
    pub(super) fn quantity_index(&mut self, name: &Ident) -> Option<usize> {
        let found = self.quantities.iter().position(|q| q.name == name.node);
        if found.is_none()
            && !self
                .decls
                .quantities
                .iter()
                .any(|q| q.name.node == name.node)
        {
            self.unknown_quantity(name);
        }
        found
    }

    fn unknown_quantity(&mut self, name: &Ident) {
        let suggestion = suggest(
            &name.node,
            self.decls.quantities.iter().map(|q| q.name.node.as_str()),
        );
        self.error(
            Problem::UnknownName {
                kind: "数量",
                name: name.node.clone(),
                suggestion,
            },
            name.span,
        );
    }
}
