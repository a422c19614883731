//! SQL Server's semantics where SQLite's differ, on a dossier typed as real Batigest dossiers are
//! (DESIGN §3): CHAR codes, mixed case and padding, DATETIME dates, MONEY amounts, INT rates,
//! text states. Each expected figure is worked out by hand in the comments.

use chrono::NaiveDate;

use super::*;

const DOSSIER: &str = "
CREATE TABLE Client (Code CHAR(8) NOT NULL PRIMARY KEY, Nom VARCHAR(60) NOT NULL);
CREATE TABLE Facture (Code CHAR(10) NOT NULL, CodeClient CHAR(8) NOT NULL, Date DATETIME NOT NULL,
  Echeance DATE NOT NULL, TotalHT MONEY NOT NULL, Taux INT NOT NULL, Etat VARCHAR(10) NOT NULL,
  Remise NUMERIC(18,4) NULL);
INSERT INTO Client VALUES ('CLI00021', 'Hélène Lefèvre'), ('CLI7', 'Étienne Zola'), ('cli00030', 'Emile Abel');
INSERT INTO Facture VALUES
  ('F1', 'CLI00021', '2024-12-31 00:00:00', '2024-12-31', 1234567.8912, 35, 'A', 0.1),
  ('F2', 'cli00021', '2024-12-31 17:45:00', '2025-01-31', 0.1, 35, 'a', 0.2),
  ('F3', 'CLI00021  ', '2025-01-01 00:00:00', '2025-01-01', 0.2, 20, 'A ', NULL),
  ('F4', 'CLI7', '2024-12-30 09:00:00', '2024-12-30', 99999999.99, 18, 'B', 0.0001);
";

fn session(collation: Collation) -> Session {
    let database = Database::in_memory(|c| c.execute_batch(DOSSIER)).unwrap();
    database.session(ServerInfo { collation, ..info() }).unwrap()
}

fn ci(sql: &str) -> Recorder {
    run(&mut session(Collation::FrenchCiAs), sql)
}

