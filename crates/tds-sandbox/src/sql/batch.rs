//! Splitting a T-SQL batch into statements. T-SQL needs no `;` between statements, and session
//! statements (`SET …`, `BEGIN TRAN`) have forms sqlparser does not know, so the batch is walked
//! token by token: those statements are recognised here, everything else is left to sqlparser.

use std::ops::ControlFlow;

use sqlparser::ast::{Expr, ObjectNamePart, Statement, Use, Value, visit_relations};
use sqlparser::dialect::MsSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::errors;
use crate::types::ServerError;

/// One statement of a batch, as the engine executes it.
#[derive(Debug)]
pub(crate) enum Stmt {
    /// `SET option[, option…] value` (or `SET TRANSACTION ISOLATION LEVEL …`), upper-cased.
    Set {
        options: Vec<String>,
        value: String,
    },
    /// Acknowledged without effect (`BEGIN TRAN`, `COMMIT`, `ROLLBACK`).
    Ack,
    Use(String),
    Query(Box<Statement>),
    /// `EXEC sp_executesql N'stmt', N'@p INT, …', @p = 5, …`
    ExecuteSql {
        sql: String,
        declarations: String,
        args: Vec<(Option<String>, Expr)>,
    },
    /// A statement that is refused when it is reached (writes, unsupported statements): earlier
    /// statements of the batch still run, as in SQL Server.
    Fails(ServerError),
}

const DIALECT: MsSqlDialect = MsSqlDialect {};

/// SQL Server's error for a batch that does not parse: 102 near the offending token.
fn parse_error(sql: &str, e: &ParserError) -> ServerError {
    match e {
        ParserError::TokenizerError(m) if m.contains("Unterminated string") => {
            let tail = sql.rsplit('\'').next().unwrap_or("");
            ServerError::statement(105, format!("Unclosed quotation mark after the character string '{tail}'."))
        }
        ParserError::RecursionLimitExceeded => {
            ServerError::statement(191, "Some part of your SQL statement is nested too deeply.")
        }
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => {
            let found = m.split_once("found: ").map(|(_, rest)| rest.split(" at Line:").next().unwrap_or(rest).trim());
            match found {
                Some(token) if token != "EOF" => errors::syntax_near(token),
                _ => errors::syntax_near(&last_token(sql)),
            }
        }
    }
}

fn last_token(sql: &str) -> String {
    Tokenizer::new(&DIALECT, sql)
        .tokenize()
        .ok()
        .and_then(|tokens| {
            tokens.into_iter().rev().find(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon | Token::EOF))
        })
        .map_or_else(|| sql.trim().to_string(), |t| t.to_string())
}

fn word_upper(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// Words that start a statement: a query ends before one of them (at parenthesis depth 0), since
/// T-SQL needs no `;` and sqlparser would otherwise read `SELECT 1 SET …` as a column alias `SET`.
const STATEMENT_STARTS: &[&str] = &[
    "SET", "BEGIN", "COMMIT", "ROLLBACK", "USE", "EXEC", "EXECUTE", "DECLARE", "INSERT", "UPDATE", "DELETE", "MERGE",
    "TRUNCATE", "DROP", "CREATE", "ALTER", "PRINT", "IF", "WHILE", "RETURN", "GRANT", "REVOKE", "DENY",
];

/// The batch's tokens, walked over significant ones (whitespace and comments skipped).
struct Cursor {
    tokens: Vec<TokenWithSpan>,
    pos: usize,
}

impl Cursor {
    fn skip_blank(&mut self) {
        while matches!(self.tokens.get(self.pos).map(|t| &t.token), Some(Token::Whitespace(_))) {
            self.pos += 1;
        }
    }

    /// The `k`-th significant token from the current position (EOF past the end).
    fn peek(&self, k: usize) -> Token {
        self.tokens[self.pos..]
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .nth(k)
            .map_or(Token::EOF, |t| t.token.clone())
    }

    fn next(&mut self) -> Token {
        self.skip_blank();
        let token = self.tokens.get(self.pos).map_or(Token::EOF, |t| t.token.clone());
        self.pos = (self.pos + 1).min(self.tokens.len());
        token
    }

    fn consume(&mut self, expected: &Token) -> bool {
        if &self.peek(0) == expected {
            self.next();
            true
        } else {
            false
        }
    }

    /// Where the query starting at the current position ends.
    fn query_end(&self) -> usize {
        let mut depth = 0i32;
        for (i, t) in self.tokens.iter().enumerate().skip(self.pos + 1) {
            match &t.token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                Token::SemiColon if depth <= 0 => return i,
                token if depth <= 0 && word_upper(token).is_some_and(|w| STATEMENT_STARTS.contains(&w.as_str())) => {
                    return i;
                }
                _ => {}
            }
        }
        self.tokens.len()
    }
}

