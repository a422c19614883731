//! The sandbox's SQL engine: T-SQL received from clients, rewritten for SQLite, executed, and its
//! results typed after the declared schema.

mod ast;
mod batch;
mod catalog;
mod checksum;
mod collate;
mod convert;
mod decimal;
mod errors;
mod functions;
mod infer;
mod numeric;
mod translate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, OpenFlags};
use sqlparser::ast::Statement;

use super::types::{Collation, Column, Param, ServerError, SqlType, Value};
use batch::Stmt;
use catalog::Catalog;
use infer::{Infer, OutCol};
use translate::Env;

/// Where a statement's results go. The server implements it by encoding TDS tokens; the engine
/// calls it in order: for each statement, either `columns` then `row`s then `done`, or `done` alone
/// (a statement without a result set), or `error` (which ends the batch).
pub trait ResultSink {
    /// The client has gone away or cancelled: the engine stops the statement at once.
    type Stop;
    fn columns(&mut self, columns: &[Column]) -> Result<(), Self::Stop>;
    fn row(&mut self, values: &[Value]) -> Result<(), Self::Stop>;
    /// End of one statement. `rowcount` is `Some` for statements that return or touch rows;
    /// `more` is true when another statement of the same batch follows.
    fn done(&mut self, rowcount: Option<u64>, more: bool) -> Result<(), Self::Stop>;
    fn error(&mut self, error: &ServerError) -> Result<(), Self::Stop>;
}

/// Why a database or a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("database file not found: {0}")]
    NotFound(PathBuf),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// How the server presents itself (`@@VERSION`, `DB_NAME()`, `@@SERVERNAME`).
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// Full `@@VERSION` text.
    pub version: String,
    /// The one database served (`BATIGEST_CONNECT`).
    pub database: String,
    pub server_name: String,
    /// The database collation: how text compares, groups and sorts.
    pub collation: Collation,
}

enum Target {
    File(PathBuf),
    /// Shared-cache memory URI; the keeper connection keeps the database alive.
    Memory {
        uri: String,
        _keeper: Mutex<Connection>,
    },
}

struct Inner {
    target: Target,
    catalog: Catalog,
    next_spid: AtomicI64,
}

/// The served SQLite database; cheap to clone and shared by all sessions.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

impl Database {
    /// Serves an existing SQLite file (opened read-only by sessions).
    pub fn open_file(path: &Path) -> Result<Database, EngineError> {
        if !path.is_file() {
            return Err(EngineError::NotFound(path.to_path_buf()));
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        let catalog = Catalog::load(&conn)?;
        Ok(Database::new(Target::File(path.to_path_buf()), catalog))
    }

    /// A private in-memory database, filled by `init` on a writable connection.
    pub fn in_memory(init: impl FnOnce(&Connection) -> rusqlite::Result<()>) -> Result<Database, EngineError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let uri = format!("file:jlm_sandbox_{}_{n}?mode=memory&cache=shared", std::process::id());
        let keeper = Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_URI,
        )?;
        init(&keeper)?;
        let catalog = Catalog::load(&keeper)?;
        Ok(Database::new(Target::Memory { uri, _keeper: Mutex::new(keeper) }, catalog))
    }

    fn new(target: Target, catalog: Catalog) -> Database {
        Database { inner: Arc::new(Inner { target, catalog, next_spid: AtomicI64::new(51) }) }
    }

    /// A new session: its own read-only connection with the sandbox functions registered.
    pub fn session(&self, info: ServerInfo) -> Result<Session, EngineError> {
        let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match &self.inner.target {
            Target::File(path) => Connection::open_with_flags(path, read_only)?,
            Target::Memory { uri, .. } => Connection::open_with_flags(uri, read_only | OpenFlags::SQLITE_OPEN_URI)?,
        };
        // The temp schema (INFORMATION_SCHEMA) is private to the connection and writable even on a
        // read-only connection; query_only then closes every write path, temp included.
        conn.execute_batch("PRAGMA temp_store = MEMORY;")?;
        functions::register(&conn)?;
        collate::register(&conn)?;
        decimal::register(&conn)?;
        checksum::register(&conn)?;
        catalog::create_information_schema(&conn, &self.inner.catalog, &info.database)?;
        conn.execute_batch("PRAGMA query_only = ON;")?;
        conn.set_prepared_statement_cache_capacity(64);
        let spid = self.inner.next_spid.fetch_add(1, Ordering::Relaxed);
        Ok(Session { conn, db: Arc::clone(&self.inner), info, spid, fmtonly: false, nocount: false, rowcount: 0 })
    }
}

/// One client connection's SQL state.
pub struct Session {
    conn: Connection,
    db: Arc<Inner>,
    info: ServerInfo,
    spid: i64,
    /// `SET FMTONLY ON`: queries describe their columns and return no rows.
    fmtonly: bool,
    /// `SET NOCOUNT ON`: DONE carries no row count.
    nocount: bool,
    /// `@@ROWCOUNT`
    rowcount: i64,
}

/// What a statement's execution says about the rest of the batch.
enum Flow {
    Continue,
    /// An error was reported: the batch stops.
    Abort,
}

impl Session {
    /// The server process id of this connection (`@@SPID`, and the SPID of its TDS packets).
    pub fn spid(&self) -> u16 {
        u16::try_from(self.spid).unwrap_or(u16::MAX)
    }

    /// Runs a SQL batch (one or several statements).
    pub fn execute_batch<S: ResultSink>(&mut self, sql: &str, sink: &mut S) -> Result<(), S::Stop> {
        self.run(sql, &[], sink, false).map(|_| ())
    }

    /// Runs an `sp_executesql` RPC: `sql` with its parameters, bound by name.
    pub fn execute_rpc<S: ResultSink>(&mut self, sql: &str, params: &[Param], sink: &mut S) -> Result<(), S::Stop> {
        self.run(sql, params, sink, false).map(|_| ())
    }

    fn run<S: ResultSink>(
        &mut self,
        sql: &str,
        params: &[Param],
        sink: &mut S,
        outer_more: bool,
    ) -> Result<Flow, S::Stop> {
        let statements = match batch::parse_batch(sql, &self.info.database) {
            Ok(s) => s,
            Err(e) => {
                sink.error(&e)?;
                return Ok(Flow::Abort);
            }
        };
        let n = statements.len();
        for (i, statement) in statements.into_iter().enumerate() {
            let more = i + 1 < n || outer_more;
            if let Flow::Abort = self.statement(statement, params, sink, more)? {
                return Ok(Flow::Abort);
            }
        }
        Ok(Flow::Continue)
    }

