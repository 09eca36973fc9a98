//! The output must never be one of the build's own inputs: writing it would replace the
//! user's source, data or stub with the binary. Inputs are compared by identity
//! ([`FileId`]), so a hard link, a symlink or another spelling of the same file counts.

use std::path::{Path, PathBuf};

use crate::output::fsutil::FileId;

/// The output is a file the build reads.
#[derive(thiserror::Error, Debug)]
#[error(
    "output {} is {what} ({}), which the build reads; choose another output path",
    output.display(),
    input.display()
)]
pub struct OutputIsInput {
    pub output: PathBuf,
    pub input: PathBuf,
    pub what: String,
}

/// Refuse `output` when it is the same file as one of `inputs` (path, what it is to the
/// build: "module helper", "a data file"). An output that does not exist yet is no input,
/// so an ordinary build only pays one `stat`.
pub fn check<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = (&'a Path, String)>,
) -> Result<(), OutputIsInput> {
    let Some(id) = FileId::of(output) else {
        return Ok(());
    };
    for (input, what) in inputs {
        if FileId::of(input).as_ref() == Some(&id) {
            return Err(OutputIsInput {
                output: output.to_path_buf(),
                input: input.to_path_buf(),
                what,
            });
        }
    }
    Ok(())
}

/// Every `pyproject.toml` the settings may come from: in `dir` and its ancestors, and in
/// the working directory.
pub fn project_files(dir: &Path) -> Vec<PathBuf> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut found: Vec<PathBuf> = start
        .ancestors()
        .map(|d| d.join("pyproject.toml"))
        .filter(|p| p.is_file())
        .collect();
    found.push(PathBuf::from("pyproject.toml"));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_found_by_identity_not_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("helper.py");
        std::fs::write(&module, "x = 1\n").unwrap();
        let other = dir.path().join("other.py");
        std::fs::write(&other, "y = 1\n").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let inputs = || [(module.as_path(), "module helper".to_owned())];
        let err = check(&dir.path().join("./sub/../helper.py"), inputs());
        assert!(err.is_err(), "a dotted spelling is the same file");
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&module, &link).unwrap();
            let hard = dir.path().join("hard");
            std::fs::hard_link(&module, &hard).unwrap();
            let err = check(&hard, inputs()).unwrap_err();
            assert!(err.to_string().contains("is module helper ("), "{err}");
            assert!(check(&link, inputs()).is_err());
        }
        assert!(check(&other, inputs()).is_ok());
        assert!(check(&dir.path().join("missing"), inputs()).is_ok());
    }
}