/// Parses a whole batch. A syntax error anywhere fails the batch before anything runs, as in
/// SQL Server (which compiles the batch first).
/// The statements of a batch sent to `database` (named in permission errors).
pub(crate) fn parse_batch(sql: &str, database: &str) -> Result<Vec<Stmt>, ServerError> {
    let tokens = Tokenizer::new(&DIALECT, sql)
        .tokenize_with_location()
        .map_err(|e| parse_error(sql, &ParserError::TokenizerError(e.to_string())))?;
    let mut cursor = Cursor { tokens, pos: 0 };
    let mut statements = Vec::new();
    loop {
        while cursor.consume(&Token::SemiColon) {}
        let token = cursor.peek(0);
        let word = word_upper(&token);
        let statement = match (token, word.as_deref()) {
            (Token::EOF, _) => break,
            (_, Some("SET")) => parse_set(&mut cursor, sql)?,
            (_, Some("BEGIN")) if matches!(word_upper(&cursor.peek(1)).as_deref(), Some("TRAN" | "TRANSACTION")) => {
                cursor.next();
                cursor.next();
                skip_transaction_name(&mut cursor);
                Stmt::Ack
            }
            (_, Some("COMMIT" | "ROLLBACK")) => {
                cursor.next();
                if matches!(word_upper(&cursor.peek(0)).as_deref(), Some("TRAN" | "TRANSACTION" | "WORK")) {
                    cursor.next();
                }
                skip_transaction_name(&mut cursor);
                Stmt::Ack
            }
            (token, word) => {
                cursor.skip_blank();
                let is_query = matches!(word, Some("SELECT" | "WITH")) || token == Token::LParen;
                let end = if is_query { cursor.query_end() } else { cursor.tokens.len() };
                let mut parser =
                    Parser::new(&DIALECT).with_tokens_with_locations(cursor.tokens[cursor.pos..end].to_vec());
                let statement = parser.parse_statement().map_err(|e| parse_error(sql, &e))?;
                // The tokens after the statement (up to a query's end) start the next one.
                cursor.pos += parser.index();
                classify(statement, database)
            }
        };
        statements.push(statement);
    }
    Ok(statements)
}

/// `BEGIN TRAN name`: a name is an identifier that is no keyword (which would start a statement).
fn skip_transaction_name(cursor: &mut Cursor) {
    if let Token::Word(w) = cursor.peek(0)
        && w.keyword == Keyword::NoKeyword
    {
        cursor.next();
    }
}

fn parse_set(cursor: &mut Cursor, sql: &str) -> Result<Stmt, ServerError> {
    cursor.next(); // SET
    let first = cursor.next();
    let Some(option) = word_upper(&first) else {
        return Err(errors::syntax_near(&first.to_string()));
    };
    if option.starts_with('@') {
        return Ok(Stmt::Fails(errors::unsupported("variables (SET @…)")));
    }
    if option == "TRANSACTION" {
        let mut level = Vec::new();
        while let Some(w) = word_upper(&cursor.peek(0)) {
            if !matches!(
                w.as_str(),
                "ISOLATION"
                    | "LEVEL"
                    | "READ"
                    | "UNCOMMITTED"
                    | "COMMITTED"
                    | "REPEATABLE"
                    | "SNAPSHOT"
                    | "SERIALIZABLE"
            ) {
                break;
            }
            cursor.next();
            level.push(w);
        }
        return Ok(Stmt::Set { options: vec![option], value: level.join(" ") });
    }
    let mut options = vec![option];
    while cursor.consume(&Token::Comma) {
        let next = cursor.next();
        options.push(word_upper(&next).ok_or_else(|| errors::syntax_near(&next.to_string()))?);
    }
    let value = match cursor.next() {
        Token::Word(w) => w.value.to_ascii_uppercase(),
        Token::Number(n, _) => n,
        Token::SingleQuotedString(s) | Token::NationalStringLiteral(s) => s,
        Token::Minus => match cursor.next() {
            Token::Number(n, _) => format!("-{n}"),
            other => return Err(errors::syntax_near(&other.to_string())),
        },
        Token::EOF => return Err(errors::syntax_near(&last_token(sql))),
        other => return Err(errors::syntax_near(&other.to_string())),
    };
    Ok(Stmt::Set { options, value })
}

