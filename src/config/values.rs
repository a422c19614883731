//! The validators of the file's values: each value type reads any TOML value and refuses it in
//! French with what was expected (« doit être … »), which `wording` places at its key and line.

use lettre::message::Mailbox;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::settings::Securite;
use crate::batigest::connection::{Auth, Encryption};
use crate::model::{MargeBase, OFFER_STATUSES, Statut};
use crate::report::kpi::Granularity;
use crate::report::relances::Professionnels;

/// A value type of the file: read from any TOML value, and refused in French with what was
/// expected (« doit être … »), which `wording` places at its key and line.
macro_rules! setting {
    ($name:ident($inner:ty), $expected:literal, |$value:ident| $check:expr) => {
        pub(super) struct $name(pub(super) $inner);

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let $value = toml::Value::deserialize(deserializer)?;
                let checked: Option<$inner> = $check;
                checked.map($name).ok_or_else(|| serde::de::Error::custom(concat!("doit être ", $expected)))
            }
        }
    };
}

setting!(Text(String), "une chaîne non vide", |value| value.as_str().filter(|t| !t.is_empty()).map(str::to_owned));
setting!(Port(u16), "un entier de 1 à 65535", |value| integer(&value).and_then(|n| u16::try_from(n).ok()));
setting!(Seconds(u64), "un nombre entier de secondes (1 ou plus)", |value| integer(&value));
setting!(Yes(bool), "true ou false", |value| value.as_bool());
setting!(Tolerance(Decimal), "un nombre positif (ex. 0.05)", |value| {
    decimal(&value).filter(|t| !t.is_sign_negative())
});
setting!(Coefficient(Decimal), "un coefficient positif (ex. 1.45)", |value| {
    decimal(&value).filter(|c| c.is_sign_positive() && !c.is_zero())
});
setting!(Taux(Decimal), "un taux annuel en pourcentage, de 0 à 100 (ex. 12.15)", |value| {
    decimal(&value).filter(|t| t.is_sign_positive() && *t <= Decimal::ONE_HUNDRED)
});
setting!(Seuils([u32; 3]), "trois nombres de jours croissants, au moins 1 (ex. [1, 15, 30])", |value| {
    each(&value, |item| integer(item).and_then(|n| u32::try_from(n).ok()))
        .and_then(|days| <[u32; 3]>::try_from(days).ok())
        .filter(|[a, b, c]| a < b && b < c)
});
setting!(Pros(Professionnels), "une liste de codes clients (ex. [\"CLI00042\"]) ou \"tous\"", |value| {
    if value.as_str() == Some("tous") {
        Some(Professionnels::Tous)
    } else {
        each(&value, |item| item.as_str().filter(|code| !code.is_empty()).map(str::to_owned)).map(Professionnels::Liste)
    }
});

setting!(Points(Decimal), "un nombre de points positif (ex. 5)", |value| {
    decimal(&value).filter(|p| !p.is_sign_negative())
});
setting!(PeriodeMarge(Granularity), "« mensuel » ou « trimestriel »", |value| match value.as_str() {
    Some("mensuel") => Some(Granularity::Month),
    Some("trimestriel") => Some(Granularity::Quarter),
    _ => None,
});
setting!(Adresse(Mailbox), "une adresse e-mail (ex. \"Alertes <alertes@jlm.fr>\")", |value| mailbox(&value));
setting!(Adresses(Vec<Mailbox>), "une liste d'adresses e-mail (ex. [\"compta@jlm.fr\"])", |value| {
    each(&value, mailbox).filter(|addresses| !addresses.is_empty())
});
setting!(
    WebhookUrl(String),
    "une adresse https:// sans identifiant ni mot de passe (ex. \"https://erp.jlm.fr/hooks/batigest\") ; \
     http:// seulement vers cette machine (127.0.0.1, ::1, localhost) : les alertes portent les noms des \
     clients et leurs montants, qui ne passent pas en clair sur le réseau",
    |value| {
        value
            .as_str()
            .filter(|text| {
                url::Url::parse(text).is_ok_and(|url| {
                    // Credentials in the URL would travel in the Host header and the logs: the
                    // signature is how a receiver trusts the sender. Clear HTTP stays on the
                    // machine, as `serve` and the SMTP channel require.
                    let loopback = match url.host() {
                        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                        None => false,
                    };
                    (url.scheme() == "https" || url.scheme() == "http" && loopback)
                        && url.host_str().is_some()
                        && url.username().is_empty()
                        && url.password().is_none()
                })
            })
            .map(str::to_owned)
    }
);