fn rpc(collation: Collation, sql: &str, params: &[Param]) -> Recorder {
    let mut r = Recorder::default();
    session(collation).execute_rpc(sql, params, &mut r).unwrap();
    r
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn int(n: i64) -> Value {
    Value::Int(n)
}

#[test]
fn text_compares_under_the_collation() {
    // F1, F2 (lower case) and F3 (padded) are CLI00021's under French_CI_AS.
    let r = ci("SELECT COUNT(*) FROM Facture WHERE CodeClient = 'cli00021'");
    assert_eq!(r.rows(), [[int(3)]]);
    let cs = run(&mut session(Collation::FrenchCsAs), "SELECT COUNT(*) FROM Facture WHERE CodeClient = 'CLI00021'");
    assert_eq!(cs.rows(), [[int(2)]], "French_CS_AS: F1 and the padded F3, not the lower-case F2");
    // Joins, IN and parameters follow the same rule.
    let r =
        ci("SELECT COUNT(*) FROM Facture f JOIN Client c ON c.Code = f.CodeClient WHERE c.Code IN ('cli00021', 'x')");
    assert_eq!(r.rows(), [[int(3)]]);
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT COUNT(*) FROM Facture WHERE CodeClient = @P1",
        &[param("@P1", SqlType::NVarChar { max_chars: Some(4000) }, text("Cli00021"))],
    );
    assert_eq!(r.rows(), [[int(3)]]);
    // Leading spaces count, accents count.
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE CodeClient = ' CLI00021'").rows(), [[int(0)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Client WHERE Nom = 'Helene Lefevre'").rows(), [[int(0)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Client WHERE Nom = 'HÉLÈNE LEFÈVRE'").rows(), [[int(1)]]);
}

#[test]
fn grouping_ordering_and_distinct_follow_the_collation() {
    // 'A', 'a' and 'A ' are one state: two groups, A (3 invoices) and B (1).
    let r = ci("SELECT COUNT(*) AS n FROM Facture GROUP BY Etat ORDER BY n DESC");
    assert_eq!(r.rows(), [[int(3)], [int(1)]]);
    assert_eq!(ci("SELECT COUNT(DISTINCT Etat) FROM Facture").rows(), [[int(2)]]);
    assert_eq!(ci("SELECT DISTINCT CodeClient FROM Facture").rows().len(), 2);
    let cs = run(&mut session(Collation::FrenchCsAs), "SELECT COUNT(*) FROM Facture GROUP BY Etat");
    assert_eq!(cs.rows().len(), 3, "French_CS_AS: A (with A ), a, B");
    // Letters first, accents next: Émile < Étienne < Hélène, not the code-point order (É after z).
    let r = ci("SELECT Nom FROM Client ORDER BY Nom");
    assert_eq!(r.rows(), [[text("Emile Abel")], [text("Étienne Zola")], [text("Hélène Lefèvre")]]);
    let r = ci("SELECT TOP 1 Nom FROM Client ORDER BY 1 DESC");
    assert_eq!(r.rows(), [[text("Hélène Lefèvre")]]);
    assert_eq!(ci("SELECT MAX(Nom) FROM Client").rows(), [[text("Hélène Lefèvre")]]);
}

#[test]
fn like_follows_the_collation_and_ignores_trailing_spaces_of_the_value() {
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE CodeClient LIKE 'cli0002_'").rows(), [[int(3)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE CodeClient NOT LIKE 'CLI[0-9]%'").rows(), [[int(0)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Client WHERE Nom LIKE '%lefevre'").rows(), [[int(0)]], "è is not e");
    assert_eq!(ci("SELECT COUNT(*) FROM Client WHERE Nom LIKE '%lef_vre'").rows(), [[int(1)]]);
    let cs = run(&mut session(Collation::FrenchCsAs), "SELECT COUNT(*) FROM Facture WHERE CodeClient LIKE 'cli%'");
    assert_eq!(cs.rows(), [[int(1)]]);
}

#[test]
fn char_values_come_back_blank_padded_and_typed() {
    let r = ci("SELECT Code, CodeClient, Etat FROM Facture WHERE Code = 'F4'");
    assert_eq!(r.rows(), [[text("F4        "), text("CLI7    "), text("B")]]);
    assert_eq!(
        r.types(),
        [SqlType::Char { len: 10 }, SqlType::Char { len: 8 }, SqlType::VarChar { max_chars: Some(10) }]
    );
    assert_eq!(ci("SELECT LEN(CodeClient) FROM Facture WHERE Code = 'F3'").rows(), [[int(8)]]);
}

#[test]
fn dates_of_different_types_compare_as_the_higher_one() {
    let date = |y, m, d| Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
    // DATETIME against DATE: the date becomes midnight. F1 (midnight on the 31st) is on or
    // before 2024-12-31; F2 (17:45 that day) is not; F4 is.
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT Code FROM Facture WHERE Date <= @P1 ORDER BY Code",
        &[param("@P1", SqlType::Date, date(2024, 12, 31))],
    );
    assert_eq!(r.rows(), [[text("F1        ")], [text("F4        ")]]);
    // The product's bounds: [from midnight, next midnight) as DATETIME2 keep the whole last day.
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT COUNT(*) FROM Facture WHERE Date >= @P1 AND Date < @P2",
        &[
            param("@P1", SqlType::DateTime2 { scale: 7 }, dt("2024-12-31 00:00:00")),
            param("@P2", SqlType::DateTime2 { scale: 7 }, dt("2025-01-01 00:00:00")),
        ],
    );
    assert_eq!(r.rows(), [[int(2)]], "F1 and F2");
    // A DATE column against DATETIME2 bounds: the first day is in, the day after the last is out.
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT Code FROM Facture WHERE Echeance >= @P1 AND Echeance < @P2 ORDER BY Code",
        &[
            param("@P1", SqlType::DateTime2 { scale: 7 }, dt("2024-12-31 00:00:00")),
            param("@P2", SqlType::DateTime2 { scale: 7 }, dt("2025-01-01 00:00:00")),
        ],
    );
    assert_eq!(r.rows(), [[text("F1        ")]]);
    // Text meets a date as a date: a bad one is error 241.
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE Date < '2024-12-31 12:00'").rows(), [[int(2)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE Date < 'demain'").error().unwrap().number, 241);
    assert_eq!(ci("SELECT Date FROM Facture WHERE Code = 'F2'").types(), [SqlType::DateTime]);
}

