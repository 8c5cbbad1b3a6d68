//! docs/architecture.md lists the modules from the edges to the middle and says none imports a
//! module listed above it. This keeps that true: every module of `src/` is in the table, and no
//! non-test code imports upwards.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

/// Module names in the order of the table's rows (`| `name.rs` |` or `| `name/` |`).
fn documented_order() -> Vec<String> {
    let doc = std::fs::read_to_string("docs/architecture.md").unwrap();
    doc.lines()
        .filter_map(|line| {
            let cell = line.strip_prefix("| `")?;
            let name = cell.split('`').next()?;
            let module = name
                .strip_suffix(".rs")
                .or_else(|| name.strip_suffix('/'))?;
            module
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
                .then(|| module.to_owned())
        })
        .collect()
}

/// `crate::x` paths in the non-test part of a source file.
fn crate_imports(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect()
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn modules_import_only_modules_listed_below_them() {
    let order = documented_order();
    assert!(order.len() > 10, "module table not found: {order:?}");
    let rank = |module: &str| order.iter().position(|m| m == module);
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut problems = Vec::new();
    for file in files {
        let relative = file.strip_prefix("src").unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if module == "lib" || relative.ends_with("tests.rs") {
            continue;
        }
        let Some(own) = rank(&module) else {
            problems.push(format!("{module} is not in docs/architecture.md"));
            continue;
        };
        let source = std::fs::read_to_string(&file).unwrap();
        for import in crate_imports(&source) {
            match rank(&import) {
                _ if import == module => {}
                None => problems.push(format!(
                    "{}: crate::{import} is not documented",
                    file.display()
                )),
                Some(theirs) if theirs < own => problems.push(format!(
                    "{} imports {import}, listed above it",
                    file.display()
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