setting!(Origines(Vec<String>), "une liste d'origines web sans chemin (ex. [\"https://erp.jlm.fr\"])", |value| {
    each(&value, |item| {
        // An origin is exactly what browsers send: scheme, host, port if not the default.
        item.as_str()
            .filter(|text| {
                url::Url::parse(text).is_ok_and(|url| {
                    matches!(url.scheme(), "http" | "https") && url.origin().ascii_serialization() == *text
                })
            })
            .map(str::to_owned)
    })
});

impl<'de> Deserialize<'de> for Securite {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)?.as_str() {
            Some("starttls") => Ok(Securite::Starttls),
            Some("tls") => Ok(Securite::Tls),
            _ => Err(serde::de::Error::custom("doit être « starttls » ou « tls »")),
        }
    }
}

/// A text the option's own parser reads (`--auth`, `--encrypt`), refused with the values it takes.
fn parsed<'de, D: serde::Deserializer<'de>, T>(
    deserializer: D,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> std::result::Result<T, D::Error> {
    let value = toml::Value::deserialize(deserializer)?;
    value.as_str().and_then(parse).ok_or_else(|| serde::de::Error::custom(format!("doit être {expected}")))
}

impl<'de> Deserialize<'de> for Auth {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        parsed(deserializer, Auth::parse, "« sql », « windows » ou « integrated »")
    }
}

impl<'de> Deserialize<'de> for Encryption {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        parsed(deserializer, Encryption::parse, "« required », « login-only », « off » ou « strict »")
    }
}

impl<'de> Deserialize<'de> for MargeBase {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer)?.as_str() {
            Some("cout" | "coût") => Ok(MargeBase::Cout),
            Some("vente") => Ok(MargeBase::Vente),
            _ => Err(serde::de::Error::custom("doit être « cout » ou « vente »")),
        }
    }
}

/// Each item of a TOML array read by `item`; `None` for anything but an array, or when one item
/// is refused.
fn each<T>(value: &toml::Value, item: impl Fn(&toml::Value) -> Option<T>) -> Option<Vec<T>> {
    value.as_array()?.iter().map(item).collect()
}

/// An e-mail address, with or without a name (`Alertes <alertes@jlm.fr>`).
fn mailbox(value: &toml::Value) -> Option<Mailbox> {
    value.as_str()?.parse().ok()
}

/// A positive integer.
fn integer(value: &toml::Value) -> Option<u64> {
    value.as_integer().and_then(|n| u64::try_from(n).ok()).filter(|n| *n > 0)
}

/// A decimal written as a TOML number (`1.45`, `2`) or string (`"1.45"`), read exactly: a float
/// is read back from its shortest decimal form, which is what was written.
fn decimal(value: &toml::Value) -> Option<Decimal> {
    let text = match value {
        toml::Value::Float(float) if float.is_finite() => float.to_string(),
        toml::Value::Integer(integer) => integer.to_string(),
        toml::Value::String(text) => text.replace('_', ""),
        _ => return None,
    };
    text.parse().ok()
}

/// `[sync.statuts]`: a Batigest status (`ACCEPTE`) → the JLM ERP offer status it moves the offer to
/// (`"signe"`). A key or a value outside the two lists is refused naming it and the list.
pub(super) struct Statuts(pub(super) std::collections::BTreeMap<String, String>);

impl<'de> Deserialize<'de> for Statuts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        let batigest = Statut::ALL.map(Statut::code);
        let Some(table) = value.as_table() else {
            return Err(serde::de::Error::custom(
                "doit être une table STATUT_BATIGEST = \"statut_offre\" (ex. ACCEPTE = \"signe\")",
            ));
        };
        let mut map = std::collections::BTreeMap::new();
        for (key, target) in table {
            // Read as `--statut` reads a status (any case), kept under its code.
            let Ok(devis_statut) = key.parse::<Statut>() else {
                return Err(serde::de::Error::custom(format!(
                    "doit avoir pour clés des statuts de devis Batigest ({}) : « {key} » n'en est pas un",
                    batigest.join(", ")
                )));
            };
            let Some(offer_status) = target.as_str().filter(|target| OFFER_STATUSES.contains(target)) else {
                let given =
                    target.as_str().map_or_else(|| "une valeur non textuelle".to_owned(), |t| format!("« {t} »"));
                return Err(serde::de::Error::custom(format!(
                    "doit donner des statuts d'offre de JLM ERP ({}) : {key} = {given} n'en est pas un",
                    OFFER_STATUSES.join(", ")
                )));
            };
            if map.insert(devis_statut.code().to_owned(), offer_status.to_owned()).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "doit donner chaque statut de devis une fois : {} y est deux fois",
                    devis_statut.code()
                )));
            }
        }
        Ok(Statuts(map))
    }
}
