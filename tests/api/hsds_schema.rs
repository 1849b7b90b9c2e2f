//! The official HSDS 3.0 and Open Referral UK JSON Schemas, vendored with their
//! source commits and licence under `tests/fixtures/hsds/schema/` (SOURCE.md), and
//! a check of any JSON value against one of them. Every schema file of a profile is
//! registered under the URL its `$ref`s use, so nothing is fetched.

use jsonschema::{Draft, Resource, Validator};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Whose schemas: HSDS 3.0 itself, or the Open Referral UK profile of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    Hsds,
    Uk,
}

impl Profile {
    fn folder(self) -> PathBuf {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hsds/schema");
        match self {
            Profile::Hsds => root,
            Profile::Uk => root.join("uk"),
        }
    }

    /// The URL the profile's own `$ref`s name its `schema/` folder by.
    fn base(self) -> &'static str {
        match self {
            Profile::Hsds => {
                "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
            }
            Profile::Uk => "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/",
        }
    }
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The schema files of `profile`, by path under its folder (`taxonomy.json`,
/// `compiled/service.json`).
fn files(profile: Profile) -> Vec<String> {
    let folder = profile.folder();
    let mut names = Vec::new();
    for sub in ["", "compiled/"] {
        for entry in std::fs::read_dir(folder.join(sub)).expect("schema folder") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".json") && name != "openapi.json" {
                names.push(format!("{sub}{name}"));
            }
        }
    }
    names
}

fn build(profile: Profile, file: &str) -> Validator {
    let mut schema = read(&profile.folder().join(file));
    // Relative `$ref`s (`metadata.json`) resolve against the schema's own URL.
    if let Some(object) = schema.as_object_mut() {
        object.insert("$id".into(), json!(format!("{}{file}", profile.base())));
    }
    let mut options = jsonschema::options().with_draft(Draft::Draft202012);
    for name in files(profile).into_iter().filter(|name| name != file) {
        let contents = read(&profile.folder().join(&name));
        options = options.with_resource(
            format!("{}{name}", profile.base()),
            Resource::from_contents(contents),
        );
    }
    options
        .build(&schema)
        .unwrap_or_else(|e| panic!("{profile:?} {file}: {e}"))
}

/// The validator of `file` (`taxonomy.json`, `compiled/service.json`) of
/// `profile`, built once per test run (the compiled schemas run to megabytes).
pub fn validator(profile: Profile, file: &str) -> Arc<Validator> {
    type Cache = Mutex<HashMap<(Profile, String), Arc<Validator>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (profile, file.to_owned());
    if let Some(found) = cache.lock().expect("cache").get(&key) {
        return found.clone();
    }
    let built = Arc::new(build(profile, file));
    cache.lock().expect("cache").insert(key, built.clone());
    built
}

/// Every way `value` breaks `file` of `profile`, each with its path.
pub fn problems(profile: Profile, file: &str, value: &Value) -> Vec<String> {
    validator(profile, file)
        .iter_errors(value)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

/// Asserts `value` is valid against `file` under both HSDS 3.0 and the UK profile.
pub fn assert_valid(file: &str, value: &Value, what: &str) {
    for profile in [Profile::Hsds, Profile::Uk] {
        let problems = problems(profile, file, value);
        assert!(
            problems.is_empty(),
            "{what} breaks {profile:?} {file}:\n{}\n{value:#}",
            problems.join("\n")
        );
    }
}

#[test]
fn the_schemas_accept_a_whole_object_and_name_what_a_broken_one_lacks() {
    let term = json!({
        "id": "0190f000-0000-7000-8000-000000000001",
        "name": "Food banks",
        "description": "Emergency food parcels",
    });
    assert_valid("taxonomy_term.json", &term, "a taxonomy term");
    let nameless = json!({ "id": "0190f000-0000-7000-8000-000000000001", "description": "x" });
    let found = problems(Profile::Hsds, "taxonomy_term.json", &nameless);
    assert!(
        found.iter().any(|problem| problem.contains("\"name\"")),
        "{found:?}"
    );
    let service = json!({
        "id": "0190f000-0000-7000-8000-000000000002",
        "name": "Lunch club",
        "status": "open for business",
    });
    let found = problems(Profile::Uk, "compiled/service.json", &service);
    assert!(
        found.iter().any(|problem| problem.starts_with("/status")),
        "{found:?}"
    );
}
