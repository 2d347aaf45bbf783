//! The key of a procedure as cases and the command line name it: the base procedure, and the
//! province whose overlay adapts it (`mo-hinh@kon-tum`). Built and split here only.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProcedureKey {
    pub base: String,
    pub province: Option<String>,
}

impl ProcedureKey {
    pub fn new(base: &str, province: Option<&str>) -> ProcedureKey {
        ProcedureKey {
            base: base.to_string(),
            province: province.map(str::to_string),
        }
    }

    /// Reads `mo-hinh` or `mo-hinh@kon-tum`.
    pub fn parse(s: &str) -> ProcedureKey {
        match s.split_once('@') {
            Some((base, province)) => ProcedureKey::new(base, Some(province)),
            None => ProcedureKey::new(s, None),
        }
    }

    /// Another base procedure under the same province (a linked case keeps its province).
    pub fn sibling(&self, base: &str) -> ProcedureKey {
        ProcedureKey::new(base, self.province.as_deref())
    }
}

impl From<&str> for ProcedureKey {
    fn from(s: &str) -> ProcedureKey {
        ProcedureKey::parse(s)
    }
}

impl fmt::Display for ProcedureKey {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.province {
            Some(p) => write!(f, "{}@{p}", self.base),
            None => f.write_str(&self.base),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let k = ProcedureKey::parse("mo-hinh@kon-tum");
        assert_eq!(k.province.as_deref(), Some("kon-tum"));
        assert_eq!(k.to_string(), "mo-hinh@kon-tum");
        assert_eq!(k.sibling("dien-hinh").to_string(), "dien-hinh@kon-tum");
        assert_eq!(ProcedureKey::parse("mo-hinh").to_string(), "mo-hinh");
    }
}