fn first_relation(statement: &Statement) -> String {
    match visit_relations(statement, |r| ControlFlow::Break(r.clone())) {
        ControlFlow::Break(name) => {
            name.0.last().map(|p| p.to_string().trim_matches(['[', ']', '"']).to_string()).unwrap_or_default()
        }
        ControlFlow::Continue(()) => String::new(),
    }
}

fn denied(verb: &str, statement: &Statement, database: &str) -> Stmt {
    Stmt::Fails(ServerError::statement(
        229,
        format!(
            "The {verb} permission was denied on the object '{}', database '{database}', schema 'dbo'.",
            first_relation(statement)
        ),
    ))
}

fn string_value(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::NationalStringLiteral(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn classify(statement: Statement, database: &str) -> Stmt {
    match &statement {
        Statement::Query(q) => {
            if let sqlparser::ast::SetExpr::Select(s) = q.body.as_ref()
                && s.into.is_some()
            {
                return Stmt::Fails(ServerError::statement(
                    262,
                    format!("CREATE TABLE permission denied in database '{database}'."),
                ));
            }
            Stmt::Query(Box::new(statement))
        }
        Statement::Use(u) => {
            let name = match u {
                Use::Object(n) | Use::Database(n) | Use::Catalog(n) | Use::Schema(n) => {
                    n.0.last().and_then(ObjectNamePart::as_ident).map(|i| i.value.clone())
                }
                _ => None,
            };
            Stmt::Use(name.unwrap_or_default())
        }
        Statement::StartTransaction { .. } | Statement::Commit { .. } | Statement::Rollback { .. } => Stmt::Ack,
        Statement::Insert(_) | Statement::Merge { .. } => denied("INSERT", &statement, database),
        Statement::Update { .. } => denied("UPDATE", &statement, database),
        Statement::Delete(_) => denied("DELETE", &statement, database),
        Statement::Truncate { .. }
        | Statement::AlterTable { .. }
        | Statement::AlterIndex { .. }
        | Statement::AlterView { .. } => denied("ALTER", &statement, database),
        Statement::Drop { .. } => {
            let name = first_relation(&statement);
            let name = if name.is_empty() {
                statement.to_string().split_whitespace().last().unwrap_or("").to_string()
            } else {
                name
            };
            Stmt::Fails(ServerError::statement(
                3701,
                format!("Cannot drop the object '{name}', because it does not exist or you do not have permission."),
            ))
        }
        Statement::CreateTable(_)
        | Statement::CreateView { .. }
        | Statement::CreateIndex(_)
        | Statement::CreateSchema { .. }
        | Statement::CreateDatabase { .. }
        | Statement::CreateFunction(_)
        | Statement::CreateProcedure { .. }
        | Statement::CreateTrigger(_) => {
            let what = statement.to_string().split_whitespace().nth(1).unwrap_or("TABLE").to_ascii_uppercase();
            Stmt::Fails(ServerError::statement(
                262,
                format!("CREATE {what} permission denied in database '{database}'."),
            ))
        }
        Statement::Execute { name: Some(name), parameters, .. } => {
            let procedure =
                name.0.last().and_then(ObjectNamePart::as_ident).map(|i| i.value.clone()).unwrap_or_default();
            if !procedure.eq_ignore_ascii_case("sp_executesql") {
                return Stmt::Fails(ServerError::statement(
                    2812,
                    format!("Could not find stored procedure '{procedure}'."),
                ));
            }
            let mut it = parameters.iter();
            let Some(sql) = it.next().and_then(string_value) else {
                return Stmt::Fails(ServerError::statement(
                    214,
                    "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.",
                ));
            };
            let declarations = parameters.get(1).and_then(string_value).unwrap_or_default();
            let args = parameters
                .iter()
                .skip(2)
                .map(|p| match p {
                    Expr::BinaryOp { left, op: sqlparser::ast::BinaryOperator::Eq, right } => match left.as_ref() {
                        Expr::Identifier(id) if id.value.starts_with('@') => {
                            (Some(id.value.clone()), (**right).clone())
                        }
                        _ => (None, p.clone()),
                    },
                    _ => (None, p.clone()),
                })
                .collect();
            Stmt::ExecuteSql { sql, declarations, args }
        }
        Statement::Declare { .. } => Stmt::Fails(errors::unsupported("variables (DECLARE)")),
        other => {
            let verb = other.to_string().split_whitespace().next().unwrap_or("").to_ascii_uppercase();
            Stmt::Fails(errors::unsupported(&format!("the {verb} statement")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_statements_with_and_without_semicolons() {
        let stmts = parse_batch("SET FMTONLY ON SELECT 1 SET FMTONLY OFF", "BATIGEST_CONNECT").unwrap();
        assert_eq!(stmts.len(), 3);
        assert!(matches!(&stmts[0], Stmt::Set { options, value } if options == &["FMTONLY"] && value == "ON"));
        assert!(matches!(&stmts[1], Stmt::Query(_)));
        let stmts = parse_batch(
            "set textsize 4096; SET LOCK_TIMEOUT -1 SET ANSI_NULLS, QUOTED_IDENTIFIER ON;",
            "BATIGEST_CONNECT",
        )
        .unwrap();
        assert!(matches!(&stmts[1], Stmt::Set { value, .. } if value == "-1"));
        assert!(matches!(&stmts[2], Stmt::Set { options, .. } if options.len() == 2));
        let stmts = parse_batch(
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED SELECT 1; BEGIN TRAN; COMMIT TRAN ROLLBACK",
            "BATIGEST_CONNECT",
        )
        .unwrap();
        assert_eq!(stmts.len(), 5);
        assert!(matches!(&stmts[0], Stmt::Set { value, .. } if value == "ISOLATION LEVEL READ COMMITTED"));
        assert!(matches!(&stmts[2], Stmt::Ack));
        let stmts = parse_batch("SELECT 1 SELECT 2", "BATIGEST_CONNECT").unwrap();
        assert_eq!(stmts.len(), 2);
    }

    #[test]
    fn syntax_errors_name_the_token() {
        assert_eq!(parse_batch("SELEC 1", "BATIGEST_CONNECT").unwrap_err().message, "Incorrect syntax near 'SELEC'.");
        assert_eq!(parse_batch("SELECT 1 +", "BATIGEST_CONNECT").unwrap_err().message, "Incorrect syntax near '+'.");
        assert_eq!(parse_batch("SELECT 'abc", "BATIGEST_CONNECT").unwrap_err().number, 105);
        assert_eq!(parse_batch("SELECT * FROM T WHERE", "BATIGEST_CONNECT").unwrap_err().number, 102);
    }

    #[test]
    fn writes_are_refused() {
        let stmts = parse_batch(
            "INSERT INTO dbo.DEVIS (ID) VALUES (1); DELETE FROM CLIENTS; CREATE TABLE X (A INT); EXEC sp_who",
            "BATIGEST_CONNECT",
        )
        .unwrap();
        let numbers: Vec<i32> = stmts
            .iter()
            .map(|s| match s {
                Stmt::Fails(e) => e.number,
                _ => 0,
            })
            .collect();
        assert_eq!(numbers, [229, 229, 262, 2812]);
        let Stmt::Fails(e) = &stmts[0] else { unreachable!() };
        assert_eq!(
            e.message,
            "The INSERT permission was denied on the object 'DEVIS', database 'BATIGEST_CONNECT', schema 'dbo'."
        );
    }
}