    fn statement<S: ResultSink>(
        &mut self,
        statement: Stmt,
        params: &[Param],
        sink: &mut S,
        more: bool,
    ) -> Result<Flow, S::Stop> {
        match statement {
            Stmt::Set { options, value } => {
                for option in &options {
                    match option.as_str() {
                        "FMTONLY" => self.fmtonly = value == "ON",
                        "NOCOUNT" => self.nocount = value == "ON",
                        // Every other option is acknowledged: SQLite has no equivalent to set.
                        _ => {}
                    }
                }
                sink.done(None, more)?;
                Ok(Flow::Continue)
            }
            Stmt::Ack => {
                sink.done(None, more)?;
                Ok(Flow::Continue)
            }
            Stmt::Use(name) => {
                if name.eq_ignore_ascii_case(&self.info.database) {
                    sink.done(None, more)?;
                    Ok(Flow::Continue)
                } else {
                    let message =
                        format!("Database '{name}' does not exist. Make sure that the name is entered correctly.");
                    fail(sink, &ServerError::statement(911, message))
                }
            }
            Stmt::Fails(e) => fail(sink, &e),
            Stmt::Query(statement) => self.query(*statement, params, sink, more),
            Stmt::ExecuteSql { sql, declarations, args } => match exec_params(&declarations, &args) {
                Ok(inner) => self.run(&sql, &inner, sink, more),
                Err(e) => fail(sink, &e),
            },
        }
    }

    fn query<S: ResultSink>(
        &mut self,
        mut statement: Statement,
        params: &[Param],
        sink: &mut S,
        more: bool,
    ) -> Result<Flow, S::Stop> {
        let declared: HashMap<String, SqlType> = params.iter().map(|p| (p.name.to_ascii_uppercase(), p.ty)).collect();
        let inferred = match &mut statement {
            Statement::Query(q) => {
                Infer::new(&self.db.catalog, &self.info.database, &declared, self.info.collation).query_columns(q)
            }
            _ => Vec::new(),
        };
        let env = Env {
            database: &self.info.database,
            version: &self.info.version,
            server_name: &self.info.server_name,
            spid: self.spid,
            rowcount: self.rowcount,
            now: chrono::Local::now().naive_local(),
            utc_now: chrono::Utc::now().naive_utc(),
            params: &declared,
            collation: self.info.collation,
        };
        if let Err(e) = translate::translate(&mut statement, &env) {
            return fail(sink, &e);
        }
        let sql = statement.to_string();
        let (fmtonly, nocount) = (self.fmtonly, self.nocount);
        let result = run_query(&self.conn, &sql, params, &inferred, fmtonly, sink)?;
        match result {
            Ok(count) => {
                if let Some(count) = count {
                    self.rowcount = count as i64;
                }
                sink.done(if nocount { None } else { count }, more)?;
                Ok(Flow::Continue)
            }
            Err(e) => fail(sink, &e),
        }
    }
}

/// Sends `e` and ends the batch, as SQL Server does for the errors the sandbox raises.
fn fail<S: ResultSink>(sink: &mut S, e: &ServerError) -> Result<Flow, S::Stop> {
    sink.error(e)?;
    Ok(Flow::Abort)
}

/// The SQLite value a parameter is bound as: dates in their canonical stored text forms,
/// decimals as the nearest double (DECIMAL columns hold numbers).
fn bind_value(p: &Param) -> SqlValue {
    match (&p.value, p.ty) {
        (Value::Null, _) => SqlValue::Null,
        (Value::Bit(b), _) => SqlValue::Integer(i64::from(*b)),
        (Value::Int(i), _) => SqlValue::Integer(*i),
        (Value::Float(f), _) => SqlValue::Real(*f),
        (Value::Decimal { unscaled, scale }, _) => convert::decimal_to_sqlite(*unscaled, *scale),
        (Value::Text(s), _) => SqlValue::Text(s.clone()),
        (Value::Date(d), SqlType::Date) => SqlValue::Text(convert::date_text(*d)),
        (Value::Date(d), _) => SqlValue::Text(convert::canonical_datetime(&d.and_time(chrono::NaiveTime::MIN))),
        (Value::DateTime(dt), SqlType::Date) => SqlValue::Text(convert::date_text(dt.date())),
        (Value::DateTime(dt), _) => SqlValue::Text(convert::canonical_datetime(dt)),
    }
}