#[test]
fn text_meets_a_number_as_the_number() {
    // Etat is text: against an integer, each row converts, and 'A' cannot (error 245).
    let e = ci("SELECT COUNT(*) FROM Facture WHERE Etat = 4").error().unwrap();
    assert_eq!(
        (e.number, e.message.as_str()),
        (245, "Conversion failed when converting the nvarchar value 'A' to data type int.")
    );
    // An INT column against a text parameter: '035' is 35; 'abc' is error 245.
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT COUNT(*) FROM Facture WHERE Taux = @P1",
        &[param("@P1", SqlType::NVarChar { max_chars: Some(4000) }, text("035"))],
    );
    assert_eq!(r.rows(), [[int(2)]]);
    let r = rpc(
        Collation::FrenchCiAs,
        "SELECT COUNT(*) FROM Facture WHERE Taux IN (@P1)",
        &[param("@P1", SqlType::NVarChar { max_chars: Some(4000) }, text("abc"))],
    );
    assert_eq!(r.error().unwrap().number, 245);
}

#[test]
fn money_is_sent_as_money_and_computed_exactly() {
    let r = ci("SELECT TotalHT FROM Facture WHERE Code = 'F1'");
    assert_eq!(r.types()[0], SqlType::Money);
    assert_eq!(r.rows()[0][0], dec(12_345_678_912, 4));
    // 1 234 567.8912 + 0.1 + 0.2 + 99 999 999.99 = 101 234 568.1812, exactly.
    let r = ci("SELECT SUM(TotalHT), MIN(TotalHT), MAX(TotalHT), AVG(TotalHT) FROM Facture");
    assert_eq!(r.types(), [SqlType::Money, SqlType::Money, SqlType::Money, SqlType::Money]);
    assert_eq!(r.rows()[0][0], dec(1_012_345_681_812, 4));
    assert_eq!(r.rows()[0][1], dec(1_000, 4));
    // 101 234 568.1812 / 4 = 25 308 642.0453.
    assert_eq!(r.rows()[0][3], dec(253_086_420_453, 4));
    // MONEY / DECIMAL(4,1) is a DECIMAL(25,9): 99 999 999.99 × 18 / 100.0 = 17 999 999.9982.
    let r = ci("SELECT TotalHT * Taux / 100.0, TotalHT * Taux / 100 FROM Facture WHERE Code = 'F4'");
    assert_eq!(r.types()[0], SqlType::Decimal { precision: 25, scale: 9 });
    assert_eq!(r.rows()[0][0], dec(17_999_999_998_200_000, 9));
    // MONEY × INT / INT stays MONEY: 1 799 999 999.82 / 100 = 17 999 999.9982 too.
    assert_eq!((r.types()[1], &r.rows()[0][1]), (SqlType::Money, &dec(179_999_999_982, 4)));
}

#[test]
fn decimal_expressions_are_exact() {
    // 0.1 + 0.2 is 0.30000000000000004 in doubles; exactly 0.3000 here, and equal to 0.3.
    let r = ci("SELECT SUM(Remise), CASE WHEN SUM(Remise) - 0.3001 = 0 THEN 1 ELSE 0 END FROM Facture");
    assert_eq!(r.rows(), [[dec(3_001, 4), int(1)]]);
    // 99 999 999.99 × 0.0001 = 9 999.999999 (scale 4 + 4 = 8, 18 + 19 + 1 digits).
    let r = ci("SELECT TotalHT * Remise FROM Facture WHERE Code = 'F4'");
    assert_eq!(r.rows(), [[dec(999_999_999_900, 8)]]);
    assert_eq!(ci("SELECT COUNT(*) FROM Facture WHERE Remise BETWEEN 0.1 AND 0.2").rows(), [[int(2)]]);
    assert_eq!(ci("SELECT NULLIF(Remise - 0.1, 0) FROM Facture WHERE Code = 'F1'").rows(), [[Value::Null]]);
}
