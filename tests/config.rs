//! Configuration layers: defaults < TOML file < environment. A separate test binary
//! because these tests set process environment variables (inside figment's Jail).

// A panic in a test or a benchmark is its failure, not a failed request.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// figment::Jail closures return figment's own (large) error type; not ours to shrink.
#![allow(clippy::result_large_err)]

use figment::Jail;
use signpost::config::{Config, LogFormat};
use std::path::Path;

#[test]
fn defaults_apply_when_nothing_is_set() {
    Jail::expect_with(|_jail| {
        let config = Config::load(None).map_err(|e| e.to_string())?;
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, Path::new("./signpost-data"));
        assert_eq!(
            config.database_url(),
            "sqlite://./signpost-data/signpost.db?mode=rwc"
        );
        assert!(config.uses_default_database());
        assert_eq!(config.log_format, LogFormat::Text);
        Ok(())
    });
}

#[test]
fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "signpost.toml",
            r#"
                bind = "0.0.0.0:9000"
                log_format = "json"
                request_timeout_ms = 1234
                database_url = "postgres://file@db/signpost"
            "#,
        )?;
        jail.set_env("SIGNPOST_BIND", "127.0.0.1:7000");
        jail.set_env("DATABASE_URL", "sqlite://./env.db?mode=rwc");
        let config = Config::load(Some(Path::new("signpost.toml"))).map_err(|e| e.to_string())?;
        assert_eq!(config.bind.to_string(), "127.0.0.1:7000", "env beats file");
        assert_eq!(config.log_format, LogFormat::Json, "file beats default");
        assert_eq!(config.request_timeout_ms, 1234);
        assert_eq!(config.database_url(), "sqlite://./env.db?mode=rwc");
        assert!(!config.uses_default_database());
        Ok(())
    });
}

#[test]
fn a_typo_in_the_file_is_an_error_naming_the_key() {
    Jail::expect_with(|jail| {
        jail.create_file("signpost.toml", "bnd = \"0.0.0.0:9000\"\n")?;
        let error = Config::load(Some(Path::new("signpost.toml"))).unwrap_err();
        assert!(error.to_string().contains("bnd"), "{error}");
        Ok(())
    });
}

#[test]
fn bad_values_name_their_setting() {
    Jail::expect_with(|jail| {
        jail.set_env("SIGNPOST_REQUEST_TIMEOUT_MS", "soon");
        let error = Config::load(None).unwrap_err();
        assert!(
            error.setting.starts_with("SIGNPOST_REQUEST_TIMEOUT_MS"),
            "{error}"
        );
        Ok(())
    });
    for url in ["mysql://x@y/z", "postgres://", "sqlite://", "not a url"] {
        Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", url);
            let error = Config::load(None).unwrap_err();
            assert_eq!(error.setting, "DATABASE_URL", "{url}: {error}");
            Ok(())
        });
    }
    for base in ["hsds", "/hsds/", "/hsds/{id}", "/a?b"] {
        Jail::expect_with(|jail| {
            jail.set_env("SIGNPOST_HSDS_BASE", base);
            let error = Config::load(None).unwrap_err();
            assert!(
                error.setting.starts_with("SIGNPOST_HSDS_BASE"),
                "{base}: {error}"
            );
            Ok(())
        });
    }
    Jail::expect_with(|jail| {
        jail.set_env("SIGNPOST_HSDS_BASE", "");
        assert_eq!(Config::load(None).map_err(|e| e.to_string())?.hsds_base, "");
        Ok(())
    });
}

#[test]
fn secrets_never_print() {
    Jail::expect_with(|jail| {
        jail.set_env("DATABASE_URL", "postgres://app:hunter2@db/signpost");
        let config = Config::load(None).map_err(|e| e.to_string())?;
        assert!(!format!("{config:?}").contains("hunter2"));
        assert_eq!(config.database_url(), "postgres://app:hunter2@db/signpost");
        Ok(())
    });
}

#[test]
fn the_console_signs_in_only_through_a_safe_issuer_with_a_client_id() {
    let refused = [
        (
            "http://idp.example.org",
            Some("console"),
            "SIGNPOST_OIDC_ISSUER",
        ),
        ("not a url", Some("console"), "SIGNPOST_OIDC_ISSUER"),
        ("https://idp.example.org", None, "SIGNPOST_OIDC_CLIENT_ID"),
        (
            "https://idp.example.org",
            Some(" "),
            "SIGNPOST_OIDC_CLIENT_ID",
        ),
    ];
    for (issuer, client, setting) in refused {
        Jail::expect_with(|jail| {
            jail.set_env("SIGNPOST_OIDC_ISSUER", issuer);
            if let Some(client) = client {
                jail.set_env("SIGNPOST_OIDC_CLIENT_ID", client);
            }
            let error = Config::load(None).unwrap_err();
            assert!(error.setting.starts_with(setting), "{issuer}: {error}");
            Ok(())
        });
    }
    for issuer in [
        "https://idp.example.org/realms/council",
        "http://127.0.0.1:8081",
        "http://localhost:8081",
    ] {
        Jail::expect_with(|jail| {
            jail.set_env("SIGNPOST_OIDC_ISSUER", issuer);
            jail.set_env("SIGNPOST_OIDC_CLIENT_ID", "console");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.oidc_issuer.as_deref(), Some(issuer));
            assert_eq!(config.oidc_scopes, "openid profile offline_access");
            Ok(())
        });
    }
}