/// Prepares and streams one query. The outer `Result` is the client's stop; the inner one a SQL
/// error (to report) or the row count (`None` under FMTONLY).
fn run_query<S: ResultSink>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    inferred: &[OutCol],
    fmtonly: bool,
    sink: &mut S,
) -> Result<Result<Option<u64>, ServerError>, S::Stop> {
    let sqlite = |e: rusqlite::Error| errors::from_sqlite(&e);
    let mut stmt = match conn.prepare_cached(sql) {
        Ok(s) => s,
        Err(e) => return Ok(Err(sqlite(e))),
    };
    for p in params {
        let name = p.name.to_ascii_uppercase();
        let name = if name.starts_with('@') { name } else { format!("@{name}") };
        match stmt.parameter_index(&name) {
            Ok(Some(idx)) => {
                if let Err(e) = stmt.raw_bind_parameter(idx, bind_value(p)) {
                    return Ok(Err(sqlite(e)));
                }
            }
            Ok(None) => {}
            Err(e) => return Ok(Err(sqlite(e))),
        }
    }
    let count = stmt.column_count();
    // The inference is trusted only when it accounts for exactly the columns SQLite returns.
    let matched = inferred.len() == count;
    let known: Vec<Option<SqlType>> = (0..count).map(|i| if matched { inferred[i].ty } else { None }).collect();
    let mut columns: Vec<Column> = (0..count)
        .map(|i| {
            let sqlite_name = stmt.column_name(i).unwrap_or("").to_string();
            let (name, nullable) =
                if matched { (inferred[i].name.clone(), inferred[i].nullable) } else { (sqlite_name, true) };
            // Until a first row says better, what nothing could type is text.
            Column { name, ty: known[i].unwrap_or(SqlType::NVarChar { max_chars: Some(4000) }), nullable }
        })
        .collect();
    if fmtonly {
        sink.columns(&columns)?;
        return Ok(Ok(None));
    }
    let mut types: Vec<SqlType> = Vec::with_capacity(count);
    let mut values: Vec<Value> = Vec::with_capacity(count);
    let mut rows = stmt.raw_query();
    let mut n: u64 = 0;
    let mut announced = false;
    loop {
        let row = match rows.next() {
            Ok(Some(row)) => row,
            Ok(None) => break,
            Err(e) => return Ok(Err(sqlite(e))),
        };
        if !announced {
            // Columns nothing could type take the type of their first value (SQLite storage class).
            for (i, c) in columns.iter_mut().enumerate() {
                if known[i].is_none() {
                    c.ty = row.get_ref(i).map_or(c.ty, convert::type_of_storage);
                }
                types.push(c.ty);
            }
            sink.columns(&columns)?;
            values = vec![Value::Null; types.len()];
            announced = true;
        }
        for (i, ty) in types.iter().enumerate() {
            let v = match row.get_ref(i) {
                Ok(v) => v,
                Err(e) => return Ok(Err(sqlite(e))),
            };
            // Text goes into the previous row's buffer for the column: no allocation per value.
            if let (SqlType::NVarChar { .. }, ValueRef::Text(t), Value::Text(buffer)) = (ty, v, &mut values[i]) {
                buffer.clear();
                buffer.push_str(&String::from_utf8_lossy(t));
                continue;
            }
            match convert::to_value(v, *ty) {
                Ok(v) => values[i] = v,
                Err(e) => return Ok(Err(e)),
            }
        }
        sink.row(&values)?;
        n += 1;
    }
    if !announced {
        sink.columns(&columns)?;
    }
    Ok(Ok(Some(n)))
}

/// The parameters of an `EXEC sp_executesql` written in a batch: declared in the second argument
/// (`N'@p1 INT, @p2 NVARCHAR(20)'`), valued by name (`@p1 = 5`) or by position.
fn exec_params(declarations: &str, args: &[(Option<String>, sqlparser::ast::Expr)]) -> Result<Vec<Param>, ServerError> {
    let mut declared: Vec<(String, SqlType)> = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let bytes = declarations.as_bytes();
    for i in 0..=bytes.len() {
        match bytes.get(i) {
            Some(b'(') => depth += 1,
            Some(b')') => depth -= 1,
            Some(b',') if depth == 0 => {}
            None => {}
            Some(_) => continue,
        }
        if bytes.get(i).is_some_and(|&b| b != b',') {
            continue;
        }
        let part = declarations[start..i].trim();
        start = i + 1;
        if part.is_empty() {
            continue;
        }
        let (name, ty) = part.split_once(char::is_whitespace).ok_or_else(|| errors::syntax_near(part))?;
        let ty = ty.trim();
        let ty = ty.strip_suffix("OUTPUT").or_else(|| ty.strip_suffix("output")).unwrap_or(ty).trim();
        let ty = catalog::parse_decl_type(ty).ok_or_else(|| {
            ServerError::statement(2715, format!("Column, parameter, or variable #1: Cannot find data type {ty}."))
        })?;
        declared.push((name.to_string(), ty));
    }
    let mut params = Vec::new();
    for (position, (name, expr)) in args.iter().enumerate() {
        let (name, ty) = match name {
            Some(n) => declared.iter().find(|(d, _)| d.eq_ignore_ascii_case(n)).cloned().ok_or_else(|| {
                ServerError::statement(8145, format!("{n} is not a parameter for procedure sp_executesql."))
            })?,
            None => declared.get(position).cloned().ok_or_else(|| {
                ServerError::statement(8144, "Procedure or function sp_executesql has too many arguments specified.")
            })?,
        };
        let value = literal_value(expr, ty)?;
        params.push(Param { name, ty, value });
    }
    Ok(params)
}

