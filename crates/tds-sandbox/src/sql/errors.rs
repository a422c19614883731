//! SQL Server error numbers and wordings, and the mapping of SQLite's errors onto them.

use crate::types::ServerError;

/// Prefix of the messages our SQLite functions raise, carrying the SQL Server error number through
/// SQLite (which keeps only the text of a user function's error): `sqlserver:241:Conversion …`.
const FN_ERROR_PREFIX: &str = "sqlserver:";

/// A SQL Server error raised from inside a registered SQLite function.
#[derive(Debug)]
pub(crate) struct FnError(pub ServerError);

impl std::fmt::Display for FnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{FN_ERROR_PREFIX}{}:{}", self.0.number, self.0.message)
    }
}

impl std::error::Error for FnError {}

pub(crate) fn fn_error(e: ServerError) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(FnError(e)))
}

pub(crate) fn syntax_near(token: &str) -> ServerError {
    ServerError::statement(102, format!("Incorrect syntax near '{token}'."))
}

pub(crate) fn invalid_object(name: &str) -> ServerError {
    ServerError::statement(208, format!("Invalid object name '{name}'."))
}

pub(crate) fn must_declare(name: &str) -> ServerError {
    ServerError::statement(137, format!("Must declare the scalar variable \"{name}\"."))
}

pub(crate) fn date_conversion() -> ServerError {
    ServerError::statement(241, "Conversion failed when converting date and/or time from character string.")
}

/// 245: text that is not a number, converted to an integer type.
pub(crate) fn conversion_to(text: &[u8], type_name: &str) -> ServerError {
    let text = String::from_utf8_lossy(text);
    ServerError::statement(
        245,
        format!("Conversion failed when converting the nvarchar value '{text}' to data type {type_name}."),
    )
}

/// 8114: text that is not a number, converted to numeric/float.
pub(crate) fn converting(type_name: &str) -> ServerError {
    ServerError::statement(8114, format!("Error converting data type nvarchar to {type_name}."))
}

pub(crate) fn overflow(type_name: &str) -> ServerError {
    ServerError::statement(8115, format!("Arithmetic overflow error converting expression to data type {type_name}."))
}

pub(crate) fn divide_by_zero() -> ServerError {
    ServerError::statement(8134, "Divide by zero error encountered.")
}

pub(crate) fn unsupported(what: &str) -> ServerError {
    ServerError::statement(50000, format!("The sandbox does not support {what}."))
}

/// Maps an error of SQLite (preparing or stepping a statement) to SQL Server's number and wording.
pub(crate) fn from_sqlite(e: &rusqlite::Error) -> ServerError {
    let message = match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
        rusqlite::Error::UserFunctionError(inner) => inner.to_string(),
        other => other.to_string(),
    };
    from_sqlite_message(&message)
}

fn from_sqlite_message(message: &str) -> ServerError {
    // Recent SQLite versions append where the error is: "no such column: X in SELECT … at offset 7".
    let message =
        message.split_once(" in ").filter(|(_, rest)| rest.contains(" at offset ")).map_or(message, |(m, _)| m);
    if let Some(rest) = message.strip_prefix(FN_ERROR_PREFIX)
        && let Some((number, text)) = rest.split_once(':')
        && let Ok(number) = number.parse::<i32>()
    {
        return ServerError::statement(number, text);
    }
    if let Some(name) = message.strip_prefix("no such table: ") {
        let name = name.strip_prefix("main.").unwrap_or(name);
        return invalid_object(name);
    }
    if let Some(name) = message.strip_prefix("no such column: ") {
        // SQL Server names the column alone, without its table qualifier.
        let name = name.rsplit('.').next().unwrap_or(name);
        return ServerError::statement(207, format!("Invalid column name '{name}'."));
    }
    if let Some(name) = message.strip_prefix("ambiguous column name: ") {
        return ServerError::statement(209, format!("Ambiguous column name '{name}'."));
    }
    if let Some(name) = message.strip_prefix("no such function: ") {
        return ServerError::statement(195, format!("'{name}' is not a recognized built-in function name."));
    }
    if let Some(rest) = message.strip_prefix("wrong number of arguments to function ") {
        let name = rest.split('(').next().unwrap_or(rest);
        return ServerError::statement(174, format!("The {name} function requires a different number of arguments."));
    }
    if let Some(rest) = message.strip_prefix("near \"")
        && let Some((token, _)) = rest.split_once("\": syntax error")
    {
        return syntax_near(token);
    }
    if message.contains("readonly database") {
        return ServerError::statement(229, "The permission was denied on the object.");
    }
    if message == "integer overflow" {
        return ServerError::statement(8115, "Arithmetic overflow error converting expression to data type int.");
    }
    ServerError::statement(50000, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_map_to_sql_server_numbers() {
        assert_eq!(from_sqlite_message("no such table: FOO").number, 208);
        assert_eq!(from_sqlite_message("no such column: d.BAR").message, "Invalid column name 'BAR'.");
        assert_eq!(from_sqlite_message("no such function: FROB").number, 195);
        assert_eq!(from_sqlite_message("near \"FROM\": syntax error").message, "Incorrect syntax near 'FROM'.");
        let e = from_sqlite_message(&FnError(divide_by_zero()).to_string());
        assert_eq!((e.number, e.message.as_str()), (8134, "Divide by zero error encountered."));
        assert_eq!(from_sqlite_message("something odd").number, 50000);
    }
}
