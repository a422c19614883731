//! The template engine of the HTML outputs: the dashboard, the reminder letters and the alert
//! e-mail. minijinja, rather than askama or maud (both compiled in): a profile's own letter
//! (`[relances] modele`) is read when the command runs, and one engine serves the built-in pages
//! and the user's. Its `{{ name }}` placeholders are the ones letter templates always had.
//!
//! Every value a template prints is escaped by the engine (auto-escape on for every template),
//! unless the code handed it over as markup ([`Value::from_safe_string`]). The escaping table is
//! the one these pages always had: `& < > " '` as `&amp; &lt; &gt; &quot; &#39;`. minijinja's own
//! also writes `/` as `&#x2f;` and `'` as `&#x27;`: every date of every page would change bytes,
//! hence the table given to the engine through its formatter.

use std::borrow::Cow;
use std::fmt::Write as _;

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, State, Value};

/// The auto-escape mode of every template here.
const HTML: AutoEscape = AutoEscape::Custom(Cow::Borrowed("html"));

/// An environment whose templates all escape HTML. `blocks` trims the line of a `{% … %}` tag
/// (the built-in pages, written one tag a line); a user's letter keeps its text as written.
pub(crate) fn environment(blocks: bool) -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .trim_blocks(blocks)
        .lstrip_blocks(blocks)
        .keep_trailing_newline(true)
        .build()
        .expect("the default delimiters");
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|_| HTML);
    env.set_formatter(|out, state: &mut State, value: &Value| {
        if value.is_safe() || *state.auto_escape() != HTML {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = value.to_string();
        out.write_str(&escape(&text)).map_err(minijinja::Error::from)
    });
    env
}

/// Renders one page written one tag a line (`{% … %}` lines leave nothing).
pub fn render(source: &'static str, context: Value) -> Result<String, minijinja::Error> {
    environment(true).template_from_str(source)?.render(context)
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
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

/// A template's error in the words a message can carry: its kind, the engine's detail, the line.
pub fn reason(error: &minijinja::Error) -> String {
    let kind = match error.kind() {
        minijinja::ErrorKind::SyntaxError => "erreur de syntaxe".to_owned(),
        minijinja::ErrorKind::UndefinedError => "valeur indéfinie".to_owned(),
        kind => kind.to_string(),
    };
    let mut text = match error.detail() {
        Some(detail) => format!("{kind} : {detail}"),
        None => kind,
    };
    if let Some(line) = error.line() {
        let _ = write!(text, " (ligne {line})");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_by_the_engine_and_markup_is_not() {
        let env = environment(false);
        let template = env.template_from_str("<p title=\"{{ t }}\">{{ t }}</p>{{ m }}{{ n }}").unwrap();
        let page = template
            .render(minijinja::context! { t => "L'Épi & <Cie> \"31/12\"", m => Value::from_safe_string("<b>x</b>".to_owned()), n => 3 })
            .unwrap();
        assert_eq!(
            page,
            "<p title=\"L&#39;Épi &amp; &lt;Cie&gt; &quot;31/12&quot;\">L&#39;Épi &amp; &lt;Cie&gt; &quot;31/12&quot;</p><b>x</b>3"
        );
    }
}