/// A literal argument of `sp_executesql`, converted to its declared type.
fn literal_value(expr: &sqlparser::ast::Expr, ty: SqlType) -> Result<Value, ServerError> {
    use sqlparser::ast::{Expr, UnaryOperator, Value as V};
    let text = match expr {
        Expr::Value(v) => match &v.value {
            V::Null => return Ok(Value::Null),
            V::Number(n, _) => n.clone(),
            V::SingleQuotedString(s) | V::NationalStringLiteral(s) => s.clone(),
            other => return Err(errors::syntax_near(&other.to_string())),
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match literal_value(expr, ty)? {
            Value::Int(i) => return Ok(Value::Int(-i)),
            Value::Float(f) => return Ok(Value::Float(-f)),
            Value::Decimal { unscaled, scale } => return Ok(Value::Decimal { unscaled: -unscaled, scale }),
            other => return Ok(other),
        },
        other => return Err(errors::syntax_near(&other.to_string())),
    };
    Ok(match ty {
        SqlType::Bit | SqlType::Int | SqlType::BigInt => {
            let v = numeric::parse_decimal(&text, 0).ok_or_else(|| errors::conversion_to(text.as_bytes(), "int"))?;
            Value::Int(i64::try_from(v).map_err(|_| errors::overflow("int"))?)
        }
        SqlType::Float => Value::Float(text.trim().parse().map_err(|_| errors::converting("float"))?),
        SqlType::Decimal { .. } | SqlType::Money | SqlType::SmallMoney => {
            let scale = ty.scale().unwrap_or(0);
            Value::Decimal {
                unscaled: numeric::parse_decimal(&text, scale).ok_or_else(|| errors::converting("numeric"))?,
                scale,
            }
        }
        SqlType::NVarChar { .. } | SqlType::VarChar { .. } | SqlType::NChar { .. } | SqlType::Char { .. } => {
            Value::Text(text)
        }
        SqlType::Date => Value::Date(convert::parse_datetime(&text).ok_or_else(errors::date_conversion)?.0.date()),
        SqlType::DateTime2 { .. } | SqlType::DateTime | SqlType::SmallDateTime => {
            Value::DateTime(convert::parse_datetime(&text).ok_or_else(errors::date_conversion)?.0)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    mod checksum;
    mod semantics;

    /// The schema of DESIGN §3, as the generator creates it.
    pub(crate) const DDL: &str = crate::generate::SCHEMA_SQL;

    const DATA: &str = "
INSERT INTO CLIENTS VALUES (1, 'C1', 'Dupont', 'Lyon'), (2, 'C2', 'Martin', NULL);
INSERT INTO FAMILLES VALUES (1, 'MENUISERIE_EXT', 'Menuiserie extérieure');
INSERT INTO OUVRAGES VALUES
  (1, 'O1', 'Fenêtre', 'U', 100, 150, 10, 20, 1, NULL, 1),
  (2, 'O2', 'Porte', 'U', 200, 260, 10, 20, 1, NULL, 1),
  (3, 'O3', 'Volet', 'U', 50, 80, 10, 20, 1, NULL, 1),
  (4, 'O4', 'Ancien', 'U', 0, 10, 10, 20, NULL, NULL, 0);
INSERT INTO DEVIS VALUES
  (1, 'D001', 'REF1', 1, 0.1, 0.12, 25, '2024-01-31 10:00:00.1234560', NULL, 'VALIDE', 'Paul'),
  (2, 'D002', NULL, 1, 0.2, 0.24, 30.5, '2024-02-15 08:30:00', '2024-02-20 09:00:00', 'ACCEPTE', NULL),
  (3, 'D003', NULL, 2, 1500, 1800, 20, '2024-03-01 00:00:00', NULL, 'BROUILLON', NULL);
INSERT INTO FACTURES VALUES
  (1, 'F001', 'D001', 1, 0.1, 0.12, '2024-02-01', '2024-03-01', 'REGLE', 0.12),
  (2, 'F002', 'D002', 1, 0.2, 0.24, '2024-02-20', '2024-03-20', 'NON_REGLE', NULL);";

    fn db() -> Database {
        Database::in_memory(|c| c.execute_batch(&format!("{DDL}{DATA}"))).unwrap()
    }

    fn info() -> ServerInfo {
        ServerInfo {
            version: "Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64) \n\tSep 24 2019 13:48:23 \n\tCopyright (C) 2019 Microsoft Corporation\n\tDeveloper Edition (64-bit) (JLM Batigest sandbox)".into(),
            database: "BATIGEST_CONNECT".into(),
            server_name: "SANDBOX".into(),
            collation: Collation::FrenchCiAs,
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    enum Call {
        Columns(Vec<Column>),
        Row(Vec<Value>),
        Done(Option<u64>, bool),
        Error(ServerError),
    }

    #[derive(Default)]
    struct Recorder {
        calls: Vec<Call>,
        /// Stop (as a cancelling client) after this many rows.
        stop_after: Option<usize>,
    }

    impl ResultSink for Recorder {
        type Stop = ();
        fn columns(&mut self, columns: &[Column]) -> Result<(), ()> {
            self.calls.push(Call::Columns(columns.to_vec()));
            Ok(())
        }
        fn row(&mut self, values: &[Value]) -> Result<(), ()> {
            self.calls.push(Call::Row(values.to_vec()));
            let rows = self.calls.iter().filter(|c| matches!(c, Call::Row(_))).count();
            if self.stop_after.is_some_and(|n| rows >= n) { Err(()) } else { Ok(()) }
        }
        fn done(&mut self, rowcount: Option<u64>, more: bool) -> Result<(), ()> {
            self.calls.push(Call::Done(rowcount, more));
            Ok(())
        }
        fn error(&mut self, error: &ServerError) -> Result<(), ()> {
            self.calls.push(Call::Error(error.clone()));
            Ok(())
        }
    }

    impl Recorder {
        fn columns(&self) -> Vec<Column> {
            self.calls
                .iter()
                .find_map(|c| if let Call::Columns(c) = c { Some(c.clone()) } else { None })
                .unwrap_or_default()
        }
        fn types(&self) -> Vec<SqlType> {
            self.columns().iter().map(|c| c.ty).collect()
        }
        fn rows(&self) -> Vec<Vec<Value>> {
            self.calls.iter().filter_map(|c| if let Call::Row(r) = c { Some(r.clone()) } else { None }).collect()
        }
        fn error(&self) -> Option<ServerError> {
            self.calls.iter().find_map(|c| if let Call::Error(e) = c { Some(e.clone()) } else { None })
        }
    }

    fn run(session: &mut Session, sql: &str) -> Recorder {
        let mut r = Recorder::default();
        session.execute_batch(sql, &mut r).unwrap();
        r
    }

    fn one(sql: &str) -> Recorder {
        run(&mut db().session(info()).unwrap(), sql)
    }

    fn dec(unscaled: i128, scale: u8) -> Value {
        Value::Decimal { unscaled, scale }
    }

    fn dt(s: &str) -> Value {
        Value::DateTime(convert::parse_datetime(s).unwrap().0)
    }

    fn param(name: &str, ty: SqlType, value: Value) -> Param {
        Param { name: name.into(), ty, value }
    }

    #[test]
    fn connection_test_query() {
        let r = one("SELECT @@VERSION, DB_NAME(), SYSDATETIME()");
        assert_eq!(
            r.types(),
            [
                SqlType::NVarChar { max_chars: Some(300) },
                SqlType::NVarChar { max_chars: Some(128) },
                SqlType::DateTime2 { scale: 7 }
            ]
        );
        let rows = r.rows();
        assert_eq!(rows[0][0], Value::Text(info().version));
        assert_eq!(rows[0][1], Value::Text("BATIGEST_CONNECT".into()));
        let Value::DateTime(now) = rows[0][2] else { panic!("{:?}", rows[0][2]) };
        assert!((chrono::Local::now().naive_local() - now).num_seconds().abs() < 5);
        assert_eq!(r.calls.last(), Some(&Call::Done(Some(1), false)));
        assert!(r.columns().iter().all(|c| c.name.is_empty()));
    }

    #[test]
    fn globals_and_properties() {
        let r = one(
            "SELECT @@SERVERNAME AS s, @@LANGUAGE, SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('Edition'), SCHEMA_NAME(), @@SPID",
        );
        let row = &r.rows()[0];
        assert_eq!(row[0], Value::Text("SANDBOX".into()));
        assert_eq!(row[1], Value::Text("us_english".into()));
        assert_eq!(row[2], Value::Text("15.0.2000.5".into()));
        assert_eq!(row[4], Value::Text("dbo".into()));
        assert!(matches!(row[5], Value::Int(n) if n >= 51));
        assert_eq!(r.columns()[0].name, "s");
    }

    #[test]
    fn select_star_types_follow_the_schema() {
        let r = one("SELECT * FROM dbo.DEVIS WITH (NOLOCK) WHERE ID = 1");
        assert_eq!(
            r.types(),
            [
                SqlType::Int,
                SqlType::NVarChar { max_chars: Some(50) },
                SqlType::NVarChar { max_chars: Some(50) },
                SqlType::Int,
                SqlType::Decimal { precision: 18, scale: 2 },
                SqlType::Decimal { precision: 18, scale: 2 },
                SqlType::Decimal { precision: 9, scale: 4 },
                SqlType::DateTime2 { scale: 7 },
                SqlType::DateTime2 { scale: 7 },
                SqlType::NVarChar { max_chars: Some(20) },
                SqlType::NVarChar { max_chars: Some(100) },
            ]
        );
        let row = &r.rows()[0];
        assert_eq!(row[4], dec(10, 2));
        assert_eq!(row[6], dec(250_000, 4));
        assert_eq!(row[7], dt("2024-01-31 10:00:00.123456"));
        assert_eq!(row[8], Value::Null);
        assert_eq!(r.columns()[1].name, "NUMERO_DEVIS");
        assert!(!r.columns()[0].nullable);
        assert!(r.columns()[8].nullable);
    }

    #[test]
    fn aggregates_are_typed_and_exact() {
        let r = one(
            "SELECT SUM(d.MONTANT_HT) AS total, COUNT(*), COUNT_BIG(*), AVG(d.MONTANT_HT), MAX(DATE_CREATION), MIN(CLIENT_ID),
                    SUM(TAUX_MARGE * MONTANT_HT) / SUM(MONTANT_HT)
             FROM [BATIGEST_CONNECT].[dbo].[DEVIS] d WHERE d.ID IN (1, 2)",
        );
        assert_eq!(
            r.types(),
            [
                SqlType::Decimal { precision: 38, scale: 2 },
                SqlType::Int,
                SqlType::BigInt,
                SqlType::Decimal { precision: 38, scale: 6 },
                SqlType::DateTime2 { scale: 7 },
                SqlType::Int,
                SqlType::Decimal { precision: 38, scale: 6 },
            ]
        );
        let row = &r.rows()[0];
        // 0.1 + 0.2 summed as doubles is 0.30000000000000004: exactly 0.30.
        assert_eq!(row[0], dec(30, 2));
        assert_eq!(row[1], Value::Int(2));
        assert_eq!(row[2], Value::Int(2));
        assert_eq!(row[3], dec(150_000, 6));
        // (25 × 0.1 + 30.5 × 0.2) / 0.3 = 28.666…, truncated as SQL Server truncates a quotient
        // (SELECT 2.0 / 3 gives 0.666666).
        assert_eq!(row[6], dec(28_666_666, 6));
        assert_eq!(r.columns()[0].name, "total");
    }

    #[test]
    fn whole_decimals_divide_as_decimals() {
        // 1500.00 is stored as the integer 1500: SQLite alone would divide it as an integer.
        let r = one("SELECT MONTANT_HT / 7, ID / 2, MONTANT_HT / (1 + TAUX_MARGE / 100) FROM DEVIS WHERE ID = 3");
        let row = &r.rows()[0];
        assert_eq!(r.types()[1], SqlType::Int);
        assert_eq!(row[1], Value::Int(1));
        // DECIMAL(18,2) / the constant 7, a NUMERIC(1,0) to SQL Server: scale max(6, 2 + 1 + 1) = 6,
        // precision 18 - 2 + 0 + 6 = 22.
        assert_eq!(r.types()[0], SqlType::Decimal { precision: 22, scale: 6 });
        // 1500 / 7 = 214.285714285…, truncated at the 6th decimal.
        assert_eq!(row[0], dec(214_285_714, 6));
        assert!(matches!(r.types()[2], SqlType::Decimal { .. }));
        let e = one("SELECT 1 / 0").error().unwrap();
        assert_eq!((e.number, e.message.as_str()), (8134, "Divide by zero error encountered."));
        assert_eq!(one("SELECT MONTANT_HT / NULLIF(0, 0) FROM DEVIS").rows()[0][0], Value::Null);
    }

    #[test]
    fn derived_tables_and_ctes_keep_inner_types() {
        let r = one(
            "WITH t AS (SELECT CLIENT_ID, SUM(MONTANT_HT) AS total FROM DEVIS GROUP BY CLIENT_ID)
             SELECT x.total, t.total AS again, x.n FROM (SELECT CLIENT_ID, SUM(MONTANT_HT) total, COUNT(*) n FROM DEVIS GROUP BY CLIENT_ID) x
             JOIN t ON t.CLIENT_ID = x.CLIENT_ID ORDER BY x.CLIENT_ID",
        );
        assert_eq!(
            r.types(),
            [SqlType::Decimal { precision: 38, scale: 2 }, SqlType::Decimal { precision: 38, scale: 2 }, SqlType::Int]
        );
        assert_eq!(r.rows()[0], [dec(30, 2), dec(30, 2), Value::Int(2)]);
        let r = one(
            "SELECT (SELECT MAX(MONTANT_TTC) FROM DEVIS) AS m, CASE WHEN ID > 1 THEN MONTANT_HT ELSE 0 END FROM DEVIS WHERE ID = 1",
        );
        assert_eq!(
            r.types(),
            [SqlType::Decimal { precision: 18, scale: 2 }, SqlType::Decimal { precision: 18, scale: 2 }]
        );
        assert_eq!(r.rows()[0], [dec(180_000, 2), dec(0, 2)]);
    }

    #[test]
    fn literals_and_fallback_types() {
        let r = one("SELECT 1, 1.50, N'abc', 3000000000, NULL, 'a' + 'b', abs(-2.5e0)");
        assert_eq!(
            r.types(),
            [
                SqlType::Int,
                SqlType::Decimal { precision: 3, scale: 2 },
                SqlType::NVarChar { max_chars: Some(3) },
                SqlType::BigInt,
                SqlType::NVarChar { max_chars: Some(4000) },
                SqlType::NVarChar { max_chars: Some(4000) },
                SqlType::Float,
            ]
        );
        assert_eq!(
            r.rows()[0],
            [
                Value::Int(1),
                dec(150, 2),
                Value::Text("abc".into()),
                Value::Int(3_000_000_000),
                Value::Null,
                Value::Text("ab".into()),
                Value::Float(2.5)
            ]
        );
    }

    #[test]
    fn dates() {
        let r = one(
            "SELECT DATEDIFF(day, '2024-01-31 23:59:00', '2024-02-01 00:01:00'), DATEDIFF(month, '2024-01-31', '2024-02-01'),
                    DATEDIFF(year, '2023-12-31', '2024-01-01'), DATEDIFF(quarter, '2024-03-31', '2024-04-01'),
                    DATEADD(month, 1, CAST('2024-01-31' AS DATE)), DATEADD(day, 1, DATE_CREATION),
                    YEAR(DATE_CREATION), MONTH(DATE_CREATION), DAY(DATE_CREATION), DATEPART(quarter, DATE_CREATION),
                    CAST(DATE_CREATION AS DATE), DATEPART(weekday, '2024-01-07')
             FROM DEVIS WHERE ID = 1",
        );
        assert_eq!(r.error(), None);
        assert_eq!(
            r.types(),
            [
                SqlType::Int,
                SqlType::Int,
                SqlType::Int,
                SqlType::Int,
                SqlType::Date,
                SqlType::DateTime2 { scale: 7 },
                SqlType::Int,
                SqlType::Int,
                SqlType::Int,
                SqlType::Int,
                SqlType::Date,
                SqlType::Int,
            ]
        );
        let d = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(
            r.rows()[0],
            [
                Value::Int(1),
                Value::Int(1),
                Value::Int(1),
                Value::Int(1),
                d(2024, 2, 29),
                dt("2024-02-01 10:00:00.123456"),
                Value::Int(2024),
                Value::Int(1),
                Value::Int(31),
                Value::Int(1),
                d(2024, 1, 31),
                Value::Int(1),
            ]
        );
        let r = one("SELECT GETDATE(), CURRENT_TIMESTAMP");
        assert_eq!(r.types(), [SqlType::DateTime2 { scale: 3 }, SqlType::DateTime2 { scale: 3 }]);
        let e = one("SELECT CAST('31/01/2024' AS DATE)").error().unwrap();
        assert_eq!(e.number, 241);
        // Jours de retard at a report date, as the product computes them.
        let r = one("SELECT NUMERO_FACTURE, DATEDIFF(day, DATE_ECHEANCE, '2024-04-01') FROM FACTURES ORDER BY ID");
        assert_eq!(r.rows()[0][1], Value::Int(31));
    }

    #[test]
    fn casts_and_string_functions() {
        let r = one(
            "SELECT CAST(MONTANT_HT AS DECIMAL(10,1)), CONVERT(DECIMAL(18,2), 2.675), CAST(TAUX_MARGE AS INT), CAST(ID AS FLOAT),
                    CAST(ID AS NVARCHAR(10)), CONVERT(VARCHAR(10), DATE_CREATION, 103), LEN(N'abc  '), LEFT(NUMERO_DEVIS, 2),
                    RIGHT(NUMERO_DEVIS, 2), UPPER(STATUT), ISNULL(REFERENCE_AFFAIRE, N'-'), IIF(ID = 2, 'two', 'other'),
                    ROUND(MONTANT_HT, 0), CEILING(TAUX_MARGE), FLOOR(2.5)
             FROM DEVIS WHERE ID = 2",
        );
        assert_eq!(r.error(), None);
        assert_eq!(
            r.rows()[0],
            [
                dec(2, 1),
                dec(268, 2),
                Value::Int(30),
                Value::Float(2.0),
                Value::Text("2".into()),
                Value::Text("15/02/2024".into()),
                Value::Int(3),
                Value::Text("D0".into()),
                Value::Text("02".into()),
                Value::Text("ACCEPTE".into()),
                Value::Text("-".into()),
                Value::Text("two".into()),
                dec(0, 2),
                dec(31, 0),
                dec(2, 0),
            ]
        );
        assert_eq!(r.types()[0], SqlType::Decimal { precision: 10, scale: 1 });
        assert_eq!(r.types()[10], SqlType::NVarChar { max_chars: Some(50) });
        assert_eq!(one("SELECT CAST('abc' AS INT)").error().unwrap().number, 245);
        assert_eq!(one("SELECT CAST('abc' AS DECIMAL(9,2))").error().unwrap().number, 8114);
    }

    #[test]
    fn stdev_matches_hand_computation() {
        // Coefficients 1.5, 1.3, 1.6: mean 1.4666…, sample variance ((0.0333)² + (0.1667)² + (0.1333)²) / 2 = 0.023333…
        let r = one(
            "SELECT STDEV(PRIX_VENTE_HT / PRIX_ACHAT_HT), VAR(PRIX_VENTE_HT / PRIX_ACHAT_HT), STDEVP(PRIX_VENTE_HT / PRIX_ACHAT_HT), COUNT(*)
             FROM OUVRAGES WHERE ACTIF = 1 AND PRIX_ACHAT_HT <> 0",
        );
        assert_eq!(r.types()[..3], [SqlType::Float, SqlType::Float, SqlType::Float]);
        let Value::Float(s) = r.rows()[0][0] else { panic!() };
        let Value::Float(v) = r.rows()[0][1] else { panic!() };
        assert!((v - 0.07 / 3.0).abs() < 1e-12, "{v}");
        assert!((s - (0.07f64 / 3.0).sqrt()).abs() < 1e-12, "{s}");
        assert_eq!(one("SELECT STDEV(MONTANT_HT) FROM DEVIS WHERE ID = 1").rows()[0][0], Value::Null);
    }

    #[test]
    fn top_offset_fetch() {
        let r = one("SELECT TOP 2 ID FROM DEVIS ORDER BY ID DESC");
        assert_eq!(r.rows(), [[Value::Int(3)], [Value::Int(2)]]);
        let r = one("SELECT TOP (1) ID FROM DEVIS ORDER BY ID");
        assert_eq!(r.rows(), [[Value::Int(1)]]);
        let r = one("SELECT ID FROM DEVIS ORDER BY ID OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY");
        assert_eq!(r.rows(), [[Value::Int(2)]]);
    }

    #[test]
    fn multi_statement_batches_and_session_statements() {
        let mut s = db().session(info()).unwrap();
        let r = run(
            &mut s,
            "SET ANSI_NULLS ON; SET QUOTED_IDENTIFIER ON SET NOCOUNT OFF set textsize 4096 SET LANGUAGE us_english SET DATEFORMAT dmy SET ARITHABORT ON SET CONCAT_NULL_YIELDS_NULL ON SET IMPLICIT_TRANSACTIONS OFF SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED SET LOCK_TIMEOUT -1 SET XACT_ABORT ON",
        );
        assert_eq!(r.calls.len(), 12);
        assert!(r.calls.iter().all(|c| matches!(c, Call::Done(None, _))));
        assert_eq!(r.calls.last(), Some(&Call::Done(None, false)));
        let r = run(&mut s, "BEGIN TRAN; SELECT 1 AS a SELECT 2 AS b; COMMIT");
        assert_eq!(r.calls.len(), 8);
        assert_eq!(r.calls[0], Call::Done(None, true));
        assert_eq!(r.calls[3], Call::Done(Some(1), true));
        assert_eq!(r.calls[7], Call::Done(None, false));
        let r = run(&mut s, "USE BATIGEST_CONNECT; USE [batigest_connect]");
        assert_eq!(r.calls, [Call::Done(None, true), Call::Done(None, false)]);
        let r = run(&mut s, "SELECT 1; USE master; SELECT 2");
        assert_eq!(r.calls.len(), 4);
        let Call::Error(e) = &r.calls[3] else { panic!() };
        assert_eq!(
            (e.number, e.message.as_str()),
            (911, "Database 'master' does not exist. Make sure that the name is entered correctly.")
        );
        let r = run(&mut s, "SET NOCOUNT ON SELECT 1 SET NOCOUNT OFF");
        assert_eq!(r.calls[3], Call::Done(None, true));
        let r = run(&mut s, "SELECT 5 AS n FROM DEVIS; SELECT @@ROWCOUNT");
        assert_eq!(r.rows().last().unwrap(), &[Value::Int(3)]);
    }

    #[test]
    fn fmtonly_describes_without_rows() {
        let mut s = db().session(info()).unwrap();
        let r = run(&mut s, "SET FMTONLY ON SELECT ID, MONTANT_HT FROM dbo.DEVIS SET FMTONLY OFF");
        assert_eq!(
            r.calls,
            [
                Call::Done(None, true),
                Call::Columns(vec![
                    Column { name: "ID".into(), ty: SqlType::Int, nullable: false },
                    Column {
                        name: "MONTANT_HT".into(),
                        ty: SqlType::Decimal { precision: 18, scale: 2 },
                        nullable: false
                    },
                ]),
                Call::Done(None, true),
                Call::Done(None, false),
            ]
        );
        assert_eq!(run(&mut s, "SELECT ID FROM DEVIS").rows().len(), 3);
    }

    #[test]
    fn error_numbers() {
        let e = |sql: &str| one(sql).error().map(|e| (e.number, e.message)).unwrap();
        assert_eq!(e("SELECT * FROM NOPE"), (208, "Invalid object name 'NOPE'.".into()));
        assert_eq!(e("SELECT NOPE FROM DEVIS"), (207, "Invalid column name 'NOPE'.".into()));
        assert_eq!(e("SELECT FROBNICATE(1)"), (195, "'FROBNICATE' is not a recognized built-in function name.".into()));
        assert_eq!(e("SELECT * FROM DEVIS WHERE ID = @P1"), (137, "Must declare the scalar variable \"@P1\".".into()));
        assert_eq!(e("SELECT * FORM DEVIS"), (102, "Incorrect syntax near 'FORM'.".into()));
        assert_eq!(e("UPDATE dbo.DEVIS SET STATUT = 'X'").0, 229);
        assert_eq!(
            e("DELETE FROM FACTURES").1,
            "The DELETE permission was denied on the object 'FACTURES', database 'BATIGEST_CONNECT', schema 'dbo'."
        );
        assert_eq!(e("CREATE TABLE X (A INT)").0, 262);
        assert_eq!(e("DROP TABLE DEVIS").0, 3701);
        // The error stops the batch: nothing after it runs.
        let r = one("SELECT 1; SELECT * FROM NOPE; SELECT 2");
        assert_eq!(r.rows().len(), 1);
        assert!(matches!(r.calls.last(), Some(Call::Error(_))));
    }

    #[test]
    fn rpc_parameters() {
        let mut s = db().session(info()).unwrap();
        let mut r = Recorder::default();
        let params = [
            param("@P1", SqlType::DateTime2 { scale: 6 }, dt("2024-01-31 10:00:00.123456")),
            param("@P2", SqlType::NVarChar { max_chars: None }, Value::Text("VALIDE".into())),
            param("@P3", SqlType::Decimal { precision: 5, scale: 2 }, dec(10, 2)),
        ];
        s.execute_rpc(
            "SELECT ID, @P3 AS p FROM DEVIS WHERE DATE_CREATION = @P1 AND STATUT = @p2 AND MONTANT_HT = @P3",
            &params,
            &mut r,
        )
        .unwrap();
        assert_eq!(r.error(), None);
        assert_eq!(r.rows(), [[Value::Int(1), dec(10, 2)]]);
        assert_eq!(r.types()[1], SqlType::Decimal { precision: 5, scale: 2 });

        let mut r = Recorder::default();
        let params = [
            param("@P1", SqlType::Date, Value::Date(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap())),
            param("@P2", SqlType::Date, Value::Date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())),
            param("@P3", SqlType::Int, Value::Int(1)),
        ];
        s.execute_rpc(
            "SELECT TOP (@P3) NUMERO_FACTURE FROM dbo.FACTURES WHERE DATE_FACTURE BETWEEN @P1 AND @P2 ORDER BY DATE_FACTURE DESC",
            &params,
            &mut r,
        )
        .unwrap();
        assert_eq!(r.rows(), [[Value::Text("F002".into())]]);
        // Devis created in a period [from, to], dates as parameters.
        let mut r = Recorder::default();
        s.execute_rpc(
            "SELECT COUNT(*) FROM DEVIS WHERE STATUT <> 'BROUILLON' AND DATE_CREATION >= @P1 AND DATE_CREATION < DATEADD(day, 1, @P2)",
            &[
                param("@P1", SqlType::Date, Value::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap())),
                param("@P2", SqlType::Date, Value::Date(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())),
            ],
            &mut r,
        )
        .unwrap();
        assert_eq!(r.rows(), [[Value::Int(1)]]);
    }

    #[test]
    fn sp_executesql_in_a_batch() {
        let r = one(
            "EXEC sp_executesql N'SELECT NUMERO_DEVIS FROM DEVIS WHERE CLIENT_ID = @c AND MONTANT_HT > @m ORDER BY ID', N'@c INT, @m DECIMAL(18,2)', @c = 1, @m = 0.15",
        );
        assert_eq!(r.error(), None);
        assert_eq!(r.rows(), [[Value::Text("D002".into())]]);
        let r = one("EXECUTE sp_executesql N'SELECT @d', N'@d DATE', '2024-05-06'");
        assert_eq!(r.types(), [SqlType::Date]);
        assert_eq!(r.rows(), [[Value::Date(NaiveDate::from_ymd_opt(2024, 5, 6).unwrap())]]);
    }

    #[test]
    fn information_schema() {
        let r = one(
            "SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES ORDER BY TABLE_NAME",
        );
        assert_eq!(r.rows().len(), 6);
        assert_eq!(r.rows()[0], ["BATIGEST_CONNECT", "dbo", "CLIENTS", "BASE TABLE"].map(|s| Value::Text(s.into())));
        let r = one(
            "SELECT COLUMN_NAME, ORDINAL_POSITION, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION
             FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'DEVIS' ORDER BY ORDINAL_POSITION",
        );
        assert_eq!(r.types()[1], SqlType::Int);
        let rows = r.rows();
        let t = |s: &str| Value::Text(s.into());
        assert_eq!(
            rows[1],
            [
                t("NUMERO_DEVIS"),
                Value::Int(2),
                t("NO"),
                t("nvarchar"),
                Value::Int(50),
                Value::Null,
                Value::Null,
                Value::Null
            ]
        );
        assert_eq!(
            rows[4],
            [
                t("MONTANT_HT"),
                Value::Int(5),
                t("NO"),
                t("decimal"),
                Value::Null,
                Value::Int(18),
                Value::Int(2),
                Value::Null
            ]
        );
        assert_eq!(rows[8][2..4], [t("YES"), t("datetime2")]);
        assert_eq!(rows[8][7], Value::Int(7));
    }

    #[test]
    fn sessions_are_read_only() {
        let database = db();
        let s = database.session(info()).unwrap();
        // Even bypassing translation, SQLite refuses writes on the session's connection.
        assert!(s.conn.execute("DELETE FROM DEVIS", []).is_err());
        assert!(s.conn.execute("CREATE TEMP TABLE x (a INT)", []).is_err());
        let path = std::env::temp_dir().join(format!("jlm_sandbox_missing_{}.db", std::process::id()));
        assert!(matches!(Database::open_file(&path), Err(EngineError::NotFound(_))));
    }

    #[test]
    fn open_file_serves_a_sqlite_file() {
        let path = std::env::temp_dir().join(format!("jlm_sandbox_test_{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Connection::open(&path).unwrap().execute_batch(&format!("{DDL}{DATA}")).unwrap();
        let database = Database::open_file(&path).unwrap();
        let r = run(&mut database.session(info()).unwrap(), "SELECT COUNT(*) FROM DEVIS");
        assert_eq!(r.rows(), [[Value::Int(3)]]);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn sink_stop_is_propagated_at_once() {
        let mut s = db().session(info()).unwrap();
        let mut r = Recorder { stop_after: Some(1), ..Recorder::default() };
        assert!(s.execute_batch("SELECT ID FROM DEVIS; SELECT 2", &mut r).is_err());
        assert_eq!(r.rows().len(), 1);
        assert!(!r.calls.iter().any(|c| matches!(c, Call::Done(..))));
        // The session stays usable.
        assert_eq!(run(&mut s, "SELECT COUNT(*) FROM DEVIS").rows(), [[Value::Int(3)]]);
    }

    #[test]
    fn thread_contracts() {
        fn send<T: Send>() {}
        fn shared<T: Send + Sync + Clone>() {}
        send::<Session>();
        shared::<Database>();
    }

    /// Counts rows without keeping them.
    struct Counter(u64);

    impl ResultSink for Counter {
        type Stop = ();
        fn columns(&mut self, _: &[Column]) -> Result<(), ()> {
            Ok(())
        }
        fn row(&mut self, values: &[Value]) -> Result<(), ()> {
            self.0 += values.len() as u64 / values.len() as u64;
            Ok(())
        }
        fn done(&mut self, _: Option<u64>, _: bool) -> Result<(), ()> {
            Ok(())
        }
        fn error(&mut self, e: &ServerError) -> Result<(), ()> {
            panic!("{e:?}")
        }
    }

    fn streaming(rows: u64) {
        let database = Database::in_memory(|c| {
            c.execute_batch(DDL)?;
            c.execute(
                &format!(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
                     INSERT INTO DEVIS SELECT i, 'D' || i, CASE WHEN i % 3 = 0 THEN NULL ELSE 'REF' || i END, i % 100,
                       (i % 100000) / 100.0, (i % 100000) * 1.2 / 100.0, 25.5, '2024-01-01 10:00:00.1234567',
                       NULL, 'VALIDE', 'Paul' FROM n"
                ),
                [],
            )?;
            Ok(())
        })
        .unwrap();
        let mut s = database.session(info()).unwrap();
        let mut counter = Counter(0);
        s.execute_batch("SELECT * FROM DEVIS", &mut counter).unwrap();
        assert_eq!(counter.0, rows);
    }

    /// Throughput is measured by `scripts/bench-sandbox.sh`; this checks every row gets through.
    #[test]
    fn streams_100k_rows() {
        streaming(100_000);
    }
}
