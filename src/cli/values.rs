//! The command line's value parsers: the shared ones ([`crate::values`]), and those that tell clap
//! their possible values.

use crate::model::Statut;
pub use crate::values::{date, id, interval, number, port, positive, statut};

/// `--statut`'s parser: [`statut`]'s French error, and the statuses as the possible values shell
/// completions offer (a bare function has none, so bash offered file names).
#[derive(Debug, Clone, Copy)]
pub struct StatutParser;

impl clap::builder::TypedValueParser for StatutParser {
    type Value = Statut;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Statut, clap::Error> {
        let parse: fn(&str) -> Result<Statut, String> = statut;
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Statut::ALL.iter().map(|s| clap::builder::PossibleValue::new(s.code()))))
    }
}
